"""Version history of an article: earlier versions in ``revisions``, the newest in ``articles``."""

from __future__ import annotations

import difflib
import sqlite3
from typing import Any


def revision_list(conn: sqlite3.Connection, article_id: str) -> list[dict[str, Any]]:
    """Every version, oldest first, each with ``diff``: a unified diff of title and text vs the previous.

    Keys: ``rev`` (1 = first stored; also as ``revision``), ``title``, ``stored_at`` (when that
    version was archived; also as ``created_at``), ``published``, ``updated``, ``current`` (True for
    the newest), ``diff`` ('' for the first).
    """
    current = conn.execute(
        "select title, body_text, published, updated, last_changed, revisions from articles where id = ?",
        (article_id,),
    ).fetchone()
    if current is None:
        return []
    versions: list[dict[str, Any]] = []
    rows = conn.execute(
        "select rev, title, body_text, published, updated, stored_at from revisions "
        "where article_id = ? order by rev",
        (article_id,),
    ).fetchall()
    for rev, title, body, published, updated, stored_at in rows:
        versions.append(
            {
                "rev": rev,
                "title": title,
                "text": body or "",
                "published": published,
                "updated": updated,
                "stored_at": stored_at,
                "current": False,
            }
        )
    title, body, published, updated, last_changed, count = current
    versions.append(
        {
            "rev": count,
            "title": title,
            "text": body or "",
            "published": published,
            "updated": updated,
            "stored_at": last_changed,
            "current": True,
        }
    )
    previous = None
    for version in versions:
        version["diff"] = _diff(previous, version) if previous else ""
        previous = version
    for version in versions:
        version.pop("text")
        version["revision"] = version["rev"]
        version["created_at"] = version["stored_at"]
    return versions


def _lines(version: dict[str, Any]) -> list[str]:
    text = version["text"].replace("。", "。\n")
    return [f"title: {version['title']}", ""] + [line.strip() for line in text.splitlines() if line.strip()]


def _diff(old: dict[str, Any], new: dict[str, Any]) -> str:
    return "\n".join(
        difflib.unified_diff(
            _lines(old),
            _lines(new),
            fromfile=f"rev {old['rev']} ({old['stored_at']})",
            tofile=f"rev {new['rev']} ({new['stored_at']})",
            lineterm="",
        )
    )
