"""robots.txt: parsing (unit) and the fetcher obeying it against a real server."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import pytest

from scraper.errors import RobotsDisallowedError
from scraper.fetch import Fetcher
from scraper.models import FetchResult, HttpSettings
from scraper.robots import UNREACHABLE_TTL, agent_token, parse_robots
from tests.httpserver import Reply, serve
from tests.test_fetch import FAST, run

ROBOTS = """\
User-agent: *
Disallow: /private/
Allow: /private/open-
Disallow: /*.pdf$
Crawl-delay: 0.2

User-agent: otherbot
Disallow: /
"""


def test_parse_robots_longest_match_and_wildcards() -> None:
    rules = parse_robots("http://h", 200, ROBOTS.encode(), fetched_at=0.0, ttl=60.0)
    agent = agent_token(FAST.user_agent)
    assert agent == "newsroll-test"
    assert rules.allows("http://h/news/1.html", agent)
    assert not rules.allows("http://h/private/x.html", agent)
    assert rules.allows("http://h/private/open-letter.html", agent)  # longer Allow wins
    assert not rules.allows("http://h/report.pdf", agent)
    assert rules.allows("http://h/report.pdf?download=1", agent)
    assert not rules.allows("http://h/news/1.html", "otherbot")
    assert rules.crawl_delay(agent) == 0.2


def test_parse_robots_status_policy() -> None:
    missing = parse_robots("http://h", 404, b"", fetched_at=0.0, ttl=3600.0)
    assert missing.allows("http://h/anything", "bot") and missing.ttl == 3600.0
    failing = parse_robots("http://h", 503, b"", fetched_at=0.0, ttl=3600.0)
    assert failing.allows("http://h/anything", "bot") and failing.ttl == UNREACHABLE_TTL
    throttled = parse_robots("http://h", 429, b"", fetched_at=0.0, ttl=3600.0)
    assert throttled.allows("http://h/anything", "bot") and throttled.ttl == UNREACHABLE_TTL
    bom = parse_robots("http://h", 200, b"\xef\xbb\xbfUser-agent: *\nDisallow: /x\n", fetched_at=0.0, ttl=1.0)
    assert not bom.allows("http://h/x", "bot")


def test_agent_token() -> None:
    assert agent_token("newsroll/0.1 (+https://github.com/newsroll/newsroll)") == "newsroll"
    assert agent_token("Mozilla/5.0 compatible") == "Mozilla"
    assert agent_token("   ") == "*"


def robots_routes(robots: str | Reply = ROBOTS) -> dict[str, object]:
    return {
        "/robots.txt": robots,
        "/news/1.html": b"one",
        "/news/2.html": b"two",
        "/private/secret.html": b"secret",
        "/go-private": Reply(status=302, headers={"Location": "/private/secret.html"}),
    }


def test_disallowed_page_is_not_fetched_and_robots_is_read_once() -> None:
    settings = dataclasses.replace(FAST, per_host_interval=0.0)
    with serve(robots_routes()) as server:

        async def go() -> tuple[list[bytes], RobotsDisallowedError, int]:
            async with Fetcher(settings) as fetcher:
                pages = await asyncio.gather(
                    fetcher.fetch(server.url("/news/1.html"), obey_robots=True),
                    fetcher.fetch(server.url("/news/2.html"), obey_robots=True),
                )
                with pytest.raises(RobotsDisallowedError) as caught:
                    await fetcher.fetch(server.url("/private/secret.html"), obey_robots=True)
                return [p.content for p in pages], caught.value, fetcher.stats.robots_disallowed

        contents, error, disallowed = run(go())
        paths = [r.path for r in server.requests]
    assert contents == [b"one", b"two"]
    assert paths.count("/robots.txt") == 1 and paths[0] == "/robots.txt"
    assert "/private/secret.html" not in paths
    assert error.url == server.url("/private/secret.html") and disallowed == 1


def test_redirect_into_a_disallowed_path_is_not_followed() -> None:
    with serve(robots_routes()) as server:
        with pytest.raises(RobotsDisallowedError):
            run(_fetch(server.url("/go-private"), obey_robots=True))
        paths = [r.path for r in server.requests]
    assert paths == ["/robots.txt", "/go-private"]


def test_robots_ignored_when_not_asked_to_obey() -> None:
    with serve(robots_routes()) as server:
        result = run(_fetch(server.url("/private/secret.html")))
        paths = [r.path for r in server.requests]
    assert result.content == b"secret" and paths == ["/private/secret.html"]


@pytest.mark.parametrize(
    "robots",
    [Reply(status=404), Reply(status=403), Reply(status=500), Reply(delay=30), Reply(body=b"x" * 600_000)],
    ids=["404", "403", "500", "hang", "huge"],
)
def test_missing_or_broken_robots_allows_everything(robots: Reply) -> None:
    settings = dataclasses.replace(FAST, timeout=3.0)
    with serve(robots_routes(robots)) as server:
        started = time.monotonic()
        result = run(_fetch(server.url("/private/secret.html"), settings, obey_robots=True))
        elapsed = time.monotonic() - started
        paths = [r.path for r in server.requests]
    assert result.content == b"secret"
    assert paths == ["/robots.txt", "/private/secret.html"]  # one try at robots.txt, no retries
    assert elapsed < 2 * settings.timeout  # one try at robots.txt at most, then the page


def test_robots_cache_expires_after_its_lifetime() -> None:
    settings = dataclasses.replace(FAST, robots_ttl=0.3)
    with serve(robots_routes()) as server:

        async def go() -> None:
            async with Fetcher(settings) as fetcher:
                await fetcher.fetch(server.url("/news/1.html"), obey_robots=True)
                await fetcher.fetch(server.url("/news/2.html"), obey_robots=True)
                await asyncio.sleep(0.35)
                await fetcher.fetch(server.url("/news/1.html"), obey_robots=True)

        run(go())
        paths = [r.path for r in server.requests]
    assert paths.count("/robots.txt") == 2


def test_robots_for_our_agent_group_wins_over_star() -> None:
    robots = "User-agent: *\nDisallow: /\n\nUser-agent: newsroll-test\nDisallow: /private/\n"
    with serve(robots_routes(robots)) as server:
        result = run(_fetch(server.url("/news/1.html"), obey_robots=True))
        with pytest.raises(RobotsDisallowedError):
            run(_fetch(server.url("/private/secret.html"), obey_robots=True))
    assert result.content == b"one"


async def _fetch(url: str, settings: HttpSettings = FAST, *, obey_robots: bool = False) -> FetchResult:
    async with Fetcher(settings) as fetcher:
        return await fetcher.fetch(url, obey_robots=obey_robots)
