"""Frozen records the archive hands back to its callers (jobs)."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable
from dataclasses import astuple, dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Literal, NamedTuple

Status = Literal["new", "updated", "unchanged", "duplicate", "merged"]


@dataclass(frozen=True)
class StoreResult:
    """Outcome of storing one article.

    ``status``: "new" (a new story), "updated" (a new revision of a known one), "unchanged" (nothing
    written), "merged" (a known story reached through another feed or link: the feed is added to
    it), "duplicate" (stored as its own article but flagged ``duplicate_of`` a near-identical one).
    ``rule``: the dedup rule that decided: "guid", "link_date", "url", "content_hash", "minhash" or
    "new". ``path``: the post file, relative to posts_dir, forward slashes.
    """

    id: str
    status: Status
    path: str | None
    rule: str
    duplicate_of: str | None = None


@dataclass(frozen=True)
class RawPage:
    """A stored page, decompressed, for ``reparse``."""

    id: str  # the article's id
    url: str
    feed: str
    raw: bytes
    charset: str | None


@dataclass(frozen=True)
class StoredArticle:
    """What the archive holds of an article, as a record (``Archive.article``)."""

    id: str
    feed: str
    site: str
    category: str
    url: str
    title: str
    guid: str | None
    published: datetime | None  # None: the stored text is unreadable (reported by verify)
    updated: datetime | None
    author: str | None
    summary: str
    flags: tuple[str, ...]


@dataclass(frozen=True)
class StoreTally:
    """Store results counted one way, everywhere (a poll's report, a backfill page, a reparse).

    ``duplicates`` are stories the archive already had under another feed, link or text: merged
    into the known story, or stored and flagged ``duplicate_of``. ``refused`` articles were not
    stored (invalid values; logged).
    """

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    merged: int = 0
    refused: int = 0

    @classmethod
    def of(cls, results: Iterable[StoreResult], *, refused: int = 0) -> StoreTally:
        counts = {"new": 0, "updated": 0, "unchanged": 0, "duplicate": 0, "merged": 0}
        for result in results:
            counts[result.status] += 1
        return cls(**counts, refused=refused)

    def __add__(self, other: StoreTally) -> StoreTally:
        return StoreTally(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    @property
    def duplicates(self) -> int:
        return self.duplicate + self.merged

    @property
    def stored(self) -> int:
        """Articles that reached the archive (every status)."""
        return self.new + self.updated + self.unchanged + self.duplicate + self.merged


@dataclass(frozen=True)
class FeedState:
    """What the scheduler remembers about one feed between runs (all datetimes aware, UTC)."""

    name: str
    url: str
    original_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    status: int | None = None
    error: str | None = None
    consecutive_failures: int = 0
    disabled: bool = False
    disabled_reason: str | None = None
    moved_from: str | None = None
    backoff_until: datetime | None = None
    next_run: datetime | None = None
    retry_after_until: datetime | None = None
    rules_missed: int = 0
    last_new_at: datetime | None = None
    items_total: int = 0
    last_items: int = 0
    last_new: int = 0
    interval: float | None = None  # current (adaptive) polling interval, seconds
    max_age_until: datetime | None = None  # Cache-Control max-age / feed ttl: don't poll before
    extra: dict[str, Any] = field(default_factory=dict)  # room for the daemon, stored as JSON


FEED_STATE_TYPES: dict[str, type] = {
    f.name: (
        str
        if "datetime" in str(f.type) or "dict" in str(f.type)
        else int
        if str(f.type).startswith(("int", "bool"))
        else float
        if str(f.type).startswith("float")
        else str
    )
    for f in dataclasses.fields(FeedState)
}


def feed_state_to_row(state: FeedState) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for f in dataclasses.fields(state):
        value = getattr(state, f.name)
        if isinstance(value, datetime):
            value = iso(value)
        elif isinstance(value, bool):
            value = int(value)
        elif isinstance(value, dict):
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        row[f.name] = value
    return row


def feed_state_from_row(row: dict[str, Any]) -> FeedState:
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(FeedState):
        if f.name not in row:
            continue
        value = row[f.name]
        kind = str(f.type)
        if value is not None and "datetime" in kind:
            value = parse_iso(value)
        elif kind.startswith("bool"):
            value = bool(value)
        elif f.name == "extra":
            value = json.loads(value) if value else {}
        elif kind.startswith("int") and value is None:
            value = 0
        kwargs[f.name] = value
    return FeedState(**kwargs)


@dataclass(frozen=True)
class VerifyReport:
    """Result of ``Archive.verify``.

    ``ok`` is False when anything is wrong *after* any repair, orphans included (exit 1).
    ``problems``: what is wrong now; ``repaired``: what repair fixed; ``orphans``: files under
    posts_dir (relative paths) that no article owns, reported but never deleted.
    """

    ok: bool
    problems: list[str]
    repaired: list[str]
    orphans: list[str]
    checked: int = 0

    @property
    def repaired_all(self) -> bool:
        """True when every problem left is an orphan (repair fixes everything else)."""
        return len(self.problems) == len(self.orphans)


class ImportSkip(NamedTuple):
    """A file ``import_tree`` did not import, and why (unpacks as ``(file, reason)``)."""

    file: str
    reason: str


@dataclass(frozen=True)
class ImportReport:
    """Result of ``Archive.import_tree``: per-file outcome, skipped files with their reason."""

    imported: list[str]  # article ids, new or merged
    skipped: list[ImportSkip]
    statuses: dict[str, int] = field(default_factory=dict)


def iso(moment: datetime) -> str:
    """``2022-02-08T08:00:05Z`` (UTC, seconds; the year always has four digits: ``0500-…``)."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: the archive needs aware datetimes")
    m = moment.astimezone(UTC)
    # not strftime("%Y"): glibc writes year 500 as "500", which fromisoformat cannot read back
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}Z"


# What older versions stored for years before 1000 ("500-01-01T00:00:00Z"): read it back too.
_LOOSE_ISO = re.compile(r"\s*(\d{1,4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?:\.\d{1,9})?)?"
                        r"\s*(Z|[+-]\d{2}:?\d{2})?\s*")


def parse_iso(text: str) -> datetime:
    """Inverse of :func:`iso` (accepts any ISO 8601 with an offset; no offset means UTC).

    Also reads the unpadded years (``500-01-01T00:00:00Z``) that archives written before the fix
    hold, so such an archive stays readable. Raises ValueError for anything else.
    """
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = _loose(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError(f"date {text!r} is out of range") from exc


def _loose(text: str) -> datetime:
    match = _LOOSE_ISO.fullmatch(text)
    if match is None:
        raise ValueError(f"Invalid isoformat string: {text!r}")
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups()[:6])
    zone = match.group(7) or "Z"
    tz = UTC
    if zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    return datetime(max(year, 1), month, day, hour, minute, second, tzinfo=tz)


def read_date(text: str | None) -> datetime | None:
    """A stored date, or None when the stored text is unreadable (reported, never raised)."""
    if not text:
        return None
    try:
        return parse_iso(text)
    except (ValueError, OverflowError):
        return None
