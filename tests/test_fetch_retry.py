"""Retries: the pure decision (unit) and the fetcher's behaviour against a real server."""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import logging
import socket
import time

import pytest

from scraper.errors import (
    BrokenResponseError,
    GoneError,
    PermanentFetchError,
    RetryLaterError,
    TransientFetchError,
)
from scraper.fetch import Fetcher
from scraper.models import HttpSettings
from scraper.retry import backoff_delay, decide_retry, error_for_status
from tests.httpserver import Reply, RequestRecord, serve
from tests.test_fetch import FAST, fetch_once, run

SETTINGS = HttpSettings(max_attempts=3, backoff_base=0.5, backoff_max=30.0, retry_after_cap=120.0)
URL = "http://example.org/feed"


# -- the pure decision ---------------------------------------------------------------------------
@pytest.mark.parametrize("status", [408, 425, 429, 500, 502, 503, 504])
def test_retry_statuses_are_transient(status: int) -> None:
    error = error_for_status(status, URL, SETTINGS)
    assert type(error) is TransientFetchError and error.status == status and error.url == URL


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 451, 501, 505, 300])
def test_other_error_statuses_are_permanent(status: int) -> None:
    error = error_for_status(status, URL, SETTINGS)
    assert type(error) is PermanentFetchError and error.status == status


def test_410_is_gone_and_success_is_no_error() -> None:
    assert type(error_for_status(410, URL, SETTINGS)) is GoneError
    assert error_for_status(200, URL, SETTINGS) is None
    assert error_for_status(204, URL, SETTINGS) is None
    assert error_for_status(304, URL, SETTINGS) is None


def test_retry_statuses_are_data() -> None:
    settings = dataclasses.replace(SETTINGS, retry_statuses=(418,))
    assert type(error_for_status(418, URL, settings)) is TransientFetchError
    assert type(error_for_status(503, URL, settings)) is PermanentFetchError


def test_retry_after_over_the_cap_is_retry_later() -> None:
    error = error_for_status(429, URL, SETTINGS, retry_after=600.0)
    assert isinstance(error, RetryLaterError) and error.retry_after == 600.0
    within = error_for_status(429, URL, SETTINGS, retry_after=120.0)
    assert type(within) is TransientFetchError and within.retry_after == 120.0


def test_backoff_grows_exponentially_with_jitter_and_a_ceiling() -> None:
    assert backoff_delay(1, 0.5, 30, 0.0) == 0.25 and backoff_delay(1, 0.5, 30, 1.0) == 0.5
    assert backoff_delay(2, 0.5, 30, 0.0) == 0.5 and backoff_delay(2, 0.5, 30, 1.0) == 1.0
    assert backoff_delay(3, 0.5, 30, 0.5) == 1.5
    assert backoff_delay(20, 0.5, 30, 1.0) == 30.0 and backoff_delay(20, 0.5, 30, 0.0) == 15.0
    delays = {backoff_delay(2, 0.5, 30, j / 10) for j in range(10)}
    assert len(delays) == 10  # jitter spreads clients apart


def test_decide_retries_transient_until_attempts_run_out() -> None:
    error = TransientFetchError("HTTP 503", url=URL, status=503)
    first = decide_retry(error, 1, SETTINGS, 0.0)
    assert first.retry and first.delay == 0.25
    assert decide_retry(error, 2, SETTINGS, 1.0).delay == 1.0
    last = decide_retry(error, 3, SETTINGS, 0.0)
    assert not last.retry and "3 attempts" in last.reason


def test_decide_never_retries_permanent_or_foreign_errors() -> None:
    for error in (
        PermanentFetchError("HTTP 404", status=404),
        GoneError("HTTP 410", status=410),
        BrokenResponseError("cut"),
        ValueError("bug"),
    ):
        assert not decide_retry(error, 1, SETTINGS, 0.5).retry


def test_decide_honours_retry_after_as_a_floor() -> None:
    error = TransientFetchError("HTTP 429", status=429, retry_after=7.0)
    decision = decide_retry(error, 1, SETTINGS, 1.0)
    assert decision.retry and decision.delay == 7.0
    short = TransientFetchError("HTTP 429", status=429, retry_after=0.1)
    assert decide_retry(short, 2, SETTINGS, 0.0).delay == 0.5  # backoff is longer: backoff wins


def test_decide_gives_up_on_retry_after_over_the_cap() -> None:
    for error in (
        TransientFetchError("HTTP 503", status=503, retry_after=121.0),
        RetryLaterError("later", status=503, retry_after=121.0),
    ):
        decision = decide_retry(error, 1, SETTINGS, 0.0)
        assert not decision.retry and "cap" in decision.reason


