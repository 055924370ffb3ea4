"""Archive benchmark: ingest rate vs plain sqlite3 + files, search latency, size, memory.

Run (from the repository root):

    .venv/bin/python benchmarks/bench_archive.py --n 3000 --search-sizes "" --rounds 7
    .venv/bin/python benchmarks/bench_archive.py --n 3000 --search-sizes 100000,1000000 --workdir /var/tmp/nrb

What it measures, all in one run:

1. Ingest (``--n`` synthetic articles, 70 % Chinese, in batches of ``--batch``): ``Archive.store``
   (dedup lookups, revisions check, audit, post rendering, atomic durable post files; the search
   index queued) against (a) *plain*: sqlite3 ``executemany`` of the same rows in one transaction
   per batch plus an atomic fsynced file per row, and (b) *plain+FTS*: the same with an FTS5 index
   over the same search text. ``ours`` stops the clock when every row and post is durable;
   ``ours_indexed`` when the index stage (archive.indexer) has also indexed every article, which
   is the figure to compare with *plain+FTS*. Run twice: normalized articles only, and with the
   fetched page (``raw_html``, a real 130 KB Sina page) kept, which we zlib-compress and the plain
   baselines store as is. Each of ``--rounds`` rounds times all three on fresh directories, in a
   rotating order; a ratio (our rate / baseline rate) is taken within each round, and the median
   is reported with every round's value (the machines are shared: fsync times swing widely).
2. Search latency (``Archive.search``, limit 20, snippets and feeds included) at each of
   ``--search-sizes``: Chinese 2-character words (common, mid, rare), 4-character phrases, longer
   terms, English words, phrases and boolean queries, and filtered queries; p50/p95 per language on
   the first run of each query, p50 per class, and p50 of a second run (warm OS cache).
   The search databases are generated DB-only, to make 1M articles feasible on 2 cores: rows
   inserted with one SQL statement each and indexed as the archive's index stage does, but
   no dedup lookups and no post files; a worker process generates the rows and their search text
   while the main process inserts. A database already in ``--workdir`` with the right size is
   reused (building 1M takes about an hour and ~28 GB here).
3. Database size per article (ingest and search databases) and peak memory (max RSS).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_archive_synth import ArticleFactory, Vocabulary, page_template  # noqa: E402

from archive import Archive  # noqa: E402
from archive.files import write_atomic  # noqa: E402
from archive.prepare import seq_base  # noqa: E402
from archive.textindex import index_text, translate_query  # noqa: E402
from scraper.models import Article  # noqa: E402

NOW = datetime(2024, 6, 1, tzinfo=UTC)
PLAIN_COLUMNS = (
    "id",
    "feed",
    "site",
    "category",
    "title",
    "url",
    "guid",
    "published",
    "image",
    "summary",
    "body_html",
    "body_text",
    "raw_html",
)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- ingest ----------------------------------------------------------------------------------


def ingest_ours(articles: list[Article], workdir: Path, batch: int) -> tuple[float, float]:
    """Seconds until every row and post is committed, and until the search index has them all."""
    with Archive(workdir / "ours.db", workdir / "ours-posts") as archive:
        start = time.perf_counter()
        for i in range(0, len(articles), batch):
            archive.store(articles[i : i + batch], now=NOW)
        stored = time.perf_counter() - start
        archive.index_pending()
        indexed = time.perf_counter() - start
        assert archive.pending_index() == 0
        return stored, indexed


def ingest_plain(articles: list[Article], workdir: Path, batch: int, fts: bool) -> float:
    name = "plain-fts" if fts else "plain"
    conn = sqlite3.connect(workdir / f"{name}.db")
    conn.execute("pragma journal_mode=wal")
    conn.execute("pragma synchronous=normal")
    conn.execute(f"create table articles ({', '.join(PLAIN_COLUMNS)}{', st, sb' if fts else ''})")
    if fts:
        conn.execute(
            "create virtual table articles_fts using fts5(st, sb, content=articles, tokenize='unicode61')"
        )
        conn.execute(
            "create trigger ai after insert on articles begin "
            "insert into articles_fts(rowid, st, sb) values (new.rowid, new.st, new.sb); end"
        )
    posts = workdir / f"{name}-posts"
    marks = ",".join("?" * (len(PLAIN_COLUMNS) + (2 if fts else 0)))
    start = time.perf_counter()
    for i in range(0, len(articles), batch):
        rows = []
        for n, a in enumerate(articles[i : i + batch], start=i):
            row = [
                f"{n:016x}",
                a.feed,
                a.site,
                a.category,
                a.title,
                a.url,
                a.guid,
                a.published.isoformat(),
                a.image,
                a.summary,
                a.body_html,
                a.body_text,
                a.raw_html,
            ]
            if fts:
                row += [index_text(a.title), index_text(a.body_text)]
            rows.append(row)
        with conn:
            conn.executemany(f"insert into articles values ({marks})", rows)
        for row in rows:
            write_atomic(posts / f"{row[0]}.md", f"title: {row[4]}\n\n{row[10]}\n")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def bench_ingest(n: int, batch: int, with_raw: bool, rounds: int) -> dict[str, object]:
    """``rounds`` rounds, each timing ours, plain and plain+FTS on fresh directories (the order
    rotates); ratios are per round (the machine is shared: only same-round ratios mean much),
    reported as their median with every round's value."""
    factory = ArticleFactory(Vocabulary(), template=page_template(ROOT) if with_raw else None)
    articles = list(factory.articles(n))
    results: dict[str, object] = {
        "articles": n,
        "raw_html": with_raw,
        "avg_body_chars": round(sum(len(a.body_text) for a in articles) / n),
    }
    per_round: list[dict[str, float]] = []
    for r in range(rounds):
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
            work = Path(tmp)
            timings: dict[str, float] = {}
            steps = ["ours", "plain", "plain+fts"]
            for step in steps[r % 3 :] + steps[: r % 3]:
                if step == "ours":
                    timings["ours"], timings["ours_indexed"] = ingest_ours(articles, work, batch)
                else:
                    timings[step] = ingest_plain(articles, work, batch, fts=step == "plain+fts")
            wal = work / "ours.db-wal"
            results["db_bytes_per_article"] = round(
                ((work / "ours.db").stat().st_size + (wal.stat().st_size if wal.exists() else 0)) / n
            )
        per_round.append(timings)
    for key in per_round[0]:
        results[f"{key}_per_s"] = round(statistics.median(n / t[key] for t in per_round), 1)
    for name, ours, base in (
        ("ratio_vs_plain", "ours", "plain"),
        ("ratio_indexed_vs_plain", "ours_indexed", "plain"),
        ("ratio_indexed_vs_plain_fts", "ours_indexed", "plain+fts"),
    ):
        ratios = [t[base] / t[ours] for t in per_round]
        results[name] = round(statistics.median(ratios), 3)
        results[f"{name}_rounds"] = [round(x, 3) for x in ratios]
    return results


