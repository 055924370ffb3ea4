"""The top-up after a roll backfill's main pass: what arrived at the top while we paged back.

Pure, like :mod:`jobs.backfill.rollpager`, whose pager it continues.
"""

from __future__ import annotations

from collections.abc import Sequence

from jobs.backfill.pagination import ItemKey, item_key
from jobs.backfill.rollpager import RollPager, Verdict
from scraper.models import FeedItem


class TopUp:
    """After the main pass: catch what arrived at the top while we paged back.

    Reads from page 1 down to the first page holding an item the run already had; a pass that
    needed more than one page is repeated from page 1 (more arrived meanwhile) until a pass ends
    on its first page or ``max_passes`` is reached. Uses the pager's ``handled`` set, so nothing
    is handed out twice.
    """

    def __init__(self, pager: RollPager, *, max_passes: int = 20) -> None:
        self.pager = pager
        # Only the chain is contiguous history: items taken from pages a search read past are
        # not a sign that everything below them was read.
        self.known = set(pager.chain) | set(pager.top_keys)
        self.taken_in: dict[ItemKey, int] = {}
        self.page = 1
        self.passes = 1
        self.max_passes = max_passes

    def next_page(self) -> int:
        return self.page

    def observe(self, page: int, items: Sequence[FeedItem]) -> Verdict:
        """``continue`` while there is more to read, ``end`` when the top is covered."""
        keys = [item_key(i) for i in items]
        reached = any(k in self.known or self.taken_in.get(k, self.passes) < self.passes for k in keys)
        fresh = self.pager.take(items)
        for item in fresh:
            self.taken_in[item_key(item)] = self.passes
        if items and not reached:
            self.page = page + 1
            return Verdict("continue", fresh)
        if page == 1 or self.passes >= self.max_passes:
            return Verdict("end", fresh)
        self.passes += 1
        self.page = 1
        return Verdict("continue", fresh)
