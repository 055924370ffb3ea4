"""Fetcher against a real local HTTP server: manners, conditional GET, redirects, headers."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import Awaitable
from typing import TypeVar

import brotli
import httpx
import pytest

from scraper.errors import PermanentFetchError, RedirectError
from scraper.fetch import ACCEPT_ENCODING, Fetcher
from scraper.models import FetchResult, HttpSettings
from tests.httpserver import Reply, Route, serve

T = TypeVar("T")

FAST = HttpSettings(
    user_agent="newsroll-test/1.0 (+https://example.org/bot)",
    timeout=1.0,
    max_attempts=3,
    per_host_concurrency=4,
    per_host_interval=0.0,
    backoff_base=0.05,
    backoff_max=0.2,
)


def run(coro: Awaitable[T]) -> T:
    async def _main() -> T:
        return await coro

    return asyncio.run(_main())


async def fetch_once(url: str, settings: HttpSettings = FAST, **kwargs: object) -> FetchResult:
    async with Fetcher(settings) as fetcher:
        return await fetcher.fetch(url, **kwargs)  # type: ignore[arg-type]


def test_plain_get_returns_body_type_charset_and_validators() -> None:
    reply = Reply(
        body="价格".encode("gbk"),
        content_type="text/html; charset=GBK",
        etag='"abc"',
        last_modified="Tue, 08 Feb 2022 08:00:05 GMT",
        headers={"Cache-Control": "public, max-age=300"},
    )
    with serve({"/page": reply}) as server:
        result = run(fetch_once(server.url("/page")))
    assert result.status == 200
    assert result.content == "价格".encode("gbk")
    assert result.content_type == "text/html"
    assert result.charset == "gbk"
    assert result.etag == '"abc"'
    assert result.last_modified == "Tue, 08 Feb 2022 08:00:05 GMT"
    assert result.max_age == 300.0
    assert result.final_url == result.url == server.url("/page")
    assert not result.not_modified and result.moved_to is None
    assert result.elapsed > 0


def test_second_poll_is_conditional_and_gets_304() -> None:
    reply = Reply(body=b"<rss/>", etag='"v1"', last_modified="Tue, 08 Feb 2022 08:00:05 GMT")
    with serve({"/feed": reply}) as server:

        async def two_polls() -> tuple[FetchResult, FetchResult]:
            async with Fetcher(FAST) as fetcher:
                first = await fetcher.fetch(server.url("/feed"))
                second = await fetcher.fetch(
                    server.url("/feed"), etag=first.etag, last_modified=first.last_modified
                )
                assert fetcher.stats.not_modified == 1
                return first, second

        first, second = run(two_polls())
        log = server.requests_for("/feed")
    assert first.content == b"<rss/>" and not first.not_modified
    assert second.status == 304 and second.not_modified and second.content == b""
    assert second.etag == '"v1"'
    assert "if-none-match" not in log[0].headers
    assert log[1].headers["if-none-match"] == '"v1"'
    assert log[1].headers["if-modified-since"] == "Tue, 08 Feb 2022 08:00:05 GMT"


def test_304_without_validators_keeps_the_ones_sent() -> None:
    with serve({"/feed": Reply(status=304)}) as server:
        result = run(
            fetch_once(server.url("/feed"), etag='W/"x"', last_modified="Mon, 07 Feb 2022 00:00:00 GMT")
        )
    assert result.not_modified
    assert result.etag == 'W/"x"' and result.last_modified == "Mon, 07 Feb 2022 00:00:00 GMT"


def test_user_agent_accept_and_accept_encoding_on_every_request() -> None:
    routes: dict[str, Route] = {
        "/robots.txt": Reply(body="User-agent: *\nDisallow: /private\n"),
        "/start": Reply(status=302, headers={"Location": "/flaky"}),
        "/flaky": [Reply(status=503), Reply(body=b"ok")],
    }
    with serve(routes) as server:
        result = run(fetch_once(server.url("/start"), obey_robots=True, accept="application/rss+xml"))
        log = list(server.requests)
    assert result.content == b"ok"
    assert [r.path for r in log] == ["/robots.txt", "/start", "/flaky", "/flaky"]
    for record in log:
        assert record.headers["user-agent"] == FAST.user_agent
        assert record.headers["accept-encoding"] == ACCEPT_ENCODING
    assert all(r.headers["accept"] == "application/rss+xml" for r in log[1:])


@pytest.mark.parametrize(
    "encoding, encode",
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send
        ("br", brotli.compress),
    ],
)
def test_compressed_bodies_are_decoded(encoding: str, encode: object) -> None:
    body = "财经新闻 finance news ".encode() * 5000
    encoded = encode(body)  # type: ignore[operator]
    with serve({"/z": Reply(body=encoded, headers={"Content-Encoding": encoding})}) as server:
        result = run(fetch_once(server.url("/z")))
    assert result.content == body


def test_redirect_followed_and_permanent_move_reported() -> None:
    routes = {
        "/old": Reply(status=301, headers={"Location": "/new"}),
        "/new": Reply(status=308, headers={"Location": "/newest"}),
        "/newest": Reply(body=b"feed"),
        "/temp": Reply(status=302, headers={"Location": "/newest"}),
        "/perm-then-temp": Reply(status=301, headers={"Location": "/temp"}),
    }
    with serve(routes) as server:
        moved = run(fetch_once(server.url("/old")))
        temporary = run(fetch_once(server.url("/temp")))
        mixed = run(fetch_once(server.url("/perm-then-temp")))
    assert moved.content == b"feed"
    assert moved.final_url == server.url("/newest")
    assert moved.moved_to == server.url("/newest")
    assert temporary.final_url == server.url("/newest") and temporary.moved_to is None
    # 301 to a URL that is itself only temporarily elsewhere: the feed's new home is /temp.
    assert mixed.final_url == server.url("/newest") and mixed.moved_to == server.url("/temp")


def test_redirect_to_another_host_is_followed() -> None:
    with serve({"/feed": b"there"}) as other:
        with serve({"/feed": Reply(status=301, headers={"Location": other.url("/feed")})}) as server:
            result = run(fetch_once(server.url("/feed")))
    assert result.content == b"there" and result.moved_to == other.url("/feed")


def test_redirect_loop_is_detected_and_named() -> None:
    routes = {
        "/a": Reply(status=302, headers={"Location": "/b"}),
        "/b": Reply(status=301, headers={"Location": "/c"}),
        "/c": Reply(status=302, headers={"Location": "/a"}),
        "/self": Reply(status=301, headers={"Location": "/self#again"}),
    }
    with serve(routes) as server:
        with pytest.raises(RedirectError, match=r"redirect loop: .*/a -> .*/b -> .*/c -> .*/a") as caught:
            run(fetch_once(server.url("/a")))
        assert len(server.requests) == 3
        with pytest.raises(RedirectError, match="redirect loop: .*/self -> .*/self#again"):
            run(fetch_once(server.url("/self")))
    assert caught.value.url == server.url("/a")


def test_too_many_redirects_stops_at_the_limit() -> None:
    routes = {f"/r{i}": Reply(status=302, headers={"Location": f"/r{i + 1}"}) for i in range(20)}
    settings = HttpSettings(**{**FAST.__dict__, "max_redirects": 3})
    with serve(routes) as server:
        with pytest.raises(RedirectError, match="more than 3 redirects"):
            run(fetch_once(server.url("/r0"), settings))
        assert [r.path for r in server.requests] == ["/r0", "/r1", "/r2", "/r3"]


def test_redirect_without_location_or_to_other_scheme_is_an_error() -> None:
    routes = {
        "/nowhere": Reply(status=302),
        "/ftp": Reply(status=302, headers={"Location": "ftp://example.org/file"}),
    }
    with serve(routes) as server:
        with pytest.raises(PermanentFetchError, match="without a Location"):
            run(fetch_once(server.url("/nowhere")))
        with pytest.raises(RedirectError, match="non-http"):
            run(fetch_once(server.url("/ftp")))


def test_bad_urls_are_permanent_errors_without_a_request() -> None:
    with pytest.raises(PermanentFetchError, match="not an http"):
        run(fetch_once("file:///etc/passwd"))
    with pytest.raises(PermanentFetchError):
        run(fetch_once("http://"))


def test_mock_transport_can_replace_the_network() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"mocked", headers={"Content-Type": "application/json"})

    async def go() -> FetchResult:
        async with Fetcher(FAST, transport=httpx.MockTransport(handler)) as fetcher:
            return await fetcher.fetch("https://feeds.example.org/x.json")

    result = run(go())
    assert result.content == b"mocked" and result.content_type == "application/json"
    assert seen[0].headers["user-agent"] == FAST.user_agent


def test_non_ascii_redirect_location_is_followed() -> None:
    # Sent as raw UTF-8 bytes, as some Chinese sites do; the request goes out percent-encoded.
    routes = {
        "/old": Reply(status=301, headers={"Location": "/新闻/1.html"}),
        "/%E6%96%B0%E9%97%BB/1.html": b"news",
    }
    with serve(routes) as server:
        result = run(fetch_once(server.url("/old")))
    assert result.content == b"news"
    assert result.final_url == server.url("/%E6%96%B0%E9%97%BB/1.html")
