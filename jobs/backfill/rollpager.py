"""Where to read next in a roll API that grows at the top while we page through it.

Sina's roll API lists items newest first, ``num`` per page. While a backfill pages back, new items
arrive at the top and push every page down: the next page then starts with items we already read
(the *overlap*). :class:`RollPager` is the pure state machine that decides which page to request
next and which items of a fetched page are new to this run, so that no item is missed and none is
handed out twice. It never does I/O; the backfill driver fetches the pages and feeds them in.

How it keeps its place:

* Every item of the run's *chain* (the contiguous history read so far) gets a run index in the
  order it was first met; ``next_pos`` is the position in the *current* list of the first item
  after the chain, as of the last page seen. The next page is ``next_pos // num + 1``.
* A page that repeats chain items measures the drift exactly: if its last known item has run
  index ``r`` and sits at list position ``pos``, then everything after the chain end sits
  ``pos - r`` places lower than when we first read it. A burst larger than a page (a page made
  only of items already read) is jumped over in one step.
* A page that was expected to start with chain items but shows none means items vanished (a gap):
  the pager steps back, searching by publication time for where the chain ended, and reads
  forward from there. The same search (gallop, then bisect) finds the first page of an
  ``--until`` window, and where a resumed run left off when more than a page of items arrived
  meanwhile.
* A search that cannot settle (a source that reorders wildly) falls back to reading from page 1
  again; the archive's dedup keeps that exact, only slower.

Rows withdrawn above us shift pages the other way. When the expected overlap is missing, or the
list's reported ``total`` shrank while a page shows no overlap, the pager steps back as for a
gap. Limitation: without a ``total``, rows withdrawn so that the shift lands exactly on a page
boundary look like an unchanged list; telling them apart would cost a request per page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jobs.backfill.pagination import ItemKey, item_key
from scraper.models import FeedItem

SEARCH_LIMIT = 64  # requests a search may take before the pager starts over from page 1
KEEP_PAGES = 40  # chain entries kept in memory: this many pages' worth (at least KEEP_MIN)
KEEP_MIN = 2000
HANDLED_KEEP = 50_000  # keys remembered as handed out; older ones fall to the archive's dedup
GAP_LIMIT = 32  # gaps in one run before the pager starts over from page 1
STALL_LIMIT = 3  # other page numbers answered with the same items in a row: the end


@dataclass(frozen=True)
class Verdict:
    """What one fetched page means.

    kind: ``continue`` (the page extends the chain), ``above`` (the page lies above where we are:
    newer items, read past), ``below`` (overshot while searching; nothing taken, revisited later),
    ``gap`` (expected overlap missing; stepping back), ``restart`` (search gave up; back to page 1),
    ``end`` (an empty page: nothing older).
    fresh: items first met in this run (archive those inside the window; the archive's
    known-items check drops what an earlier run stored).
    """

    kind: str
    fresh: tuple[FeedItem, ...] = ()


class RollPager:
    """Decides the next page of a top-growing, newest-first list (see the module docstring)."""

    def __init__(self, num: int, *, until: datetime | None = None) -> None:
        if num < 1:
            raise ValueError(f"page size must be at least 1, got {num}")
        self.num = num
        self.next_pos = 0
        self.position = 0  # run indices handed out so far
        self.chain: dict[ItemKey, int] = {}
        # Both bounded, so a backfill of 100k items stays small: overlap only ever involves
        # the last pages read, and whatever is forgotten was committed (known to the archive).
        self.handled: dict[ItemKey, None] = {}
        self.cursor: datetime | None = None  # oldest publication time in the chain
        self.top_keys: list[ItemKey] = []  # page 1 as first seen (where a top-up may stop)
        self.anchored = until is None
        self.boundary = until  # what a search looks for: --until, or the chain's cursor
        self.inclusive = until is not None  # --until is exclusive, so items at it are "above"
        self.lo: int | None = None  # highest page known to lie wholly above the boundary
        self.hi: int | None = None  # lowest page known to lie wholly below it
        self.step = 1
        self.probe = 1
        self.searches = 0
        self.restarts = 0  # times a search gave up (the driver stops after a few)
        self.stalls = 0  # pages in a row that repeated the previous page's items exactly
        self.last_page: int | None = None
        self.last_keys: list[ItemKey] = []
        self.gaps = 0  # expected overlaps found missing
        self.last_total: int | None = None  # the list's length with the last page

    # -- decisions ---------------------------------------------------------------------------
    def next_page(self) -> int:
        """The 1-based page to request next."""
        return self.next_pos // self.num + 1 if self.anchored else self.probe

    def reached(self, total: int | None) -> bool:
        """True when the chain has covered ``total`` items of the list (the API's ``result.total``)."""
        return self.anchored and total is not None and self.next_pos >= total

    def learn_page_size(self, page_items: int, total: int | None, *, asked: bool = True) -> None:
        """Learn ``num`` from the first page, before anything is read.

        When the URL asked for a page size (``asked``), only shrink it: a short first page of a
        longer list means the API capped ``num``. When it did not ask, take the server's size.
        """
        if self.chain or self.position or page_items <= 0:
            return
        if not asked or (page_items < self.num and total is not None and total > page_items):
            self.num = page_items

    def observe(self, page: int, items: Sequence[FeedItem], total: int | None = None) -> Verdict:
        """Take in the items of ``page`` (as just fetched) and say what they mean.

        ``total`` is the list's length the server reported with the page (Sina's ``result.total``),
        if any: a list that shrank since the last page may have lost rows above us.
        """
        if page == 1 and not self.top_keys:
            self.top_keys = [item_key(i) for i in items]
        shrank = total is not None and self.last_total is not None and total < self.last_total
        self.last_total = total if total is not None else self.last_total
        if not self.anchored:
            self.searches += 1
            if self.searches > SEARCH_LIMIT:
                self._restart()
                return Verdict("restart")
            return self._observe_searching(page, items)
        return self._observe_anchored(page, items, shrank)

    # -- anchored: reading forward along the chain --------------------------------------------
    def _observe_anchored(self, page: int, items: Sequence[FeedItem], shrank: bool = False) -> Verdict:
        if not items:
            return Verdict("end")
        keys = [item_key(i) for i in items]
        repeated = page != self.last_page and keys == self.last_keys
        self.last_page, self.last_keys = page, keys
        verdict = self._anchored_verdict(page, items, shrank)
        self.stalls = self.stalls + 1 if repeated and verdict.kind == "continue" else 0
        if self.stalls >= STALL_LIMIT:
            # Some APIs answer any page past the end with the last page again; without a total
            # that would never end. (A drifting list shows other items on each page.)
            return Verdict("end", verdict.fresh)
        return verdict

    def _anchored_verdict(self, page: int, items: Sequence[FeedItem], shrank: bool) -> Verdict:
        start = (page - 1) * self.num
        hits = [(j, self.chain[k]) for j, k in enumerate(map(item_key, items)) if k in self.chain]
        if hits:
            return self._continue_from_hits(page, items, hits)
        if start < self.next_pos or shrank:
            # The top of this page should have repeated chain items but they are gone, or the
            # list got shorter while no overlap shows: rows vanished above us, and some we have
            # not read now sit on an earlier page. (Rows lost below us also shrink the list;
            # then the step back costs a request or two and finds nothing missing.)
            self.gaps += 1
            if self.gaps > GAP_LIMIT:  # a list that keeps losing rows: read it again from the top
                self._restart()
                return Verdict("restart")
            self._search(boundary=self.cursor, hi=page)
            return Verdict("gap")
        if self.cursor is not None and self._all_above(items):
            # More than a whole page arrived since we last looked (a resumed run): find the
            # chain's end by time instead of walking through pages read before.
            self._search(boundary=self.cursor, lo=page)
            return Verdict("above", self.take(items))
        self._extend(items)
        self.next_pos = max(start + len(items), page * self.num)
        return Verdict("continue", self.take(items))

    def _continue_from_hits(self, page: int, items: Sequence[FeedItem], hits: list[tuple[int, int]]) -> Verdict:
        start = (page - 1) * self.num
        j, r = max(hits, key=lambda hit: hit[1])
        chain_end = self.position - 1
        after = [i for i in items[j + 1:] if item_key(i) not in self.chain]
        if after:
            self._extend(after)
            next_pos = start + len(items)
        else:
            # Everything from run index r+1 to the chain's end lies below this page, shifted
            # by the same drift as item r: jump straight past it.
            next_pos = start + j + 1 + (chain_end - r)
        self.next_pos = max(next_pos, page * self.num)
        return Verdict("continue", self.take(items))

    # -- searching: locating a boundary by publication time -----------------------------------
    def _observe_searching(self, page: int, items: Sequence[FeedItem]) -> Verdict:
        if not items:
            if page == 1:
                return Verdict("end")
            self._below(page)
            return Verdict("below")
        hits = [(j, self.chain[k]) for j, k in enumerate(map(item_key, items)) if k in self.chain]
        if hits:
            self.anchored = True
            return self._continue_from_hits(page, items, hits)
        above = [self._is_above(i) for i in items]
        if all(above):
            self._above(page)
            return Verdict("above", self.take(items))
        if any(above) or page == 1 or (self.lo is not None and page - self.lo <= 1):
            # The boundary is inside this page, or between this page and one wholly above it.
            last_above = max((j for j, flag in enumerate(above) if flag), default=-1)
            self.anchored = True
            self._extend(items[last_above + 1:])
            self.next_pos = max((page - 1) * self.num + len(items), page * self.num)
            return Verdict("continue", self.take(items))
        self._below(page)
        return Verdict("below")

    def _search(self, *, boundary: datetime | None, lo: int | None = None, hi: int | None = None) -> None:
        if boundary is None:
            self._restart()
            return
        self.anchored = False
        self.boundary, self.inclusive = boundary, False
        self.lo, self.hi, self.step, self.searches = lo, hi, 1, 0
        self.probe = self._next_probe()

    def _above(self, page: int) -> None:
        self.lo = page
        if self.hi is not None and self.hi <= page:
            self.hi, self.step = None, 1
        self.probe = self._next_probe()

    def _below(self, page: int) -> None:
        self.hi = page
        if self.lo is not None and self.lo >= page:
            self.lo, self.step = None, 1
        self.probe = self._next_probe()

    def _next_probe(self) -> int:
        lo, hi = self.lo, self.hi
        if lo is not None and hi is not None:
            return (lo + hi) // 2 if hi - lo > 1 else hi
        if lo is not None:
            probe = lo + self.step
        elif hi is not None:
            probe = max(1, hi - self.step)
        else:
            return max(1, self.next_pos // self.num + 1)
        self.step *= 2
        return probe

    def _restart(self) -> None:
        # Read linearly from page 1 with a fresh chain; ``handled`` and the archive's dedup keep
        # anything read before from being taken twice.
        self.anchored, self.next_pos, self.position = True, 0, 0
        self.chain, self.cursor = {}, None
        self.boundary, self.inclusive = None, False
        self.lo = self.hi = None
        self.searches, self.step, self.gaps = 0, 1, 0
        self.restarts += 1

    # -- bookkeeping --------------------------------------------------------------------------
    def _is_above(self, item: FeedItem) -> bool:
        if item.published is None or self.boundary is None:
            return False
        return item.published >= self.boundary if self.inclusive else item.published > self.boundary

    def _all_above(self, items: Sequence[FeedItem]) -> bool:
        cursor = self.cursor
        return cursor is not None and all(i.published is not None and i.published > cursor for i in items)

    def _extend(self, items: Sequence[FeedItem]) -> None:
        for item in items:
            key = item_key(item)
            if key in self.chain:
                continue
            self.chain[key] = self.position
            self.position += 1
            if len(self.chain) > max(KEEP_MIN, KEEP_PAGES * self.num):
                del self.chain[next(iter(self.chain))]  # the oldest (insertion order = run order)
            if item.published is not None and (self.cursor is None or item.published < self.cursor):
                self.cursor = item.published

    def take(self, items: Sequence[FeedItem]) -> tuple[FeedItem, ...]:
        """The items not handed out before in this run (and mark them handed out)."""
        fresh = []
        for item in items:
            key = item_key(item)
            if key not in self.handled:
                self.handled[key] = None
                if len(self.handled) > HANDLED_KEEP:
                    del self.handled[next(iter(self.handled))]
                fresh.append(item)
        return tuple(fresh)

    # -- checkpoints --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-able state; keeps the chain's last two pages (enough to measure drift on resume)."""
        keep = 2 * self.num
        tail = sorted(self.chain.items(), key=lambda kv: kv[1])[-keep:]
        return {
            "num": self.num, "next_pos": self.next_pos, "position": self.position,
            "anchored": self.anchored, "inclusive": self.inclusive,
            "boundary": self.boundary.isoformat() if self.boundary else None,
            "cursor": self.cursor.isoformat() if self.cursor else None,
            "lo": self.lo, "hi": self.hi, "step": self.step, "probe": self.probe, "searches": self.searches,
            "restarts": self.restarts,
            "tail": [[k[0], k[1], index] for k, index in tail],
            "top": [[k[0], k[1]] for k in self.top_keys],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RollPager:
        """Rebuild a pager from :meth:`to_dict` output. Raises KeyError/ValueError/TypeError if malformed."""
        pager = cls(int(data["num"]))
        pager.next_pos, pager.position = int(data["next_pos"]), int(data["position"])
        pager.anchored, pager.inclusive = bool(data["anchored"]), bool(data["inclusive"])
        pager.boundary = datetime.fromisoformat(data["boundary"]) if data.get("boundary") else None
        pager.cursor = datetime.fromisoformat(data["cursor"]) if data.get("cursor") else None
        pager.lo, pager.hi = data.get("lo"), data.get("hi")
        pager.step, pager.probe = int(data["step"]), int(data["probe"])
        pager.searches, pager.restarts = int(data.get("searches", 0)), int(data.get("restarts", 0))
        pager.chain = {(guid, str(url)): int(index) for guid, url, index in data["tail"]}
        pager.top_keys = [(guid, str(url)) for guid, url in data.get("top", [])]
        return pager

