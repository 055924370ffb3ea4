"""FTS5 bulk-build knobs: the import's search-index phase replayed on an archive's search text.

Run (from the repository root), on an archive made by ``newsroll import`` (e.g. the one
``benchmarks/bench_import.py --cli --workdir DIR`` leaves in ``DIR/cli/archive.db``):

    .venv/bin/python benchmarks/bench_fts_build.py DIR/cli/archive.db --workdir /var/tmp/nrfts

Reads every article's ``search_title``/``search_body`` (the CJK-bigram text the import stores) into
memory, then for each variant builds an empty FTS5 table like ``articles_fts`` (unicode61, external
content) in a fresh database file with the archive's connection settings (WAL, synchronous=NORMAL,
64 MB cache) and inserts the rows, timing it. Variants: transaction size (1,000 rows as the import
did, or all in one), the FTS5 settings ``automerge`` / ``crisismerge`` / ``pgsz`` / ``hashsize``
(set for the build; an ``optimize`` or ``merge`` at the end where named), ``detail=column`` and the
``'rebuild'`` command (which reads the content table). Prints one JSON line per variant: seconds,
rows/s, CPU seconds of this process (steadier than wall time on a shared machine), the index's size, and the seconds of a fixed set of phrase queries on the result (so a
variant that builds fast but leaves a slow index shows).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from pathlib import Path

QUERIES = ('"股市"', '"央行 行降 降息"', '"美联 联储"', '"银行"', '"上涨"')


def load(path: Path, limit: int | None) -> list[tuple[int, str, str]]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    sql = "select seq, search_title, search_body from articles where search_title is not null order by seq"
    rows = conn.execute(sql + (f" limit {int(limit)}" if limit else "")).fetchall()
    conn.close()
    return rows


def connect(path: Path) -> sqlite3.Connection:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("pragma journal_mode=WAL")
    conn.execute("pragma synchronous=NORMAL")
    conn.execute("pragma cache_size=-65536")
    conn.execute("pragma wal_autocheckpoint=10000")
    return conn


def build(path: Path, rows: list[tuple[int, str, str]], variant: dict[str, object]) -> dict[str, object]:
    conn = connect(path)
    for pragma in variant.get("pragmas", ()):  # type: ignore[attr-defined]
        conn.execute(f"pragma {pragma}")
    conn.execute("create table articles (seq integer primary key, search_title text, search_body text)")
    detail = f", detail={variant['detail']}" if "detail" in variant else ""
    conn.execute("create virtual table f using fts5(search_title, search_body, tokenize='unicode61', "
                 f"content='articles', content_rowid='seq'{detail})")
    conn.execute("insert into f(f, rank) values('automerge', 8)")  # the archive's setting
    for key, value in variant.get("settings", {}).items():  # type: ignore[attr-defined]
        conn.execute("insert into f(f, rank) values(?, ?)", (key, value))
    batch = int(variant.get("batch", 1000))  # type: ignore[arg-type]
    start, cpu = time.perf_counter(), time.process_time()
    if variant.get("rebuild"):
        conn.execute("begin")
        conn.executemany("insert into articles values (?, ?, ?)", rows)
        conn.execute("commit")
        start, cpu = time.perf_counter(), time.process_time()  # the content rows are the import's
        conn.execute("begin")
        conn.execute("insert into f(f) values('rebuild')")
        conn.execute("commit")
    else:
        for i in range(0, len(rows), batch):
            conn.execute("begin")
            conn.executemany("insert into f(rowid, search_title, search_body) values (?, ?, ?)", rows[i : i + batch])
            conn.execute("commit")
    built = time.perf_counter() - start
    final = time.perf_counter()
    for command in variant.get("finish", ()):  # type: ignore[attr-defined]
        conn.execute("insert into f(f, rank) values(?, ?)", command)
    for key, value in variant.get("restore", {}).items():  # type: ignore[attr-defined]
        conn.execute("insert into f(f, rank) values(?, ?)", (key, value))
    finish = time.perf_counter() - final
    cpu = time.process_time() - cpu
    conn.execute("pragma wal_checkpoint(TRUNCATE)")
    segments = conn.execute("select count(*) from f_idx").fetchone()[0]
    q0 = time.perf_counter()
    hits = [conn.execute("select count(*) from f where f match ?", (q,)).fetchone()[0] for q in QUERIES]
    queries = time.perf_counter() - q0
    conn.close()
    total = built + finish
    return {
        "variant": variant["name"], "rows": len(rows), "build_s": round(built, 2), "finish_s": round(finish, 2),
        "cpu_s": round(cpu, 2), "rows_per_cpu_s": round(len(rows) / cpu, 1),
        "rows_per_s": round(len(rows) / total, 1), "mb": round(path.stat().st_size / 1e6, 1),
        "idx_rows": segments, "query_ms": round(queries * 1000, 1), "hits": hits,
    }


VARIANTS: list[dict[str, object]] = [
    {"name": "import today (1000/txn, automerge 8)"},
    {"name": "one transaction", "batch": 10**9},
    {"name": "automerge 0, 1000/txn", "settings": {"automerge": 0}, "restore": {"automerge": 8}},
    {"name": "automerge 0, one txn", "batch": 10**9, "settings": {"automerge": 0}, "restore": {"automerge": 8}},
    {"name": "automerge 0 + optimize", "batch": 10**9, "settings": {"automerge": 0},
     "finish": [("optimize", None)], "restore": {"automerge": 8}},
    {"name": "automerge 16, crisismerge 64", "settings": {"automerge": 16, "crisismerge": 64},
     "restore": {"automerge": 8, "crisismerge": 16}},
    {"name": "hashsize 64MB, 1000/txn", "settings": {"hashsize": 64 << 20}},
    {"name": "hashsize 64MB, one txn", "batch": 10**9, "settings": {"hashsize": 64 << 20}},
    {"name": "hashsize 256MB, one txn", "batch": 10**9, "settings": {"hashsize": 256 << 20}},
    {"name": "hashsize 64MB, 5000/txn", "batch": 5000, "settings": {"hashsize": 64 << 20}},
    {"name": "hashsize 64MB, one txn, automerge 0", "batch": 10**9,
     "settings": {"hashsize": 64 << 20, "automerge": 0}, "restore": {"automerge": 8}},
    {"name": "pgsz 16000, one txn", "batch": 10**9, "settings": {"pgsz": 16000}},
    {"name": "hashsize 64MB one txn, sync OFF, temp mem", "batch": 10**9, "settings": {"hashsize": 64 << 20},
     "pragmas": ["synchronous=OFF", "temp_store=memory"]},
    {"name": "rebuild (1 MB hash)", "rebuild": True},
    {"name": "rebuild, hashsize 64MB", "rebuild": True, "settings": {"hashsize": 64 << 20}},
    {"name": "detail=column (1000/txn)", "detail": "column"},
    {"name": "hashsize 64MB, 5000/txn, pgsz 16000", "batch": 5000, "settings": {"hashsize": 64 << 20, "pgsz": 16000}},
    {"name": "hashsize 64MB, 5000/txn, sync OFF, temp mem", "batch": 5000, "settings": {"hashsize": 64 << 20},
     "pragmas": ["synchronous=OFF", "temp_store=memory"]},
    {"name": "hashsize 64MB, 5000/txn, automerge 0 + optimize", "batch": 5000,
     "settings": {"hashsize": 64 << 20, "automerge": 0}, "finish": [("optimize", None)], "restore": {"automerge": 8}},
    {"name": "hashsize 64MB, 5000/txn, cache 256 MB", "batch": 5000, "settings": {"hashsize": 64 << 20},
     "pragmas": ["cache_size=-262144"]},
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("archive", type=Path, help="an archive.db whose articles have search text")
    parser.add_argument("--workdir", type=Path, required=True, help="where the scratch databases go")
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument("--only", default=None, help="comma-separated variant numbers (0-based)")
    parser.add_argument("--rounds", type=int, default=1, help="run the variants this many times, interleaved")
    args = parser.parse_args()
    rows = load(args.archive, args.limit)
    print(f"sqlite {sqlite3.sqlite_version}; {len(rows)} rows", file=sys.stderr)
    args.workdir.mkdir(parents=True, exist_ok=True)
    picked = [VARIANTS[int(i)] for i in args.only.split(",")] if args.only else VARIANTS
    for variant in picked * args.rounds:
        print(json.dumps(build(args.workdir / "fts.db", rows, variant), ensure_ascii=False), flush=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(args.workdir / "fts.db") + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
