"""From an ``articles`` row to its post text (the database is the source of truth for every file)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from archive.models import read_date
from archive.render import Post, render_post, rfc1123


def post_for_row(row: dict[str, Any], feeds: Sequence[str]) -> Post:
    """The Post shown for an article row; ``feeds`` lists every feed carrying it, primary first."""
    extra: list[tuple[str, str | Sequence[str]]] = [("id", row["id"])]
    if row.get("guid"):
        extra.append(("guid", row["guid"]))
    if row.get("canonical_url") and row["canonical_url"] != row.get("url"):
        extra.append(("canonical_url", row["canonical_url"]))
    for key, column in (("source", "source"), ("editor", "editor"), ("byline", "author")):
        if row.get(column):
            extra.append((key, row[column]))
    updated = read_date(row.get("updated"))
    if updated is not None:
        extra.append(("updated", rfc1123(updated)))
    flags = json.loads(row["flags"]) if row.get("flags") else []
    if flags:
        extra.append(("flags", list(flags)))
    if len(feeds) > 1:
        extra.append(("feeds", list(feeds)))
    if row.get("duplicate_of"):
        extra.append(("duplicate_of", row["duplicate_of"]))
    if row.get("tags"):  # only when the archive's post_tags is on (archive.Archive.add_post_tags)
        extra.append(("tags", list(row["tags"])))
    return Post(
        title=row["title"] or "",
        category=row["category"] or "",
        site=row["site"] or "",
        feed=row["feed"],
        image=row["image"] or "",
        published=_published(row),
        source_url=row["url"] or "",
        body_html=row["body_html"] or "",
        extra=tuple(extra),
    )


def post_text_for_row(row: dict[str, Any], feeds: Sequence[str]) -> str:
    """The exact file content for an article row."""
    return render_post(post_for_row(row, feeds))


def _published(row: dict[str, Any]) -> datetime:
    """The row's date; an unreadable one (never written since the fix) falls back to when it was first seen."""
    return (read_date(row.get("published")) or read_date(row.get("first_seen"))
            or datetime(1970, 1, 1, tzinfo=UTC))
