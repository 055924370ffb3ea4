"""Reading one post file of an imported Hexo tree (archive.importer): bytes in, a ``ParsedPost`` or
the reason it cannot be imported out. No database: ``parse_chunk`` runs these in a worker process
while the importing process stores the posts parsed before (see archive.importer).
"""

from __future__ import annotations

import errno
import logging
import os
import re
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import yaml

from archive import frontmatter
from archive.htmltext import html_to_text
from archive.prepare import TextHints, text_hints
from scraper.models import Article

logger = logging.getLogger("archive.importer")  # the importer's messages, wherever they are parsed
MAX_POST_BYTES = 5_000_000
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=2)
Cleaner = Callable[[Article], Article]
_SENTENCE_END = re.compile(r"[。！？!?\n]")


@dataclass(frozen=True)
class ParsedPost:
    file: str
    article: Article
    date_text: str


@dataclass(frozen=True)
class ParsedChunk:
    """``parse_chunk``'s answer: per file its post (with its text hints) or the reason it is skipped,
    and the log records made while parsing (re-emitted by the importing process)."""

    outcomes: list[tuple[ParsedPost, TextHints] | str]
    records: list[logging.LogRecord]


def parse_chunk(paths: Sequence[tuple[str, str]], now: datetime, clean: Cleaner | None) -> ParsedChunk:
    """Parse ``(path, rel)`` files in order (run in the parsing worker, or in-process)."""
    records: list[logging.LogRecord] = []
    handler = _Collect(records)
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        outcomes: list[tuple[ParsedPost, TextHints] | str] = []
        for path, rel in paths:
            post = parse_post_file(Path(path), rel, now=now, clean=clean)
            outcomes.append(post if isinstance(post, str) else (post, text_hints(post.article, search=True)))
        return ParsedChunk(outcomes, records)
    finally:
        logger.propagate = propagate
        logger.removeHandler(handler)


class _Collect(logging.Handler):
    def __init__(self, into: list[logging.LogRecord]) -> None:
        super().__init__(logging.DEBUG)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args = record.getMessage(), None  # picklable whatever the arguments were
        record.exc_info, record.exc_text = None, self.format(record) if record.exc_info else None
        self.into.append(record)


