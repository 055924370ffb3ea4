"""The companies each article is about (``article_stocks``): written on store, read by search,
export, posts and the most-mentioned list.

``article_stocks`` (seq, code, name, how), primary key (seq, code), index (code, seq): ``seq`` is
``articles.seq`` (publication order), so "articles about SH600519, newest first" and "mentions
since a time" are index range scans. ``how`` says how the company was found, most reliable first:
``source``, ``link``, ``code``, ``name`` (scraper.models.StockTag); storing the same company again
keeps the more reliable ``how``. Storing adds tags; re-tagging (``retag=True``, what ``reparse``
does) also drops the article's tags found in its text (``code``, ``name``) that today's tagger no
longer finds there, and keeps the tags from the source's data and its page's links (``source``,
``link``), which no re-reading of the text can confirm or refute.

The table is created when missing (additive, no schema version), with a trigger that drops an
article's tags when its row is deleted.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from scraper.models import Article, StockTag

HOW_RANK = {"source": 0, "link": 1, "code": 2, "name": 3}
_RANK_SQL = "case {col} when 'source' then 0 when 'link' then 1 when 'code' then 2 else 3 end"


def ensure_stock_tables(conn: sqlite3.Connection) -> None:
    """Create ``article_stocks``, its index and trigger when missing (idempotent)."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS [article_stocks] ([seq] INTEGER NOT NULL, [code] TEXT NOT NULL, "
        "[name] TEXT NOT NULL DEFAULT '', [how] TEXT NOT NULL, PRIMARY KEY ([seq], [code])) WITHOUT ROWID"
    )
    conn.execute("CREATE INDEX IF NOT EXISTS [idx_article_stocks_code] ON [article_stocks] ([code], [seq])")
    conn.execute(
        "CREATE TRIGGER IF NOT EXISTS [articles_stocks_ad] AFTER DELETE ON [articles] BEGIN\n"
        "  DELETE FROM [article_stocks] WHERE [seq] = old.seq;\nEND"
    )


def tags_of(article: Article) -> tuple[StockTag, ...]:
    """The article's tags: ``stock_tags``, or its bare ``stocks`` codes as the source's."""
    if article.stock_tags:
        return article.stock_tags
    return tuple(StockTag(code, "", "source") for code in dict.fromkeys(article.stocks))


TEXT_HOWS = ("code", "name")  # found in the text: re-tagging may drop them


def write_tags(conn: sqlite3.Connection, article_id: str, tags: Iterable[StockTag], *, retag: bool = False) -> bool:
    """Add ``tags`` to the article (inside the caller's transaction). With ``retag``, ``tags`` are
    the article's full re-tagging: its text-found tags not among them are dropped first. True when
    something changed."""
    rows = [(t.code, t.name, t.how if t.how in HOW_RANK else "name") for t in tags if t.code]
    if not rows and not retag:
        return False
    found = conn.execute("select seq from articles where id = ?", (article_id,)).fetchone()
    if found is None:
        return False
    before = conn.total_changes
    if retag:
        keep = [code for code, _, _ in rows]
        marks = ",".join("?" * len(keep))
        conn.execute(
            f"delete from article_stocks where seq = ? and how in ({','.join('?' * len(TEXT_HOWS))})"
            + (f" and code not in ({marks})" if keep else ""),
            [found[0], *TEXT_HOWS, *keep],
        )
    better = _RANK_SQL.format(col="excluded.how") + " < " + _RANK_SQL.format(col="article_stocks.how")
    conn.executemany(
        "insert into article_stocks (seq, code, name, how) values (?, ?, ?, ?) "
        "on conflict (seq, code) do update set how = excluded.how, "
        "name = case when excluded.name != '' then excluded.name else article_stocks.name end "
        f"where {better} or (article_stocks.name = '' and excluded.name != '')",
        [(found[0], code, name, how) for code, name, how in rows],
    )
    return conn.total_changes != before


def stocks_of(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    """Article id → its ``(code, name)`` pairs, most reliable first, then by code."""
    out: dict[str, list[tuple[str, str]]] = {}
    rank = _RANK_SQL.format(col="s.how")
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"select a.id, s.code, s.name from article_stocks s join articles a on a.seq = s.seq "
            f"where a.id in ({marks}) order by a.id, {rank}, s.code",
            chunk,
        )
        for article_id, code, name in rows:
            out.setdefault(article_id, []).append((code, name))
    return out


def stock_clause(alias: str = "a") -> str:
    """SQL true for articles tagged with a company given by code or by the name stored with it."""
    return f"exists (select 1 from article_stocks s where s.seq = {alias}.seq and (s.code = ? or s.name = ?))"


def top_stocks(
    conn: sqlite3.Connection, *, since_seq: int | None, limit: int, names: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """The most-mentioned companies: ``code``, ``name``, ``count`` (articles), most first, then by code.

    ``since_seq`` bounds ``articles.seq`` (archive.prepare.seq_base of the time); ``names`` gives
    the current short names (else the name stored with the tags is used).
    """
    where, params = ("where seq >= ?", [since_seq]) if since_seq is not None else ("", [])
    rows = conn.execute(
        f"select code, max(name), count(*) as n from article_stocks {where} group by code "
        "order by n desc, code limit ?",
        [*params, limit],
    ).fetchall()
    return [
        {"code": code, "name": (names or {}).get(code) or name or "", "count": count} for code, name, count in rows
    ]