# --- search ----------------------------------------------------------------------------------


def _rows_worker(start: int, count: int, queue: object) -> None:
    factory = ArticleFactory(Vocabulary(), seed=start + 1)
    chunk = []
    for n in range(start, start + count):
        a = factory.article(n)
        chunk.append(
            (
                seq_base(a.published),
                f"{n:016x}",
                a.feed,
                a.site,
                a.category,
                a.title,
                a.url,
                a.url,
                a.guid,
                a.published.strftime("%Y-%m-%dT%H:%M:%SZ"),
                a.image or "",
                a.summary,
                a.body_html,
                a.body_text,
                "",
                f"{a.published:%Y/%m/%d}/{n:016x}.md",
                1,
                "2024-06-01T00:00:00Z",
                "2024-06-01T00:00:00Z",
                index_text(a.title),
                index_text(a.body_text),
            )
        )
        if len(chunk) == 2000:
            queue.put(chunk)  # type: ignore[attr-defined]
            chunk = []
    queue.put(chunk)  # type: ignore[attr-defined]
    queue.put(None)  # type: ignore[attr-defined]


def build_search_db(path: Path, size: int) -> float:
    """DB-only archive of ``size`` synthetic articles (see module docstring); returns seconds."""
    import multiprocessing as mp

    if path.exists():
        with sqlite3.connect(path) as conn:
            if conn.execute("select count(*) from articles").fetchone()[0] == size:
                return 0.0
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    Archive(path, path.parent / "unused-posts").close()
    conn = sqlite3.connect(path)
    conn.execute("pragma journal_mode=wal")
    conn.execute("pragma synchronous=off")
    cols = (
        "seq, id, feed, site, category, title, url, canonical_url, guid, published, image, summary, body_html, "
        "body_text, flags, path, revisions, first_seen, last_changed, search_title, search_body"
    )
    queue: mp.Queue = mp.Queue(maxsize=8)
    worker = mp.Process(target=_rows_worker, args=(0, size, queue))
    worker.start()
    start = time.perf_counter()
    done = 0
    while (chunk := queue.get()) is not None:
        with conn:
            conn.executemany(f"insert into articles ({cols}) values ({','.join('?' * 21)})", chunk)
            conn.executemany(
                "insert into article_feeds (article_id, feed, first_seen) values (?, ?, ?)",
                [(r[1], r[2], r[17]) for r in chunk],
            )
            # the index stage (archive.indexer) with the search text the worker already made
            conn.execute(
                "insert into articles_fts (rowid, search_title, search_body) "
                "select a.seq, a.search_title, a.search_body from fts_pending q join articles a on a.seq = q.seq"
            )
            conn.execute("delete from fts_pending")
        done += len(chunk)
        if done % 100_000 == 0:
            print(f"  built {done} rows in {time.perf_counter() - start:.0f}s", file=sys.stderr, flush=True)
    worker.join()
    conn.close()  # no FTS 'optimize': measure the index as automerge leaves it in a live archive
    return time.perf_counter() - start


