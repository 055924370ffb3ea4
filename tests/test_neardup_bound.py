"""The near-duplicate lookup does bounded work per article, whatever the archive holds.

A bucket of 10,000 near-identical texts (templated market closes) must not make storing one more
article cost more than a constant: counted in resemblance computations and in SQLite virtual
machine steps of the candidate lookup (deterministic, unlike wall-clock time).
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from archive import Archive
from archive.identity import sketch
from archive.store import BUCKET_DEPTH, TOP_CANDIDATES, near_candidates
from tests.archive_support import NOW, SEED_PUBLISHED, make_article

CLONES = 10_000


def close_text(n: int) -> str:
    """A templated market close: the same clauses every day, only the index level differs."""
    return (
        "A股三大指数今日集体收涨，市场情绪明显回暖。两市成交额连续多日突破万亿元大关，北向资金全天净买入。"
        "行业板块多数上涨，半导体、光伏设备、券商板块涨幅居前，煤炭、银行板块小幅回调。"
        "分析人士认为，政策面持续释放积极信号，市场风险偏好有望进一步提升。"
        f"截至收盘，深成指与创业板指同步走高，沪指报{3000 + n}点。"
    )


def article(n: int):
    return make_article(
        feed=f"feed-{n % 3}", guid=f"close-{n}", url=f"https://wire.example/{n}", title=f"收评{n}",
        body_text=close_text(n), published=SEED_PUBLISHED + timedelta(minutes=n),
    )


def vm_steps(conn: sqlite3.Connection, sketch_values: tuple[int, ...]) -> tuple[int, int]:
    """(virtual machine steps, candidates) of one near-duplicate candidate lookup."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    conn.set_progress_handler(count, 1)
    try:
        found = near_candidates(conn, sketch_values)
    finally:
        conn.set_progress_handler(None, 1)
    return steps, len(found)


def add_clones(conn: sqlite3.Connection, count: int) -> None:
    """``count`` copies of the stored articles' rows and sketch values (same bucket values, new
    seq/id): 10,000 stores through ``Archive.store`` would take minutes in a test."""
    top = conn.execute("select max(seq) from articles").fetchone()[0]
    with conn:
        conn.execute(
            f"with recursive k(n) as (select 1 union all select n + 1 from k where n < {count}) "
            "insert into articles (seq, id, feed, site, category, title, url, published, sketch, path, revisions) "
            "select ? + k.n, 'clone' || k.n, a.feed, a.site, a.category, a.title || k.n, a.url || '#' || k.n, "
            "a.published, a.sketch, 'clone/' || k.n, 1 from k join (select * from articles order by seq limit 1) a",
            (top,),
        )
        conn.execute(
            "insert into minhash (h, seq) select m.h, c.seq from articles c join minhash m "
            "on m.seq = (select min(seq) from articles) where c.id like 'clone%'"
        )
        conn.execute("delete from fts_pending")  # the clones have no search text to index


def test_a_bucket_of_ten_thousand_near_identical_texts_costs_a_constant(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db", tmp_path / "p", background_index=False) as archive:
        archive.store([article(n) for n in range(20)], now=NOW)
        probe = sketch(close_text(999))
        assert probe, "the templated text must have a sketch"
        steps_small, found_small = vm_steps(archive.db.conn, probe)
        before = archive.resemblance_checks
        [small] = archive.store([article(1000)], now=NOW)
        checks_small = archive.resemblance_checks - before

        add_clones(archive.db.conn, CLONES)
        assert archive.db.execute("select count(*) from articles").fetchone()[0] > CLONES
        biggest_bucket = archive.db.execute("select count(*) from minhash group by h order by 1 desc").fetchone()[0]
        assert biggest_bucket > CLONES

        steps_big, found_big = vm_steps(archive.db.conn, probe)
        before = archive.resemblance_checks
        [big] = archive.store([article(1001)], now=NOW)
        checks_big = archive.resemblance_checks - before

    assert small.status == big.status == "duplicate" and small.rule == big.rule == "minhash"
    assert 0 < checks_small <= TOP_CANDIDATES and 0 < checks_big <= TOP_CANDIDATES
    assert found_small <= TOP_CANDIDATES and found_big == TOP_CANDIDATES
    # at most BUCKET_DEPTH rows per value read either way: the lookup costs the same within a
    # small factor (B-tree depth), not 500 times more for a bucket 500 times larger
    assert steps_big < 3 * steps_small + 12 * BUCKET_DEPTH * 20
