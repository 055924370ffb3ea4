"""Backfill of wires that page by cursor (``Source.can_page``): newest page, then older ones.

Each page is asked for with ``Source.request_url(url, cursor)`` (the wire adds its paging and
signing parameters); the parsed ``Listing.next_cursor`` says where the next-older page starts.
The cursor is checkpointed after each committed page, so an interrupted run resumes there.
Stops at the end of the history (no cursor, an empty page, a cursor that repeats), at the first
page holding an item older than ``--since``, or when the page budget is spent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jobs.backfill.pagination import item_key
from jobs.wires import listing_url

if TYPE_CHECKING:
    from jobs.backfill.run import BackfillReport, Run


async def backfill_cursor(run: Run, state: dict[str, Any] | None) -> BackfillReport:
    feed, window = run.feed, run.options.window
    cursor: str | None = None
    seen: list[str] = []
    resumed = None
    if state and isinstance(state.get("cursor"), str):
        cursor, seen = state["cursor"], [c for c in state.get("seen", []) if isinstance(c, str)]
        resumed = f"cursor {cursor}"
        run.progress.note(f"{feed.name}: resuming an unfinished backfill at {resumed}")
    while True:
        if not run.budget_left():
            return await run.finish("stopped", resumed=resumed)
        listing = await run.listing(listing_url(feed, feed.url, cursor))
        fresh = list({item_key(i): i for i in listing.items}.values())
        await run.take("newest page" if cursor is None else f"page before {cursor}", len(listing.items), fresh)
        following = listing.next_cursor
        ended = (following is None or following == cursor or following in seen
                 or any(window.older_than_since(i) for i in listing.items))
        if ended:
            return await run.finish("complete", resumed=resumed)
        if cursor is not None:
            seen = [*seen[-49:], cursor]
        cursor = following
        await run.checkpoint({"cursor": cursor, "seen": seen})
