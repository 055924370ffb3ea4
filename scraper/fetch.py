"""The fetcher: one polite, bounded, retrying HTTP GET per call, safe against hostile servers.

    fetch(url) ─▶ robots check (optional) ─▶ per hop: retry loop ─▶ host gate ─▶ deadline ─▶
                  send (stream) ─▶ status → error | redirect | bounded, decoded body ─▶ FetchResult

One shared ``httpx.AsyncClient`` (HTTP/1.1, keep-alive pool) serves every call. Nothing of
httpx leaves the fetcher: every failure is a :mod:`scraper.errors` exception raised ``from``
the original. See :mod:`scraper.retry` (what is retried, pure), :mod:`scraper.politeness`
(per-host limits), :mod:`scraper.robots` (robots.txt), :mod:`scraper.httpstream` (one
exchange: URLs, bounded bodies, error mapping) and :mod:`scraper.httpdecode` (Content-Encoding).

Choices: the total deadline (``timeout``) covers one request from sending to the last body
byte, not the wait for a politeness slot nor the pauses between retries; a Retry-After holds
the whole host (every later request to it waits, or fails at once with RetryLaterError when
the wait is over ``retry_after_cap``); ``moved_to`` is the end of the leading run of permanent
redirects (301/308), so a 301 followed by a 302 reports the 301's target.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import TracebackType

import httpx

from .addresses import ensure_public
from .errors import (
    FetchError,
    RedirectError,
    RetryLaterError,
    RobotsDisallowedError,
    TransientFetchError,
)
from .headers import charset_of, media_type, parse_max_age, parse_retry_after
from .httpstream import Exchange, Hop, drain, header_dict, read_body, redirect_target, translate_error
from .models import FetchResult, HttpSettings
from .politeness import HostGate
from .retry import PERMANENT_REDIRECTS, REDIRECT_STATUSES, error_for_status, retrying
from .robots import MAX_ROBOTS_BYTES, RobotsCache, agent_token

logger = logging.getLogger(__name__)

ACCEPT_ENCODING = "gzip, deflate, br"


@dataclass(frozen=True)
class FetchStats:
    """Counters of one Fetcher since it was made."""

    fetches: int = 0  # calls to fetch()
    requests: int = 0  # HTTP requests sent (every attempt and redirect hop, robots.txt too)
    retries: int = 0
    not_modified: int = 0
    failures: int = 0  # fetch() calls that raised
    bytes_received: int = 0  # decoded body bytes returned
    robots_fetches: int = 0
    robots_disallowed: int = 0


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """httpx's default TLS settings (certifi's CA bundle), built once per process: loading the CA
    bundle costs tens of milliseconds, and every Fetcher (each run, each test) would pay it again."""
    return httpx.create_ssl_context()


class Fetcher:
    """Polite, bounded HTTP GETs; see the module docstring.

    ``transport`` replaces the network (tests pass ``httpx.MockTransport``); ``clock`` is the
    monotonic clock used for politeness, caches and ``elapsed``; ``wall_clock`` (epoch seconds)
    reads Retry-After dates; ``sleep`` waits (politeness and retries).
    """

    def __init__(
        self,
        settings: HttpSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._wall_clock = wall_clock
        self._sleep = sleep
        self._agent = agent_token(settings.user_agent)
        self._client = httpx.AsyncClient(
            transport=transport,
            verify=_tls_context(),
            http2=False,
            follow_redirects=False,
            timeout=httpx.Timeout(settings.timeout),
            limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        )
        self._gate = HostGate(
            settings.per_host_concurrency, settings.per_host_interval, clock=clock, sleep=sleep
        )
        self._robots = RobotsCache(self._fetch_robots, ttl=settings.robots_ttl, clock=clock)
        self._counts: dict[str, int] = dict.fromkeys((f.name for f in dataclasses.fields(FetchStats)), 0)

    # -- public surface ---------------------------------------------------------------------------
    @property
    def stats(self) -> FetchStats:
        """A snapshot of the counters."""
        return FetchStats(**{**self._counts, "robots_fetches": self._robots.fetches})

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        obey_robots: bool = False,
        accept: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> FetchResult:
        """GET ``url``, following redirects, and return the whole, decoded, size-checked body.

        ``etag``/``last_modified`` make it a conditional GET (a 304 returns ``not_modified=True``
        and no content). With ``obey_robots`` every URL of the chain is checked against its
        robots.txt first. Raises a :class:`scraper.errors.FetchError` subclass: transient
        (after ``max_attempts``), RetryLaterError, PermanentFetchError/GoneError,
        ResponseTooLargeError, BrokenResponseError, RedirectError or RobotsDisallowedError.
        """
        self._counts["fetches"] += 1
        headers = {**(headers or {}), "Accept": accept or "*/*"}  # extra headers: a wire's Referer/x-app-id
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        started = self._clock()
        try:
            return await self._fetch_chain(url, headers, obey_robots, started, etag, last_modified)
        except FetchError as exc:
            self._counts["failures"] += 1
            logger.debug("GET %s failed: %s", url, exc)
            raise

    # -- the redirect chain -------------------------------------------------------------------------
    async def _fetch_chain(
        self,
        url: str,
        headers: dict[str, str],
        obey_robots: bool,
        started: float,
        etag: str | None = None,
        last_modified: str | None = None,
        *,
        settings: HttpSettings | None = None,
        limit: int | None = None,
    ) -> FetchResult:
        settings = settings or self.settings
        hop = Hop.of(url)
        chain = [hop]
        moved_to: str | None = None
        permanent = True  # every hop so far was a permanent redirect
        while True:
            current = hop.url
            if not settings.allow_private:
                await ensure_public(current)
            if obey_robots:
                await self._check_robots(hop)
            exchange = await self._with_retries(hop, headers, settings, limit)
            if exchange.status not in REDIRECT_STATUSES:
                break
            target = redirect_target(exchange, current)
            permanent = permanent and exchange.status in PERMANENT_REDIRECTS
            if permanent:
                moved_to = target
            hop = Hop.of(target)
            seen = [h.key for h in chain]
            if hop.key in seen:
                loop = " -> ".join(h.url for h in [*chain[seen.index(hop.key) :], hop])
                raise RedirectError(f"redirect loop: {loop}", url=url, status=exchange.status)
            if len(chain) > settings.max_redirects:
                raise RedirectError(
                    f"more than {settings.max_redirects} redirects (last: {current} -> {target})",
                    url=url,
                    status=exchange.status,
                )
            chain.append(hop)
        return self._result(url, exchange, moved_to, started, etag, last_modified)

    def _result(
        self,
        url: str,
        exchange: Exchange,
        moved_to: str | None,
        started: float,
        etag: str | None,
        last_modified: str | None,
    ) -> FetchResult:
        headers = exchange.headers
        not_modified = exchange.status == 304
        content_type = headers.get("content-type")
        result = FetchResult(
            url=url,
            final_url=exchange.url,
            status=exchange.status,
            content=exchange.content,
            content_type=media_type(content_type),
            charset=charset_of(content_type),
            # A 304 may omit the validators; the ones we sent are still the current ones.
            etag=headers.get("etag") or (etag if not_modified else None),
            last_modified=headers.get("last-modified") or (last_modified if not_modified else None),
            not_modified=not_modified,
            moved_to=moved_to,
            retry_after=parse_retry_after(headers.get("retry-after"), self._wall_clock()),
            max_age=parse_max_age(headers.get("cache-control")),
            elapsed=self._clock() - started,
        )
        self._counts["not_modified"] += not_modified
        self._counts["bytes_received"] += len(result.content)
        logger.info(
            "GET %s -> %d%s, %d bytes, %.2fs",
            url,
            result.status,
            f" at {result.final_url}" if result.final_url != url else "",
            len(result.content),
            result.elapsed,
        )
        return result

    async def _check_robots(self, hop: Hop) -> None:
        url = hop.url
        rules = await self._robots.rules_for(url)
        delay = rules.crawl_delay(self._agent)
        if delay:
            # Honoured, but no more than we would wait for a Retry-After.
            self._gate.set_crawl_delay(hop.host, min(delay, self.settings.retry_after_cap))
        if not rules.allows(url, self._agent):
            self._counts["robots_disallowed"] += 1
            raise RobotsDisallowedError(f"robots.txt of {rules.origin} disallows {url}", url=url)

    async def _fetch_robots(self, robots_url: str) -> tuple[int, bytes]:
        """robots.txt: one attempt, five redirects at most (RFC 9309), a 500 KiB limit."""
        settings = dataclasses.replace(self.settings, max_attempts=1, max_redirects=5)
        headers = {"Accept": "text/plain, */*;q=0.1"}
        try:
            result = await self._fetch_chain(
                robots_url, headers, False, self._clock(), settings=settings, limit=MAX_ROBOTS_BYTES
            )
        except FetchError as exc:
            if exc.status is not None and not isinstance(exc, RedirectError):
                return exc.status, b""
            raise
        return result.status, result.content

    # -- one hop: retries, politeness, deadline -------------------------------------------------------
    async def _with_retries(
        self, hop: Hop, headers: dict[str, str], settings: HttpSettings, limit: int | None
    ) -> Exchange:
        try:
            # Most requests succeed at once: skip tenacity's per-attempt bookkeeping for them.
            return await self._attempt(hop, headers, settings, limit)
        except TransientFetchError as exc:
            first_failure = exc
        replayed = False

        async def attempt() -> Exchange:
            nonlocal replayed
            if not replayed:  # let tenacity judge (and log, and wait after) the first failure too
                replayed = True
                raise first_failure
            return await self._attempt(hop, headers, settings, limit)

        controller = retrying(settings, sleep=self._sleep, on_retry=self._count_retry)
        exchange: Exchange = await controller(attempt)
        return exchange

    def _count_retry(self) -> None:
        self._counts["retries"] += 1

    async def _attempt(
        self, hop: Hop, headers: dict[str, str], settings: HttpSettings, limit: int | None
    ) -> Exchange:
        host, url = hop.host, hop.url
        blocked = self._gate.blocked_for(host)
        if blocked > settings.retry_after_cap:
            raise RetryLaterError(
                f"{host} asked us to wait {blocked:.0f}s more (Retry-After), over the "
                f"{settings.retry_after_cap:.0f}s cap",
                url=url,
                retry_after=blocked,
            )
        async with self._gate.slot(host):
            self._counts["requests"] += 1
            try:
                async with asyncio.timeout(settings.timeout):
                    return await self._exchange(hop, headers, settings, limit)
            except TimeoutError as exc:
                raise TransientFetchError(
                    f"no complete response within {settings.timeout:g}s", url=url
                ) from exc

    async def _exchange(
        self, hop: Hop, headers: dict[str, str], settings: HttpSettings, limit: int | None
    ) -> Exchange:
        url = hop.url
        gate, host = self._gate, hop.host

        async def trace(event: str, info: object) -> None:  # httpcore's hook: the bytes leave now
            if event == "http11.send_request_headers.started":
                gate.sent(host)

        try:
            response = await self._client.send(
                self._client.build_request("GET", hop.target, headers=headers, extensions={"trace": trace}),
                stream=True,
            )
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise translate_error(exc, url, in_body=False) from exc
        try:
            status, fields = response.status_code, header_dict(response.headers)
            if status in REDIRECT_STATUSES or status == 304:
                await drain(response)
                return Exchange(url, status, fields)
            retry_after = parse_retry_after(fields.get("retry-after"), self._wall_clock())
            error = error_for_status(status, url, settings, retry_after)
            if error is not None:
                await drain(response)
                if retry_after is not None and status in settings.retry_statuses:
                    self._gate.hold(hop.host, retry_after)
                raise error
            content = await read_body(response, fields, url, limit or settings.max_response_bytes)
            return Exchange(url, status, fields, content)
        finally:
            try:
                await response.aclose()
            except httpx.HTTPError:  # closing a broken connection: nothing left to save
                logger.debug("error closing the response of %s", url, exc_info=True)