def query_set(rng: random.Random, per_class: int) -> dict[str, dict[str, list[str]]]:
    """Queries per language and class (word ranks: common 0–20, mid 20–300, rare 300+)."""
    vocab = Vocabulary()
    zh_words = [w for w in vocab.zh if len(w) == 2]
    en = vocab.en

    def pick(words: list[str], lo: int, hi: int, k: int) -> list[str]:
        return [words[rng.randrange(lo, min(hi, len(words)))] for _ in range(k)]

    zh_4 = [
        a + b
        for a, b in zip(pick(zh_words, 0, 300, per_class), pick(zh_words, 0, 2000, per_class), strict=True)
    ]
    zh_long = [w for w in vocab.zh if len(w) >= 3]
    zh_named = [rng.choice(zh_long) for _ in range(per_class)]
    en_phrases = [
        f'"{a} {b}"' for a, b in zip(pick(en, 0, 100, per_class), pick(en, 0, 100, per_class), strict=True)
    ]
    en_bool = [
        f"{a} AND {b}" for a, b in zip(pick(en, 0, 200, per_class), pick(en, 0, 2000, per_class), strict=True)
    ]
    en_bool += [
        f"{a} OR {b} NOT {c}"
        for a, b, c in zip(
            pick(en, 0, 500, per_class), pick(en, 0, 500, per_class), pick(en, 0, 50, per_class), strict=True
        )
    ]
    return {
        "zh": {
            "2-char common": pick(zh_words, 0, 20, per_class),
            "2-char mid": pick(zh_words, 20, 300, per_class),
            "2-char rare": pick(zh_words, 300, 20000, per_class),
            "4-char (two words)": zh_4,
            "3+-char terms": zh_named,
        },
        "en": {
            "word common": pick(en, 0, 20, per_class),
            "word mid": pick(en, 20, 300, per_class),
            "word rare": pick(en, 300, 20000, per_class),
            "phrase": en_phrases,
            "boolean": en_bool,
        },
    }


