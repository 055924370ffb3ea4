"""Import benchmark: ``Archive.import_tree`` (and ``newsroll import``) of N seed-format posts.

Run (from the repository root):

    .venv/bin/python benchmarks/bench_import.py --sizes 2000,20000 --parse --cli
    .venv/bin/python benchmarks/bench_import.py --sizes 200000 --cli --workdir /var/tmp/nri

Each post is written the way the system newsroll replaces wrote them (``---`` YAML front matter
with a quoted title, the ``[category, site, feed]`` list, headimg/thumbnail, author, comments, an
RFC 1123 date; a body of ``<p>　　…</p>`` paragraphs in a ``<div>``), one folder per feed, most of
them in one feed as in the real tree. Texts are synthetic Chinese finance sentences
(bench_archive_synth), distinct per post. Prints posts/s for the in-process import
(``Archive.import_tree`` into an empty archive, with the CLI's cleaning and its parsing worker, then
the search index built) and, with ``--cli``, for ``newsroll import`` run as a subprocess on a fresh
archive. Phases, in seconds: ``parse`` (every file read, parsed and cleaned in one process, alone:
what the parsing worker does, overlapped with storing in the import), ``store`` (the import proper,
posts stored and their files written, search index not built), ``index`` (the search index of what
was stored); the CLI's phases are the ones it prints. ``posts_per_s`` is over the whole (store +
index).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_archive_synth import ArticleFactory, Vocabulary  # noqa: E402

from archive import Archive  # noqa: E402
from archive.importer import parse_post_file  # noqa: E402
from jobs.cli.archive_cmds import INDEX_CHUNK  # noqa: E402
from scraper.normalize import clean_article  # noqa: E402 (the CLI cleans imported posts the same way)

FEEDS = (  # (site, feed, share of the posts)
    ("新浪财经", "新浪财经－国內", 0.6),
    ("新浪财经", "新浪财经－国际", 0.15),
    ("财联社", "深度", 0.1),
    ("证券时报网", "快讯", 0.1),
    ("格隆汇", "格隆汇", 0.05),
)
IMAGE = "https://n.sinaimg.cn/finance/cece9e13/20200514/343233024.png"


def post_text(title: str, published: datetime, site: str, feed: str, paragraphs: list[str]) -> str:
    body = "\n".join(f"<p>　　{p}</p>" for p in paragraphs)
    quoted = title.replace("'", "''")
    return (
        f"\n---\ntitle: '{quoted}'\ncategories: \n - 金融\n - {site}\n - {feed}\n"
        f"headimg: '{IMAGE}'\nauthor: {site}\ncomments: false\n"
        f"date: {format_datetime(published, usegmt=True)}\nthumbnail: '{IMAGE}'\n---\n\n<div>   \n{body}\n</div>\n"
    )


def generate(directory: Path, count: int, seed: int = 5) -> None:
    """``count`` seed-format posts under ``directory`` (deterministic)."""
    rng = random.Random(seed)
    factory = ArticleFactory(Vocabulary(), seed=seed, zh_share=1.0, body_chars=1200)
    start = datetime(2021, 1, 1, tzinfo=UTC)
    cumulative = []
    total = 0.0
    for site, feed, share in FEEDS:
        total += share
        cumulative.append((total, site, feed))
        (directory / "金融" / site / feed).mkdir(parents=True, exist_ok=True)
    for n in range(count):
        pick = rng.random()
        site, feed = next((s, f) for c, s, f in cumulative if pick <= c or c == cumulative[-1][0])
        _html, text = factory.body(True)
        title = f"{factory._zh_sentence()[:30].rstrip('。，；！')}{n}"
        published = start + timedelta(minutes=n * 7, seconds=rng.randint(0, 59))
        name = title.replace("/", "_")[:60] + ".md"
        (directory / "金融" / site / feed / name).write_text(
            post_text(title, published, site, feed, text.split("\n")), encoding="utf-8"
        )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_parse(tree: Path, count: int) -> dict[str, object]:
    """Every file read, parsed and cleaned in this process, nothing stored."""
    now = datetime(2024, 6, 1, tzinfo=UTC)
    start = time.perf_counter()
    parsed = sum(
        1 for path in sorted(tree.rglob("*.md"))
        if not isinstance(parse_post_file(path, path.name, now=now, clean=clean_article), str)
    )
    seconds = time.perf_counter() - start
    return {"posts": parsed, "seconds": round(seconds, 2), "posts_per_s": round(count / seconds, 1)}


def bench_inprocess(tree: Path, work: Path, count: int) -> dict[str, object]:
    db_dir = work / "inproc"
    shutil.rmtree(db_dir, ignore_errors=True)
    start, cpu = time.perf_counter(), time.process_time()
    with Archive(db_dir / "archive.db", db_dir / "posts", background_index=False) as archive:
        report = archive.import_tree(tree, now=datetime(2024, 6, 1, tzinfo=UTC), clean=clean_article, workers=1)
        stored = time.perf_counter()
        indexed = archive.index_pending(chunk=INDEX_CHUNK)  # as `newsroll import` builds it
        index_end = time.perf_counter()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "posts": count,
        "imported": len(report.imported),
        "skipped": len(report.skipped),
        "seconds": round(seconds, 2),
        "posts_per_s": round(count / seconds, 1),
        "store_seconds": round(stored - start, 2),
        "store_posts_per_s": round(count / (stored - start), 1),
        "index_seconds": round(index_end - stored, 2),
        "indexed_per_s": round(indexed / max(index_end - stored, 1e-9), 1),
        # CPU seconds of this process (all threads; not the parsing worker's): steadier than wall time
        "cpu_seconds": round(cpu, 2),
        "posts_per_cpu_s": round(count / cpu, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def bench_cli(tree: Path, work: Path, count: int) -> dict[str, object]:
    db_dir = work / "cli"
    shutil.rmtree(db_dir, ignore_errors=True)
    db_dir.mkdir(parents=True)
    config = db_dir / "config.toml"
    config.write_text('[archive]\ndatabase = "archive.db"\nposts_dir = "posts"\n', encoding="utf-8")
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = subprocess.run(
        [str(Path(sys.executable).parent / "newsroll"), "--config", str(config), "import", str(tree)],
        check=True, cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    row: dict[str, object] = {
        "posts": count, "seconds": round(seconds, 2), "posts_per_s": round(count / seconds, 1),
        # the CLI process and the children it waited for (a forkserver's worker is not one of them)
        "cpu_seconds": round(cpu, 2),
    }
    phases = re.search(r"^stored (\d+) posts in ([\d.]+)s; search index of (\d+) articles built in ([\d.]+)s",
                       run.stdout, re.MULTILINE)
    if phases:
        stored, index = float(phases.group(2)), float(phases.group(4))
        row |= {"store_seconds": stored, "store_posts_per_s": round(count / max(stored, 1e-9), 1),
                "index_seconds": index, "indexed": int(phases.group(3))}
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="2000,20000", help="comma-separated post counts")
    parser.add_argument("--cli", action="store_true", help="also time `newsroll import` in a subprocess")
    parser.add_argument("--no-inprocess", action="store_true", help="only the CLI")
    parser.add_argument("--parse", action="store_true", help="also time parsing alone (the parse phase)")
    parser.add_argument("--workdir", default=None, help="keep generated trees here (reused when present)")
    args = parser.parse_args()
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="nr-import-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for size in (int(s) for s in args.sizes.split(",") if s):
            tree = work / f"tree-{size}"
            if not (tree / ".complete").exists():
                shutil.rmtree(tree, ignore_errors=True)
                t0 = time.perf_counter()
                generate(tree, size)
                (tree / ".complete").write_text("", encoding="utf-8")  # a hidden file: import skips it
                print(f"generated {size} posts in {time.perf_counter() - t0:.0f}s", file=sys.stderr, flush=True)
            row: dict[str, object] = {"size": size}
            if args.parse:
                row["parse"] = bench_parse(tree, size)
            if not args.no_inprocess:
                row["import_tree"] = bench_inprocess(tree, work, size)
            if args.cli:
                row["cli"] = bench_cli(tree, work, size)
            print(json.dumps(row, ensure_ascii=False), flush=True)
            results.append(row)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
