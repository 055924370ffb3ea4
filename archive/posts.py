"""From an ``articles`` row to its post text (the database is the source of truth for every file)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from archive.models import parse_iso
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
    if row.get("updated"):
        extra.append(("updated", rfc1123(parse_iso(row["updated"]))))
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
        published=parse_iso(row["published"]),
        source_url=row["url"] or "",
        body_html=row["body_html"] or "",
        extra=tuple(extra),
    )


def post_text_for_row(row: dict[str, Any], feeds: Sequence[str]) -> str:
    """The exact file content for an article row."""
    return render_post(post_for_row(row, feeds))
