"""Raw pages: bytes per article with zlib (before) and zstd with a dictionary per site (now).

Run (from the repository root):

    .venv/bin/python benchmarks/bench_rawpages.py --n 1000

1. Leave-one-out on the saved real Sina pages (tests/fixtures/pages/gne_tests_sina_*.html and
   sina_seed_era.html; benchmarks/data/pages has no Sina page): each page compressed with zlib
   level 1 (what newsroll stored before), zstd without a dictionary, and zstd with a dictionary
   made of the *other* pages (archive.rawpages), so no page is compressed with itself.
2. Through the archive: ``--n`` articles stored with ``Archive.store`` in batches of 100, each
   page one of the real Sina pages in turn with the article's own synthetic body inserted (as a
   site's pages differ: same template, different story). Bytes per article = the ``raw_pages``
   blobs plus the dictionaries, divided by the articles; against zlib level 1 of the same pages.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path

import zstandard

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_archive_synth import ArticleFactory, Vocabulary  # noqa: E402

from archive import Archive  # noqa: E402
from archive.rawpages import LEVEL  # noqa: E402

PAGES = ROOT / "tests" / "fixtures" / "pages"


def sina_pages() -> list[bytes]:
    files = sorted(PAGES.glob("gne_tests_sina_*.html")) + [PAGES / "sina_seed_era.html"]
    return [f.read_bytes() for f in files]


def leave_one_out(pages: list[bytes]) -> dict[str, float]:
    n = len(pages)
    out = {"pages": n, "html_kb": sum(map(len, pages)) / n / 1024}
    out["zlib1_kb"] = sum(len(zlib.compress(p, 1)) for p in pages) / n / 1024
    out["zstd_nodict_kb"] = sum(len(zstandard.ZstdCompressor(level=LEVEL).compress(p)) for p in pages) / n / 1024
    total = 0
    for i, page in enumerate(pages):
        others = b"".join(pages[:i] + pages[i + 1 :])
        zdict = zstandard.ZstdCompressionDict(others, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
        blob = zstandard.ZstdCompressor(level=LEVEL, dict_data=zdict).compress(page)
        assert zstandard.ZstdDecompressor(dict_data=zdict).decompress(blob) == page
        total += len(blob)
    out["zstd_dict_other_pages_kb"] = total / n / 1024
    return {k: round(v, 1) for k, v in out.items()}


def through_archive(pages: list[bytes], n: int) -> dict[str, float]:
    factory = ArticleFactory(Vocabulary(), seed=3, zh_share=1.0)
    articles = []
    for i, a in enumerate(factory.articles(n)):
        raw = pages[i % len(pages)].replace(b"</body>", a.body_html.encode("utf-8") + b"</body>", 1)
        articles.append(a.__class__(**{**a.__dict__, "url": f"https://finance.sina.com.cn/roll/doc-i{i:09d}.shtml",
                                       "raw_html": raw, "raw_charset": "utf-8"}))
    work = Path(tempfile.mkdtemp(prefix="nr-raw-"))
    try:
        start = time.perf_counter()
        with Archive(work / "a.db", work / "posts") as archive:
            for i in range(0, n, 100):
                archive.store(articles[i : i + 100], now=datetime(2024, 6, 1, tzinfo=UTC))
            seconds = time.perf_counter() - start
            blobs = archive.db.execute("select coalesce(sum(length(raw_zlib)), 0), count(*) from raw_pages").fetchone()
            dicts = archive.db.execute("select coalesce(sum(length(dict)), 0), count(*) from raw_dicts").fetchone()
            t0 = time.perf_counter()
            read = sum(len(p.raw) for p in archive.raw_pages())
            read_s = time.perf_counter() - t0
        zlib_total = sum(len(zlib.compress(a.raw_html or b"", 1)) for a in articles)
        return {
            "articles": n,
            "html_kb_per_article": round(sum(len(a.raw_html or b"") for a in articles) / n / 1024, 1),
            "zlib1_kb_per_article": round(zlib_total / n / 1024, 1),
            "zstd_dict_kb_per_article": round((blobs[0] + dicts[0]) / n / 1024, 2),
            "of_which_dictionaries_kb_per_article": round(dicts[0] / n / 1024, 2),
            "dictionaries": dicts[1],
            "store_articles_per_s": round(n / seconds, 1),
            "read_pages_per_s": round(n / read_s, 1),
            "read_mb": round(read / 1e6, 1),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="articles stored through the archive")
    args = parser.parse_args()
    pages = sina_pages()
    print(json.dumps({"leave_one_out": leave_one_out(pages)}))
    print(json.dumps({"through_archive": through_archive(pages, args.n)}))


if __name__ == "__main__":
    main()
