"""Hostile servers: hangs, trickles, oversized, cut and broken bodies (real sockets)."""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import random
import time
import tracemalloc

import brotli
import pytest

from scraper.errors import (
    BrokenResponseError,
    FetchError,
    ResponseTooLargeError,
    TransientFetchError,
)
from scraper.fetch import Fetcher
from scraper.models import FetchResult, HttpSettings
from tests.httpserver import Reply, serve
from tests.test_fetch import FAST, fetch_once, run

ONE_SHOT = dataclasses.replace(FAST, max_attempts=1, timeout=1.0)
SMALL = dataclasses.replace(ONE_SHOT, max_response_bytes=100_000, timeout=20.0)
# Tests that check "answered without waiting for the timeout" give the timeout a wide margin (20 s
# against an answer in milliseconds), so a loaded machine cannot make them fail.


async def race(
    slow_url: str, fast_url: str, settings: HttpSettings
) -> tuple[BaseException | None, float, float]:
    """Fetch both at once; return the slow one's error, when it ended, when the fast one ended."""
    async with Fetcher(settings) as fetcher:
        started = time.monotonic()

        async def timed(url: str) -> tuple[FetchResult | BaseException, float]:
            try:
                result: FetchResult | BaseException = await fetcher.fetch(url)
            except FetchError as exc:
                result = exc
            return result, time.monotonic() - started

        (slow, slow_at), (fast, fast_at) = await asyncio.gather(timed(slow_url), timed(fast_url))
    assert isinstance(fast, FetchResult) and fast.content == b"fast"
    return (slow if isinstance(slow, BaseException) else None), slow_at, fast_at


@pytest.mark.parametrize(
    "behaviour",
    [
        Reply(delay=30, body=b"never"),  # hangs before headers
        Reply(hang_after_headers=30, body=b"never"),  # headers, then nothing
        Reply(body=b"x" * 200, trickle=0.05, trickle_size=1),  # 20 bytes/s: 10 s in all
        Reply(body=b"x" * 200, stall_at=100),  # half the body, then nothing
    ],
    ids=["before-headers", "after-headers", "trickle", "mid-body"],
)
def test_hanging_host_is_abandoned_at_the_timeout_while_another_host_completes(behaviour: Reply) -> None:
    with serve({"/slow": behaviour}) as slow, serve({"/fast": Reply(body=b"fast", delay=0.1)}) as fast:
        error, slow_at, fast_at = run(race(slow.url("/slow"), fast.url("/fast"), ONE_SHOT))
    assert isinstance(error, TransientFetchError) and error.url == slow.url("/slow")
    assert ONE_SHOT.timeout * 0.9 <= slow_at < ONE_SHOT.timeout + 0.5
    assert fast_at < 0.6


def test_timeouts_are_retried_like_other_transient_failures() -> None:
    settings = dataclasses.replace(FAST, timeout=0.3, max_attempts=2)
    with serve({"/slow": [Reply(delay=5), Reply(body=b"second time")]}) as server:
        result = run(fetch_once(server.url("/slow"), settings))
    assert result.content == b"second time"


@pytest.mark.parametrize("length", ["content-length", "chunked", "close"])
def test_oversized_body_is_rejected(length: str) -> None:
    with serve({"/big": Reply(body=b"x" * 300_000, length=length)}) as server:
        with pytest.raises(ResponseTooLargeError, match="100000-byte limit") as caught:
            run(fetch_once(server.url("/big"), SMALL))
    assert caught.value.url == server.url("/big") and caught.value.status == 200


def test_declared_oversize_is_rejected_before_reading_the_body() -> None:
    # The body stalls after 10 bytes: only the Content-Length check can answer before the timeout.
    with serve({"/big": Reply(body=b"x" * 300_000, stall_at=10)}) as server:
        started = time.monotonic()
        with pytest.raises(ResponseTooLargeError, match="Content-Length 300000"):
            run(fetch_once(server.url("/big"), SMALL))
    assert time.monotonic() - started < SMALL.timeout / 2


def test_size_limit_is_enforced_while_streaming() -> None:
    # No length, 200 KB sent, then the server stalls: waiting for the end would hit the timeout.
    with serve({"/big": Reply(body=b"x" * 300_000, length="chunked", stall_at=200_000)}) as server:
        started = time.monotonic()
        with pytest.raises(ResponseTooLargeError):
            run(fetch_once(server.url("/big"), SMALL))
    assert time.monotonic() - started < SMALL.timeout / 2