def bench_search(path: Path, per_class: int) -> dict[str, object]:
    rng = random.Random(5)
    queries = query_set(rng, per_class)
    out: dict[str, object] = {}
    with Archive(path, path.parent / "unused-posts") as archive:
        size = archive.count()
        for lang, classes in queries.items():
            for q in next(iter(classes.values()))[:5]:  # warm the page cache
                archive.search(q, limit=20)
            times: list[float] = []
            hits = 0
            per_class_p50 = {}
            for name, qs in classes.items():
                class_times = []
                for q in qs:
                    start = time.perf_counter()
                    hits += bool(archive.search(q, limit=20))
                    class_times.append((time.perf_counter() - start) * 1000)
                per_class_p50[name] = round(statistics.median(class_times), 2)
                times += class_times
            warm = []  # the same queries again: pages now in the OS cache, as in a long-running daemon
            for qs in classes.values():
                for q in qs:
                    start = time.perf_counter()
                    archive.search(q, limit=20)
                    warm.append((time.perf_counter() - start) * 1000)
            out[lang] = _latency(times) | {
                "queries": len(times),
                "with_hits": hits,
                "p50_by_class": per_class_p50,
                "repeat_p50_ms": round(statistics.median(warm), 2),
            }
        # the synthetic articles are 3 minutes apart from 2020-01-01: filter on the newer half, one feed
        # in twenty, one site in seven
        middle = ArticleFactory(Vocabulary()).start + timedelta(minutes=3 * size // 2)
        filters = {"feed": {"feed": "feed-03"}, "site+since": {"site": "site-2", "since": middle.isoformat()}}
        for name, kwargs in filters.items():
            filtered, hits = [], 0
            for q in queries["zh"]["2-char mid"] + queries["en"]["word mid"]:
                start = time.perf_counter()
                hits += bool(archive.search(q, limit=20, **kwargs))
                filtered.append((time.perf_counter() - start) * 1000)
            out[f"filtered {name}"] = _latency(filtered) | {"with_hits": hits}
        start = time.perf_counter()
        archive.search("", limit=20)
        out["empty_query_ms"] = round((time.perf_counter() - start) * 1000, 2)
    db_bytes = path.stat().st_size + (
        Path(f"{path}-wal").stat().st_size if Path(f"{path}-wal").exists() else 0
    )
    out["articles"] = size
    out["db_bytes_per_article"] = round(db_bytes / size)
    return out


# --- choosing the Chinese index: bigram shadow text vs trigram (+ LIKE) vs jieba ------------------


def compare_tokenizers(n: int, queries: int) -> dict[str, object]:
    """Build the same ``n`` articles three ways; report build cost, size, recall/precision, latency.

    Ground truth for a query is "the text contains it as a substring" (title + body).
    """
    import re

    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    factory = ArticleFactory(Vocabulary(), seed=3)
    docs = [(a.title, a.body_text) for a in factory.articles(n)]
    rng = random.Random(9)
    runs = [r for _, body in docs[:200] for r in re.findall("[\u4e00-\u9fff]{4,}", body)]
    samples = {
        size: [
            (run := rng.choice(runs))[(i := rng.randrange(len(run) - size + 1)) : i + size]
            for _ in range(queries)
        ]
        for size in (2, 3, 4)
    }
    approaches = {
        "bigram shadow + unicode61 (chosen)": (
            lambda t: index_text(t),
            "unicode61",
            lambda q: (translate_query(q), None),
        ),
        "trigram (+ LIKE under 3 chars)": (
            lambda t: t,
            "trigram",
            lambda q: (f'"{q}"', None) if len(q) >= 3 else (None, q),
        ),
        "jieba cut_for_search + unicode61": (
            lambda t: " ".join(jieba.cut_for_search(t)),
            "unicode61",
            lambda q: (" AND ".join(f'"{w}"' for w in jieba.cut(q) if w.strip()), None),
        ),
    }
    truth = {
        q: {i for i, (title, body) in enumerate(docs, start=1) if q in title or q in body}
        for qs in samples.values()
        for q in qs
    }
    report: dict[str, object] = {"articles": n, "queries_per_length": queries}
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        for name, (encode, tokenizer, translate) in approaches.items():
            path = Path(tmp) / f"{tokenizer}-{len(report)}.db"
            conn = sqlite3.connect(path)
            conn.execute("create table docs (title, body)")
            conn.execute(f"create virtual table idx using fts5(t, b, tokenize='{tokenizer}')")
            start = time.perf_counter()
            for i in range(0, n, 100):
                chunk = docs[i : i + 100]
                with conn:
                    conn.executemany("insert into docs values (?, ?)", chunk)
                    conn.executemany(
                        "insert into idx (t, b) values (?, ?)", [(encode(t), encode(b)) for t, b in chunk]
                    )
            build = time.perf_counter() - start
            result: dict[str, object] = {
                "build_ms_per_article": round(build / n * 1000, 3),
                "db_bytes_per_article": round(path.stat().st_size / n),
            }
            for size, qs in samples.items():
                found = wanted = right = 0
                times = []
                for q in qs:
                    match, like = translate(q)
                    start = time.perf_counter()
                    if like is not None:  # trigram cannot MATCH it: scan the documents
                        rows = conn.execute(
                            "select rowid from docs where title like ? or body like ?",
                            (f"%{like}%", f"%{like}%"),
                        ).fetchall()
                    else:
                        rows = conn.execute("select rowid from idx where idx match ?", (match,)).fetchall()
                    times.append((time.perf_counter() - start) * 1000)
                    got = {r[0] for r in rows}
                    found += len(got)
                    right += len(got & truth[q])
                    wanted += len(truth[q])
                result[f"{size}-char"] = {
                    "recall": round(right / max(wanted, 1), 3),
                    "precision": round(right / max(found, 1), 3),
                    "p50_ms": round(statistics.median(times), 2),
                }
            report[name] = result
            conn.close()
    return report


def _latency(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 2),
        "max_ms": round(ordered[-1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="articles for the ingest comparison")
    parser.add_argument("--batch", type=int, default=100, help="articles per store() call")
    parser.add_argument("--rounds", type=int, default=3, help="ingest rounds (ratios are per round)")
    parser.add_argument("--search-sizes", default="100000", help="comma-separated archive sizes for search")
    parser.add_argument("--queries", type=int, default=40, help="queries per query class")
    parser.add_argument("--workdir", default=None, help="keep search databases here (reused when present)")
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument(
        "--compare-tokenizers",
        type=int,
        default=0,
        metavar="N",
        help="also build N articles with bigram / trigram / jieba indexes and compare them",
    )
    args = parser.parse_args()
    report: dict[str, object] = {}
    if not args.skip_ingest:
        report["ingest"] = [
            bench_ingest(args.n, args.batch, with_raw=False, rounds=args.rounds),
            bench_ingest(args.n, args.batch, with_raw=True, rounds=args.rounds),
        ]
        print(json.dumps(report["ingest"], indent=1), flush=True)
    if args.compare_tokenizers:
        report["tokenizers"] = compare_tokenizers(args.compare_tokenizers, args.queries)
        print(json.dumps(report["tokenizers"], ensure_ascii=False, indent=1), flush=True)
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="bench-archive-"))
    workdir.mkdir(parents=True, exist_ok=True)
    searches = {}
    for size in [int(s) for s in args.search_sizes.split(",") if s.strip()]:
        path = workdir / f"search-{size}.db"
        build_seconds = build_search_db(path, size)
        result = bench_search(path, args.queries)
        if build_seconds:
            result["build_rows_per_s"] = round(size / build_seconds)
        searches[str(size)] = result
        print(json.dumps({size: result}, indent=1), flush=True)
    report["search"] = searches
    report["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