def _read_post(path: Path) -> bytes | str:
    """The file's bytes, or why it is not read: not a regular file, too large, unreadable.

    Opened with O_NONBLOCK (a FIFO does not wait for a writer) and checked with fstat on the open
    descriptor, so what is checked is what is read."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop"
        return f"unreadable: {exc.strerror or exc}"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file (FIFO, device, socket or directory)"
        if info.st_size > MAX_POST_BYTES:
            return f"file too large ({info.st_size} bytes; the limit is {MAX_POST_BYTES})"
        data = _read_all(fd, info.st_size)
        if len(data) > MAX_POST_BYTES:
            return f"file too large (over {MAX_POST_BYTES} bytes)"
        return data
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    finally:
        os.close(fd)


def _read_all(fd: int, size: int) -> bytes:
    """The file's bytes to its end, at most MAX_POST_BYTES + 1 (a file growing past the limit
    while read shows as too large). Sized by fstat: no 5 MB buffer for a 4 KB post."""
    chunks: list[bytes] = []
    total = 0
    while total <= MAX_POST_BYTES:
        chunk = os.read(fd, min(max(size + 1 - total, 65536), MAX_POST_BYTES + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def parse_post_file(path: Path, rel: str, *, now: datetime, clean: Cleaner | None = None) -> ParsedPost | str:
    """A post file as an Article, or the reason it cannot be imported (never raises for a bad file)."""
    if path.name.startswith(".") or path.name.startswith("_"):
        return "hidden or draft file (Hexo ignores it)"
    if path.suffix.lower() not in {".md", ".markdown"}:
        return f"not a Markdown post ({path.suffix or 'no extension'})"
    data = _read_post(path)
    if isinstance(data, str):
        return data
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "not UTF-8 text"
    split = split_front_matter(text)
    if split is None:
        return "no front matter"
    head, body = split
    try:
        meta = frontmatter.load(head)  # the seed format's subset directly, anything else by PyYAML
    except yaml.YAMLError as exc:
        return "front matter is not valid YAML: " + str(exc).splitlines()[0]
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:  # 2022-02-30, hour 25, +99:00
        return f"front matter has an impossible value: {str(exc)[:100] or type(exc).__name__}"
    if not isinstance(meta, dict):
        return "front matter is not a mapping"
    try:
        post = _to_post(meta, body, rel, now, text_later=clean is not None)
        if isinstance(post, str) or clean is None:
            return post
        article = clean(post.article)
        return replace(post, article=replace(article, body_text=html_to_text(article.body_html)))
    except (ValueError, TypeError, OverflowError, RecursionError, AttributeError, KeyError) as exc:
        logger.debug("import %s failed", rel, exc_info=True)
        return f"front matter is not a post ({type(exc).__name__}: {str(exc)[:100]})"


def split_front_matter(text: str) -> tuple[str, str] | None:
    """(YAML text, body) of a Hexo post, or None when there is no front matter."""
    stripped = text.lstrip("\r\n")
    if not stripped.startswith("---"):
        return None
    first = stripped.find("\n")
    if first < 0 or stripped[:first].strip() != "---":
        return None
    end = re.search(r"^---[ \t]*\r?$", stripped[first + 1 :], re.MULTILINE)
    if end is None:
        return None
    head = stripped[first + 1 : first + 1 + end.start()]
    body = stripped[first + 1 + end.end() :]
    return head, body


def _to_post(
    meta: dict[str, Any], body: str, rel: str, now: datetime, *, text_later: bool = False
) -> ParsedPost | str:
    categories = meta.get("categories") or []
    if isinstance(categories, (str, int, float)):
        categories = [categories]
    if not isinstance(categories, list):
        return f"categories is a {type(categories).__name__}, not a list"
    categories = [str(c).strip() for c in categories if isinstance(c, (str, int, float)) and str(c).strip()]
    author = str(meta.get("author") or "").strip()
    if not categories:
        return "no categories in front matter"
    category = categories[0]
    site = author or (categories[1] if len(categories) > 1 else "")
    feed = categories[2] if len(categories) > 2 else (categories[1] if len(categories) > 1 else site)
    if not site or not feed:
        return "categories name no site or feed"
    body_html = unwrap_body(body)
    title = " ".join(str(meta.get("title") or "").split())
    # the text of the body as the file holds it: needed for a blank title, or when nothing cleans
    # the body (cleaning makes the text again from the cleaned body)
    body_text = html_to_text(body_html) if not title or not text_later else ""
    flags = ["imported"]
    if not title and not body_text:
        return "blank title and empty body"
    if not title:
        title = _SENTENCE_END.split(body_text, 1)[0][:60].strip()
        flags.append("title_derived")
    date_value = meta.get("date")
    date_text = str(date_value) if date_value is not None else ""
    published = _parse_date(date_value)
    if published is not None and not _believable(published, now):
        logger.warning("import %s: date %r is outside 1900 … now + 2 days; imported as unknown", rel, date_text)
        published = None
        flags.append("date_invalid")
    if published is None:
        published = now
        flags.append("date_unknown")
    image = str(meta.get("headimg") or meta.get("thumbnail") or "")
    article = Article(
        feed=feed,
        site=site,
        category=category,
        url=str(meta.get("source_url") or ""),
        title=title,
        published=published,
        body_html=body_html,
        body_text=body_text,
        guid=str(meta.get("guid") or f"hexo:{date_text}|{title}"),
        image=image,
        flags=tuple(flags),
        rules="import",
    )
    return ParsedPost(rel, article, date_text)


def _believable(moment: datetime, now: datetime) -> bool:
    try:
        return EARLIEST <= moment <= now + FUTURE_SLACK
    except (OverflowError, ValueError):
        return False


def _parse_date(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)  # YAML: no offset means UTC
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except (ValueError, OverflowError):
            return None
    if parsed.tzinfo is None:
        return None
    return parsed


def unwrap_body(body: str) -> str:
    """The HTML inside the post's ``<div>   `` … ``</div>`` wrapper, outer whitespace trimmed."""
    inner = body.strip()
    if inner.startswith("<div>") and inner.endswith("</div>"):
        inner = inner[len("<div>") : -len("</div>")]
    return inner.strip()