def test_compression_bomb_is_stopped_at_the_limit_without_inflating_it() -> None:
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)  # ~50 KB on the wire
    settings = dataclasses.replace(ONE_SHOT, max_response_bytes=5_000_000)
    with serve({"/bomb": Reply(body=bomb, headers={"Content-Encoding": "gzip"})}) as server:
        tracemalloc.start()
        try:
            with pytest.raises(ResponseTooLargeError):
                run(fetch_once(server.url("/bomb"), settings))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 20_000_000


def test_brotli_bomb_is_stopped_at_the_limit() -> None:
    bomb = brotli.compress(b"\0" * 20_000_000, quality=5)
    with serve({"/bomb": Reply(body=bomb, headers={"Content-Encoding": "br"})}) as server:
        with pytest.raises(ResponseTooLargeError):
            run(fetch_once(server.url("/bomb"), SMALL))


def test_body_at_the_limit_is_accepted() -> None:
    with serve({"/ok": Reply(body=b"y" * 100_000, length="chunked")}) as server:
        result = run(fetch_once(server.url("/ok"), SMALL))
    assert len(result.content) == 100_000


@pytest.mark.parametrize("length", ["content-length", "chunked"])
def test_cut_connection_is_a_broken_response(length: str) -> None:
    with serve({"/cut": Reply(body=b"<rss>" + b"x" * 20_000, cut_at=5_000, length=length)}) as server:
        with pytest.raises(BrokenResponseError, match="cut") as caught:
            run(fetch_once(server.url("/cut"), ONE_SHOT))
    assert caught.value.url == server.url("/cut")


def test_cut_connection_is_not_retried() -> None:
    with serve({"/cut": Reply(body=b"x" * 20_000, cut_at=100)}) as server:
        with pytest.raises(BrokenResponseError):
            run(fetch_once(server.url("/cut")))
        assert len(server.requests) == 1


NOISE = random.Random(7).randbytes(50_000)  # compresses badly, so cuts land mid-stream
GZ = gzip.compress(NOISE)


@pytest.mark.parametrize(
    "body",
    [
        GZ[: len(GZ) // 2],  # truncated gzip stream, honest length
        GZ[:20] + bytes(64) + GZ[84:],  # corrupt deflate data
        b"this is not gzip at all",
        GZ[:-4] + b"\0\0\0\0",  # wrong length in the trailer
    ],
    ids=["truncated", "corrupt", "not-gzip", "bad-trailer"],
)
def test_broken_gzip_is_a_broken_response(body: bytes) -> None:
    with serve({"/gz": Reply(body=body, headers={"Content-Encoding": "gzip"})}) as server:
        with pytest.raises(BrokenResponseError, match="gzip"):
            run(fetch_once(server.url("/gz"), ONE_SHOT))


def test_truncated_brotli_is_a_broken_response() -> None:
    body = brotli.compress(NOISE)[:-50]
    with serve({"/br": Reply(body=body, headers={"Content-Encoding": "br"})}) as server:
        with pytest.raises(BrokenResponseError, match="br"):
            run(fetch_once(server.url("/br"), ONE_SHOT))


def test_gzip_served_by_the_test_server_round_trips() -> None:
    body = "<rss>新闻</rss>".encode() * 1000
    with serve({"/gz": Reply(body=body, gzip=True)}) as server:
        result = run(fetch_once(server.url("/gz"), ONE_SHOT))
        assert server.requests[0].headers["accept-encoding"] == "gzip, deflate, br"
    assert result.content == body


@pytest.mark.parametrize(
    "raw",
    [
        b"this is not HTTP\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: banana\r\n\r\nbody",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot hex\r\n",
    ],
    ids=["garbage", "bad-length", "bad-chunk"],
)
def test_garbage_responses_become_scraper_errors(raw: bytes) -> None:
    with serve({"/x": Reply(raw=raw)}) as server:
        with pytest.raises(FetchError) as caught:
            run(fetch_once(server.url("/x"), ONE_SHOT))
    assert type(caught.value).__module__ == "scraper.errors"
    assert (
        "httpx" in type(caught.value.__cause__).__module__ or "h11" in type(caught.value.__cause__).__module__
    )


def test_cancelled_fetch_frees_its_host_slot() -> None:
    settings = dataclasses.replace(ONE_SHOT, per_host_concurrency=1, timeout=20.0)
    with serve({"/hang": Reply(delay=60), "/ok": b"ok"}) as server:

        async def go() -> float:
            async with Fetcher(settings) as fetcher:
                hanging = asyncio.create_task(fetcher.fetch(server.url("/hang")))
                await asyncio.sleep(0.2)
                hanging.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await hanging
                started = time.monotonic()
                result = await fetcher.fetch(server.url("/ok"))
                assert result.content == b"ok"
                return time.monotonic() - started

        assert run(go()) < settings.timeout / 2  # not queued behind the cancelled request
