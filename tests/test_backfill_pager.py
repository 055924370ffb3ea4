"""RollPager (pure): exact coverage of a newest-first list that grows at the top while we page it."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from jobs.backfill.pagination import Window, archive_links, page_size, page_url
from jobs.backfill.rollpager import SEARCH_LIMIT, STALL_LIMIT, RollPager
from jobs.backfill.rolltopup import TopUp
from scraper.models import FeedItem, Listing

T0 = datetime(2024, 5, 1, tzinfo=UTC)


class RollList:
    """A newest-first list; ``before_request`` may change it before each page is served."""

    def __init__(self, count: int, num: int) -> None:
        self.num = num
        self.serial = 0
        self.items: list[FeedItem] = []
        self.insert(count)
        self.requests: list[int] = []
        self.before_request: Callable[[int], None] = lambda n: None

    def insert(self, count: int) -> None:
        fresh = []
        for _ in range(count):
            self.serial += 1
            fresh.append(FeedItem(url=f"http://x/{self.serial}", title=f"t{self.serial}",
                                  published=T0 + timedelta(minutes=self.serial)))
        self.items[:0] = reversed(fresh)

    def page(self, page: int) -> list[FeedItem]:
        self.before_request(len(self.requests))
        self.requests.append(page)
        start = (page - 1) * self.num
        return self.items[start:start + self.num]


def run(pager: RollPager, roll: RollList, *, limit: int = 10_000) -> tuple[list[FeedItem], list[str]]:
    """Drive the pager like the backfill driver does (main pass, then the top-up)."""
    taken: list[FeedItem] = []
    kinds: list[str] = []
    for _ in range(limit):
        page = pager.next_page()
        verdict = pager.observe(page, roll.page(page), total=len(roll.items))
        kinds.append(verdict.kind)
        taken.extend(verdict.fresh)
        if verdict.kind == "end" or (verdict.kind == "continue" and pager.reached(len(roll.items))):
            break
    else:
        raise AssertionError("pager did not finish")
    top_up = TopUp(pager)
    for _ in range(limit):  # what arrived at the top meanwhile
        page = top_up.next_page()
        verdict = top_up.observe(page, roll.page(page))
        taken.extend(verdict.fresh)
        if verdict.kind == "end":
            break
    return taken, kinds


def assert_exact(taken: list[FeedItem], roll: RollList) -> None:
    urls = [i.url for i in taken]
    assert len(urls) == len(set(urls)), "an item was handed out twice"
    assert set(urls) == {i.url for i in roll.items}, "an item was missed"


def test_static_list_reads_each_page_once() -> None:
    roll = RollList(1000, 50)
    taken, kinds = run(RollPager(50), roll)
    assert_exact(taken, roll)
    assert roll.requests == list(range(1, 21)) + [1]  # 20 pages, then the top-up's look at page 1


@pytest.mark.parametrize("every,count", [(1, 7), (3, 13), (5, 49), (10, 50), (7, 120)])
def test_insertions_at_the_top_miss_nothing_and_repeat_nothing(every: int, count: int) -> None:
    roll = RollList(2000, 50)
    roll.before_request = lambda n: roll.insert(count) if n and n % every == 0 else None
    taken, _ = run(RollPager(50), roll)
    assert_exact(taken, roll)


def test_arrivals_almost_as_fast_as_reading_still_cover_the_history_once() -> None:
    roll = RollList(2000, 50)
    original = {i.url for i in roll.items}
    roll.before_request = lambda n: roll.insert(49) if n % 2 == 0 else None
    taken, _ = run(RollPager(50), roll)
    urls = [i.url for i in taken]
    assert len(urls) == len(set(urls))
    assert original <= set(urls)


def test_a_burst_larger_than_a_page_is_jumped_over_not_walked() -> None:
    roll = RollList(1000, 50)
    roll.before_request = lambda n: roll.insert(120) if n == 3 else None
    taken, _ = run(RollPager(50), roll)
    assert_exact(taken, roll)
    # pages 1-3 read; 120 arrive; page 4 now holds items 30-79 of the run: the pager jumps
    # straight to page 6, where the chain's end (item 149) now sits, instead of walking page 5
    assert roll.requests[:6] == [1, 2, 3, 4, 6, 7]


def test_a_burst_larger_than_everything_read_is_found_by_search() -> None:
    roll = RollList(3000, 50)
    roll.before_request = lambda n: roll.insert(1500) if n == 3 else None
    taken, kinds = run(RollPager(50), roll)
    assert_exact(taken, roll)
    assert "above" in kinds
    # 60 pages of history + a short search + the top-up over the 1500 arrivals (30 pages)
    assert len(roll.requests) < 60 + 12 + 32


def test_random_drift_schedules_are_exact() -> None:
    rng = random.Random(5005)
    for _ in range(30):
        num = rng.choice([10, 20, 50])
        roll = RollList(rng.randint(50, 600), num)
        bursts = [0] * 10 + [1, 3, num - 1, num, 2 * num + 3]  # a quarter page per request on average
        roll.before_request = lambda n, roll=roll, bursts=bursts: roll.insert(rng.choice(bursts))
        taken, _ = run(RollPager(num), roll)
        assert_exact(taken, roll)


def test_resume_after_many_arrivals_searches_instead_of_walking() -> None:
    roll = RollList(3000, 50)
    pager = RollPager(50)
    first: list[FeedItem] = []
    for _ in range(10):
        page = pager.next_page()
        first.extend(pager.observe(page, roll.page(page)).fresh)
    saved = json.loads(json.dumps(pager.to_dict()))
    roll.insert(1234)  # the crash lasted a while
    resumed = RollPager.from_dict(saved)
    before = len(roll.requests)
    taken, kinds = run(resumed, roll)
    stored = {i.url for i in first}
    # What the resumed run takes again is only pages read on the way; the archive drops those.
    assert {i.url for i in taken} | stored == {i.url for i in roll.items}
    main_pass = roll.requests[before:roll.requests.index(1, before)]
    # The chain's end moved ~25 pages down: a gallop and a bisect find it in a handful of
    # requests (walking would read pages 11-34 again); then the ~51 pages of the rest.
    assert kinds[0] == "above" and len(main_pass) <= 51 + 8


def test_resume_without_drift_continues_at_the_recorded_page() -> None:
    roll = RollList(500, 50)
    pager = RollPager(50)
    for _ in range(4):
        page = pager.next_page()
        pager.observe(page, roll.page(page))
    resumed = RollPager.from_dict(json.loads(json.dumps(pager.to_dict())))
    assert resumed.next_page() == 5
    run(resumed, roll)
    assert roll.requests[4:6] == [5, 6]


def test_until_is_found_by_search_not_by_reading_every_page() -> None:
    roll = RollList(5000, 50)
    until = roll.items[3210].published
    assert until is not None
    pager = RollPager(50, until=until)
    taken, kinds = run(pager, roll)
    window = Window(until=until)
    inside = [i for i in taken if window.contains(i)]
    assert {i.url for i in inside} == {i.url for i in roll.items if window.contains(i)}
    assert kinds.count("above") + kinds.count("below") <= 16  # gallop + bisect over 100 pages


def test_until_on_page_one_starts_there() -> None:
    roll = RollList(200, 50)
    until = roll.items[10].published
    pager = RollPager(50, until=until)
    assert pager.next_page() == 1
    verdict = pager.observe(1, roll.page(1))
    assert verdict.kind == "continue" and pager.next_page() == 2


def test_gap_after_a_jump_steps_back_and_recovers_vanished_rows() -> None:
    roll = RollList(1000, 50)

    def drift(n: int) -> None:
        if n == 2:
            roll.insert(75)  # page 3 is all old: the pager jumps to an unaligned position
        if n == 3:
            del roll.items[:30]  # then rows vanish at the top: the expected overlap is gone

    roll.before_request = drift
    taken, kinds = run(RollPager(50), roll)
    assert "gap" in kinds
    urls = [i.url for i in taken]
    assert len(urls) == len(set(urls))
    assert {i.url for i in roll.items} <= set(urls)


def test_search_that_cannot_settle_restarts_from_page_one() -> None:
    pager = RollPager(10, until=T0)
    later = [FeedItem(url=f"http://x/{n}", title="t", published=T0 + timedelta(days=1)) for n in range(10)]
    verdict = None
    for _ in range(SEARCH_LIMIT + 1):
        verdict = pager.observe(pager.next_page(), later)
    assert verdict is not None and verdict.kind == "restart"
    assert pager.next_page() == 1 and pager.restarts == 1


def test_learns_a_capped_page_size_from_page_one() -> None:
    pager = RollPager(100)
    pager.learn_page_size(50, total=3000)
    assert pager.num == 50
    pager.learn_page_size(80, total=3000)  # asked for 100: a longer page does not change it
    assert pager.num == 50
    guessed = RollPager(20)
    guessed.learn_page_size(40, total=None, asked=False)  # the URL had no num: the server's size
    assert guessed.num == 40
    guessed.observe(1, [FeedItem(url=f"http://x/{n}", title="t") for n in range(40)])
    guessed.learn_page_size(10, total=None, asked=False)  # never once something was read
    assert guessed.num == 40


def test_page_url_replaces_or_appends_and_keeps_the_rest() -> None:
    url = "https://feed.mix.sina.com.cn/api/roll/get?pageid=155&lid=1686&num=50&k=&page=1&callback="
    assert page_url(url, 7) == url.replace("page=1&", "page=7&")
    assert page_url("http://h/api?pageid=1&num=20", 3) == "http://h/api?pageid=1&num=20&page=3"
    assert page_url("http://h/api", 2) == "http://h/api?page=2"
    assert page_size(url) == 50 and page_size("http://h/api?pageid=1") is None
    with pytest.raises(ValueError):
        page_url(url, 0)


def test_window_and_archive_links() -> None:
    window = Window(since=T0, until=T0 + timedelta(days=1))
    assert window.contains(FeedItem(url="u", title="", published=T0))
    assert not window.contains(FeedItem(url="u", title="", published=T0 + timedelta(days=1)))
    assert not window.contains(FeedItem(url="u", title="", published=None))
    assert Window().contains(FeedItem(url="u", title="", published=None))
    listing = Listing(items=(), prev_archive="archive/2.xml", next_page=None)
    assert archive_links(listing, "http://h/feeds/current.xml") == ["http://h/feeds/archive/2.xml"]


def test_an_api_that_repeats_its_last_page_past_the_end_still_ends() -> None:
    roll = RollList(120, 50)
    last = roll.items[100:]
    pager = RollPager(50)
    kinds = []
    for _ in range(20):
        page = pager.next_page()
        items = roll.page(page) if page <= 3 else last  # clamps instead of answering an empty page
        kinds.append(pager.observe(page, items).kind)
        if kinds[-1] == "end":
            break
    assert kinds == ["continue"] * (3 + STALL_LIMIT - 1) + ["end"]


def test_lists_that_also_lose_rows_end_without_handing_anything_out_twice() -> None:
    rng = random.Random(7)
    for _ in range(40):
        roll = RollList(rng.randint(100, 500), 20)

        def churn(n: int, roll: RollList = roll) -> None:
            roll.insert(rng.choice([0, 0, 0, 2, 25]))
            if rng.random() < 0.2 and len(roll.items) > 30:
                del roll.items[rng.randrange(0, 30)]

        roll.before_request = churn
        taken, _ = run(RollPager(20), roll, limit=2000)
        urls = [i.url for i in taken]
        assert len(urls) == len(set(urls))


def test_rows_withdrawn_above_are_noticed_by_the_shrinking_total() -> None:
    roll = RollList(1000, 50)
    roll.before_request = lambda n: roll.items.__delitem__(slice(0, 10)) if n == 2 else None
    taken, kinds = run(RollPager(50), roll)
    # page 3 starts exactly where page 2 ended, so no overlap was due; only the total (990 < 1000)
    # shows that 10 rows we had not read moved up onto page 2
    assert kinds[:4] == ["continue", "continue", "gap", "continue"]
    urls = [i.url for i in taken]
    assert len(urls) == len(set(urls))
    assert {i.url for i in roll.items} <= set(urls)  # (the 10 withdrawn ones were read before)


def test_memory_stays_bounded_on_a_long_list() -> None:
    from jobs.backfill import rollpager

    roll = RollList(6000, 50)
    roll.before_request = lambda n: roll.insert(9) if n % 5 == 0 else None
    pager = RollPager(50)
    taken, _ = run(pager, roll)
    assert_exact(taken, roll)
    assert len(pager.chain) <= max(rollpager.KEEP_MIN, rollpager.KEEP_PAGES * 50)
