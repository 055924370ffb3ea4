"""robots.txt: fetched once per origin, cached for a lifetime, parsed with protego (RFC 9309).

protego rather than urllib.robotparser: it implements RFC 9309's longest-match rule and the
``*``/``$`` wildcards that real sites use; urllib's first-match, wildcard-less reading allows
pages those sites disallow.

Failure policy (a documented choice):
- 4xx (404, 403, 401…) → allow everything (RFC 9309 §2.3.1.3).
- 429, 5xx, a network error, a timeout, an oversized file → allow everything for now, but cache that
  verdict only briefly (``UNREACHABLE_TTL``) and ask again: a news archiver should not lose a
  day's articles because robots.txt had a hiccup, and requests stay throttled by the host gate
  anyway. (RFC 9309 suggests "disallow" here; we prefer losing no data.)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from protego import Protego

from .errors import FetchError
from .headers import origin_of

logger = logging.getLogger(__name__)

UNREACHABLE_TTL = 300.0
MAX_ROBOTS_BYTES = 512_000  # RFC 9309 §2.5: parse at least 500 KiB


@dataclass(frozen=True)
class RobotsRules:
    """The parsed robots.txt of one origin (``parser is None`` = allow everything)."""

    origin: str
    parser: Protego | None
    fetched_at: float
    ttl: float
    note: str = ""  # why everything is allowed, when it is

    def allows(self, url: str, agent: str) -> bool:
        return self.parser is None or bool(self.parser.can_fetch(url, agent))

    def crawl_delay(self, agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent)
        return float(delay) if delay is not None else None


def parse_robots(origin: str, status: int, body: bytes, fetched_at: float, ttl: float) -> RobotsRules:
    """Rules for a robots.txt response (pure): 2xx is parsed, 4xx allows all, other allows briefly."""
    if 200 <= status < 300:
        text = body.decode("utf-8", errors="replace").lstrip("\ufeff")
        return RobotsRules(origin, Protego.parse(text), fetched_at, ttl)
    if 400 <= status < 500 and status != 429:  # 429 is a "try later", not "there is none"
        return RobotsRules(origin, None, fetched_at, ttl, note=f"robots.txt HTTP {status}")
    return RobotsRules(origin, None, fetched_at, min(ttl, UNREACHABLE_TTL), note=f"robots.txt HTTP {status}")


def agent_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched against: ``"newsroll/0.1 (+…)"`` → ``newsroll``."""
    return user_agent.split("/", 1)[0].split()[0] if user_agent.strip() else "*"


RobotsFetch = Callable[[str], Awaitable[tuple[int, bytes]]]


class RobotsCache:
    """Per-origin robots.txt rules, fetched at most once per origin at a time and per lifetime."""

    def __init__(self, fetch: RobotsFetch, *, ttl: float, clock: Callable[[], float]) -> None:
        self._fetch = fetch
        self._ttl = ttl
        self._clock = clock
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.fetches = 0

    async def rules_for(self, url: str) -> RobotsRules:
        """The rules that govern ``url``, fetching robots.txt when none are cached or they expired."""
        origin = origin_of(url)
        cached = self._fresh(origin)
        if cached is not None:
            return cached
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            cached = self._fresh(origin)
            if cached is None:
                cached = self._rules[origin] = await self._load(origin)
        return cached

    def _fresh(self, origin: str) -> RobotsRules | None:
        rules = self._rules.get(origin)
        if rules is not None and self._clock() - rules.fetched_at < rules.ttl:
            return rules
        return None

    async def _load(self, origin: str) -> RobotsRules:
        self.fetches += 1
        robots_url = origin + "/robots.txt"
        try:
            status, body = await self._fetch(robots_url)
        except FetchError as exc:
            logger.warning("robots.txt unavailable, allowing all for now: %s (%s)", robots_url, exc)
            return RobotsRules(origin, None, self._clock(), min(self._ttl, UNREACHABLE_TTL), note=str(exc))
        rules = parse_robots(origin, status, body, self._clock(), self._ttl)
        if rules.note:
            logger.info("%s: %s, allowing all", robots_url, rules.note)
        return rules