# -- against a real server -------------------------------------------------------------------------
def test_503_503_200_is_retried_with_a_warning_each(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="scraper.retry")
    script = [Reply(status=503), Reply(status=503), Reply(body=b"finally")]
    with serve({"/feed": script}) as server:

        async def go() -> tuple[bytes, int]:
            async with Fetcher(FAST) as fetcher:
                result = await fetcher.fetch(server.url("/feed"))
                return result.content, fetcher.stats.retries

        content, retries = run(go())
        times = [r.time for r in server.requests_for("/feed")]
    assert content == b"finally" and retries == 2 and len(times) == 3
    assert times[1] - times[0] >= FAST.backoff_base / 2 * 0.9  # waited a backoff
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2 and "503" in warnings[0].getMessage()
    assert server.url("/feed") in warnings[0].getMessage()


def test_persistent_503_reraises_the_original_error_after_max_attempts() -> None:
    with serve({"/feed": Reply(status=503, body=b"down")}) as server:
        with pytest.raises(TransientFetchError) as caught:
            run(fetch_once(server.url("/feed")))
        assert len(server.requests_for("/feed")) == FAST.max_attempts
    assert type(caught.value) is TransientFetchError and caught.value.status == 503
    assert caught.value.url == server.url("/feed")


def test_429_retry_after_seconds_is_waited_out() -> None:
    script = [Reply(status=429, headers={"Retry-After": "1"}), Reply(body=b"ok")]
    with serve({"/feed": script}) as server:
        result = run(fetch_once(server.url("/feed")))
        first, second = server.requests_for("/feed")
    assert result.content == b"ok"
    assert second.time - first.time >= 1.0


def test_503_retry_after_http_date_is_waited_out() -> None:
    calls: list[RequestRecord] = []

    def route(record: RequestRecord) -> Reply:
        calls.append(record)
        if len(calls) > 1:
            return Reply(body=b"ok")
        when = email.utils.formatdate(time.time() + 2, usegmt=True)  # 1-2 s ahead (whole seconds)
        return Reply(status=503, headers={"Retry-After": when})

    with serve({"/feed": route}) as server:
        result = run(fetch_once(server.url("/feed")))
        first, second = server.requests_for("/feed")
    assert result.content == b"ok"
    assert second.time - first.time >= 0.9


def test_retry_after_over_the_cap_gives_up_at_once_and_blocks_the_host() -> None:
    settings = dataclasses.replace(FAST, retry_after_cap=20.0)
    routes = {"/feed": Reply(status=503, headers={"Retry-After": "3600"}), "/page": b"page"}
    with serve(routes) as server:

        async def go() -> tuple[RetryLaterError, RetryLaterError]:
            async with Fetcher(settings) as fetcher:
                with pytest.raises(RetryLaterError) as first:
                    await fetcher.fetch(server.url("/feed"))
                with pytest.raises(RetryLaterError) as second:  # same host: not asked at all
                    await fetcher.fetch(server.url("/page"))
                return first.value, second.value

        started = time.monotonic()
        first, second = run(go())
        elapsed = time.monotonic() - started
        paths = [r.path for r in server.requests]
    assert paths == ["/feed"]
    assert first.retry_after == 3600.0 and first.status == 503
    assert second.retry_after is not None and 3590 < second.retry_after <= 3600
    assert elapsed < settings.retry_after_cap / 2  # neither request waited


def test_retry_after_within_the_cap_holds_other_requests_to_that_host() -> None:
    settings = dataclasses.replace(FAST, per_host_concurrency=4)
    routes = {"/a": [Reply(status=429, headers={"Retry-After": "1"}), Reply(body=b"a")], "/b": b"b"}
    with serve(routes) as server:

        async def go() -> None:
            async with Fetcher(settings) as fetcher:
                first = asyncio.create_task(fetcher.fetch(server.url("/a")))
                await asyncio.sleep(0.2)  # /a has been told to wait by now
                await fetcher.fetch(server.url("/b"))
                await first

        run(go())
        told = server.requests_for("/a")[0].time
        b_time = server.requests_for("/b")[0].time
    assert b_time - told >= 1.0


@pytest.mark.parametrize(
    "status, error", [(404, PermanentFetchError), (403, PermanentFetchError), (410, GoneError)]
)
def test_permanent_statuses_are_not_retried(status: int, error: type[Exception]) -> None:
    with serve({"/x": Reply(status=status)}) as server:
        with pytest.raises(error) as caught:
            run(fetch_once(server.url("/x")))
        assert len(server.requests) == 1
    assert caught.value.status == status  # type: ignore[attr-defined]


def test_connection_refused_is_transient_and_retried() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    async def go() -> tuple[TransientFetchError, int]:
        async with Fetcher(FAST) as fetcher:
            with pytest.raises(TransientFetchError) as caught:
                await fetcher.fetch(f"http://127.0.0.1:{port}/feed")
            return caught.value, fetcher.stats.requests

    error, requests = run(go())
    assert requests == FAST.max_attempts
    assert isinstance(error.__cause__, Exception) and "httpx" in type(error.__cause__).__module__


def test_server_hanging_up_without_a_response_is_retried() -> None:
    with serve({"/feed": [Reply(drop=True), Reply(body=b"ok")]}) as server:
        result = run(fetch_once(server.url("/feed")))
        assert len(server.requests_for("/feed")) == 2
    assert result.content == b"ok"
