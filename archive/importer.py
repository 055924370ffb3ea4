"""Import a Hexo posts tree written by the system newsroll replaces (``newsroll import DIR``).

Each ``*.md`` file is read as ``---`` YAML front matter plus a body wrapped in ``<div>``. Categories
come from the front matter: ``[category, site, feed]`` in the current layout, ``[category, site]``
in the older one (the feed is then the site), ``author`` as the site when present. The quirks of
that system are handled: ``&#123;``/``&#125;`` in bodies are kept (they render the same), ``date:
Invalid Date`` imports with the import time and the flag ``date_unknown``, a blank title is taken
from the body's first sentence (flag ``title_derived``), a post with neither title nor body is
skipped. Files are never modified.

Identity: the old system kept one file per feed and title, so an imported post's guid is
``hexo:<date>|<title>`` within its feed. Dedup applies: a post whose identity or text matches an
article archived *before* this import is skipped with the id it matches (nothing already archived
is rewritten); posts within one import are stored through the normal dedup layers (a cross-feed
copy is merged, a near-copy flagged). Every file not imported is reported with its reason.

Hostile trees: only regular files (symlinks followed to one) up to ``MAX_POST_BYTES`` are read,
opened non-blocking so a FIFO or device never hangs the import; a post whose front matter cannot be
read as a post (``categories: 5``, ``date: 2022-02-30``, hour 25, offset +99:00) is skipped with its
reason and the rest go on; a date outside 1900 … now + 2 days imports as unknown (flags
``date_unknown``, ``date_invalid``). ``clean`` (given by jobs: the scraper's cleaning, which archive
may not import) sanitizes each article before it is stored, as fetched ones are; the search text is
then taken from the cleaned body.

Speed (``benchmarks/bench_import.py``): with ``workers=1`` (the CLI) files are read, parsed and
cleaned in a worker process, chunk by chunk and in order, while this process stores the chunks
before; the posts are stored BATCH at a time (one transaction, one flush of their files), and the
"archived before" checks are three queries per batch. The search index is the archive's own stage
(archive.indexer): the caller builds it after the import (``Archive.index_pending``) or it is
finished at ``close``.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sqlite3
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.errors import ImportTreeError
from archive.htmltext import html_to_text
from archive.importparse import (
    MAX_POST_BYTES,
    Cleaner,
    ParsedChunk,
    ParsedPost,
    parse_chunk,
    parse_post_file,
    split_front_matter,
    unwrap_body,
)
from archive.models import ImportReport, ImportSkip, iso
from archive.prepare import TextHints, text_hints
from scraper.models import Article

if TYPE_CHECKING:
    from archive.archive import Archive

logger = logging.getLogger(__name__)
BATCH = 1000  # posts per store transaction
FIRST_BATCH = 250  # the first batch; each next one twice the size, up to BATCH
CHUNK = 100  # files per task of the parsing worker
AHEAD = 2 * BATCH // CHUNK  # chunks parsed ahead of storing: a batch and the next (bounds memory)
LOOKUP = 400  # parameters per IN (...) of the "archived before" queries
ProgressCallback = Callable[[int, int], None]
Outcome = tuple[ParsedPost, TextHints] | str

__all__ = [
    "BATCH", "MAX_POST_BYTES", "Cleaner", "ParsedPost", "html_to_text", "import_tree", "parse_post_file",
    "split_front_matter", "unwrap_body",
]


def import_tree(
    archive: Archive, directory: Path, *, now: datetime, clean: Cleaner | None = None,
    on_progress: ProgressCallback | None = None, workers: int = 0,
) -> ImportReport:
    """Import every post under ``directory``; ``on_progress(files_done, files_total)`` is called
    after each stored batch and once at the end. ``workers=1`` parses in a worker process (``clean``
    must then be picklable: a module-level function); 0 parses in this process."""
    if not directory.is_dir():
        raise ImportTreeError(f"not a directory: {directory}")
    created: set[str] = set()  # articles this import made: matches against them go through store()
    imported: list[str] = []
    seen_ids: set[str] = set()
    skipped: list[ImportSkip] = []
    statuses: dict[str, int] = {}
    batch: list[tuple[ParsedPost, TextHints]] = []

    def flush() -> None:
        posts = batch[:]
        batch.clear()
        known = _archived_before(archive, [p.article for p, _hints in posts], [h for _p, h in posts], created)
        fresh = []
        for (post, hints), existing in zip(posts, known, strict=True):
            if existing:
                skipped.append(ImportSkip(post.file, existing))
            else:
                fresh.append((post, hints))
        results = archive.store([p.article for p, _h in fresh], now=now, hints=[h for _p, h in fresh])
        for (post, _hints), result in zip(fresh, results, strict=True):
            created.add(result.id)
            statuses[result.status] = statuses.get(result.status, 0) + 1
            if result.status == "unchanged":
                skipped.append(ImportSkip(post.file, f"same post as one imported before it ({result.id})"))
            elif result.id not in seen_ids:
                imported.append(result.id)
                seen_ids.add(result.id)

    files = _files(directory)
    named = [(str(path), path.relative_to(directory).as_posix()) for path in files]
    order = {rel: i for i, (_path, rel) in enumerate(named)}
    outcomes = _parsed(named, now, clean, workers)
    limit = min(BATCH, FIRST_BATCH)  # a small first batch: storing starts while the worker parses on
    with archive.writing_behind():  # a batch's post files are written while the next is stored
        try:
            for done, ((_path, rel), outcome) in enumerate(zip(named, outcomes, strict=True), start=1):
                if isinstance(outcome, str):
                    skipped.append(ImportSkip(rel, outcome))
                    continue
                batch.append(outcome)
                if len(batch) >= limit:
                    flush()
                    limit = min(BATCH, 2 * limit)
                    if on_progress is not None:
                        on_progress(done, len(files))
        except BrokenProcessPool as exc:
            flush()  # what was parsed before the worker died is stored; a rerun imports the rest
            raise ImportTreeError(f"the parsing worker stopped: {exc}") from exc
        finally:
            outcomes.close()
        if batch:
            flush()
    if on_progress is not None:
        on_progress(len(files), len(files))
    skipped.sort(key=lambda skip: order[skip.file])  # in the tree's order, whenever each was decided
    logger.info("import %s: %d imported, %d skipped, %s", directory, len(imported), len(skipped), statuses)
    return ImportReport(imported=imported, skipped=skipped, statuses=statuses)


def _files(directory: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        found.extend(Path(root) / name for name in sorted(files))
    return found


def _parsed(named: Sequence[tuple[str, str]], now: datetime, clean: Cleaner | None, workers: int) -> Generator[Outcome, None, None]:
    """Each file's outcome, in order: parsed here (``workers=0``) or by one worker process, CHUNK
    files a task, at most AHEAD tasks ahead. Closing the iterator stops the worker."""
    if workers <= 0 or len(named) <= CHUNK:
        for path, rel in named:
            post = parse_post_file(Path(path), rel, now=now, clean=clean)
            yield post if isinstance(post, str) else (post, text_hints(post.article, search=True))
        return
    # fork: the worker starts before this import stores anything (no thread of ours is busy) and
    # needs no importable __main__ (a script without a main guard, a REPL); spawn where there is none
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    pool = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_worker_init)
    chunks = [named[i : i + CHUNK] for i in range(0, len(named), CHUNK)]
    waiting: deque[Future[ParsedChunk]] = deque()
    try:
        for chunk in chunks:
            waiting.append(pool.submit(parse_chunk, chunk, now, clean))
            if len(waiting) >= AHEAD:
                yield from _outcomes(waiting.popleft().result())
        while waiting:
            yield from _outcomes(waiting.popleft().result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _outcomes(chunk: ParsedChunk) -> list[Outcome]:
    for record in chunk.records:  # the worker's log messages, as if parsed here
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)
    return chunk.outcomes


def _worker_init() -> None:
    """Ctrl-C is the importing process's to handle: it stops the worker when it stops."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _archived_before(
    archive: Archive, articles: Sequence[Article], hints: Sequence[TextHints], created: set[str]
) -> list[str | None]:
    """For each article, why it is already archived (by an article this import did not create), or
    None: the same identity key, the same text, or the same feed, title and date. Three queries for
    the whole batch, asked before it is stored."""
    conn = archive.db.conn
    keys = [f"g|{a.feed}|{a.guid}" for a in articles]
    by_key = _lookup(conn, "select key, article_id from article_keys where key in ({})", keys)
    by_hash = _lookup(conn, "select content_hash, id from articles where content_hash in ({}) order by seq",
                      [h.content_hash for h in hints])
    # articles first, through the index on ``published`` (a handful of rows per instant), then the
    # feed by article_feeds' key: CROSS JOIN keeps SQLite from scanning every article of the feed
    # instead (it has no statistics to know better)
    by_date: dict[tuple[str, str, str], list[str]] = {}
    dated = ("select a.published, a.title, f.feed, a.id from articles a cross join article_feeds f "
             "on f.article_id = a.id where a.published in ({}) order by a.seq")
    for published, title, feed, article_id in _rows(
        conn, dated, [iso(a.published) for a in articles if "date_unknown" not in a.flags]
    ):
        by_date.setdefault((published, title, feed), []).append(article_id)
    answers: list[str | None] = []
    for a, key, h in zip(articles, keys, hints, strict=True):
        checks = [(by_key.get(key, []), "same feed, title and date"), (by_hash.get(h.content_hash, []), "same text")]
        if "date_unknown" not in a.flags:
            checks.append((by_date.get((iso(a.published), a.title, a.feed), []), "same feed, title and date"))
        answers.append(next((f"already archived as {i} ({why})" for ids, why in checks for i in ids
                             if i not in created), None))
    return answers


def _lookup(conn: sqlite3.Connection, sql: str, values: Sequence[str]) -> dict[str, list[str]]:
    """value → ids of ``sql`` (``select value, id … in ({})``)."""
    found: dict[str, list[str]] = {}
    for value, article_id in _rows(conn, sql, values):
        found.setdefault(value, []).append(article_id)
    return found


def _rows(conn: sqlite3.Connection, sql: str, values: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``sql`` (``… in ({}) …``) for the distinct ``values``, asked LOOKUP at a time."""
    unique = sorted(set(values))
    for start in range(0, len(unique), LOOKUP):
        part = unique[start : start + LOOKUP]
        yield from conn.execute(sql.format(",".join("?" * len(part))), part)
