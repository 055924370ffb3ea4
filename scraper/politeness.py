"""Per-host politeness shared by every request of one Fetcher (feeds and pages together).

For each host (``host:port``): at most ``concurrency`` requests in flight, request starts at
least ``interval`` seconds apart (raised per host by robots.txt ``Crawl-delay``), and no start
before a time the server asked for (``Retry-After``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

# Two requests that leave ``interval`` apart can reach the server closer together (connection
# set-up and scheduling vary by some milliseconds): keep a small margin on top of the interval.
SPACING_MARGIN = 0.1  # fraction of the interval…
SPACING_MARGIN_MAX = 0.05  # …but never more than this many seconds


def spaced(interval: float) -> float:
    """The start-to-start spacing actually used for ``interval`` (a little more, never less)."""
    return interval + min(interval * SPACING_MARGIN, SPACING_MARGIN_MAX) if interval > 0 else 0.0


@dataclass
class _HostState:
    slots: asyncio.Semaphore
    next_start: float = 0.0  # earliest start for the next request (interval spacing)
    last_start: float | None = None
    not_before: float = 0.0  # the server asked us not to come back before this
    min_interval: float = 0.0  # Crawl-delay, if larger than the default interval


class HostGate:
    """Admits requests per host; ``async with gate.slot(host): ...`` around each exchange."""

    def __init__(
        self,
        concurrency: int,
        interval: float,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._concurrency = max(1, concurrency)
        self._interval = max(0.0, interval)
        self._clock = clock
        self._sleep = sleep
        self._hosts: dict[str, _HostState] = {}

    def _state(self, host: str) -> _HostState:
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _HostState(asyncio.Semaphore(self._concurrency))
        return state

    def interval_for(self, host: str) -> float:
        """Seconds between two request starts to ``host``."""
        state = self._hosts.get(host)
        return max(self._interval, state.min_interval if state else 0.0)

    def set_crawl_delay(self, host: str, delay: float | None) -> None:
        """Use a robots.txt Crawl-delay for ``host`` (the configured interval stays the minimum)."""
        state = self._state(host)
        state.min_interval = max(0.0, delay or 0.0)
        if state.last_start is not None:  # learnt after a request (robots.txt itself) started
            state.next_start = max(state.next_start, state.last_start + spaced(self.interval_for(host)))

    def hold(self, host: str, seconds: float) -> None:
        """Let no request start to ``host`` for ``seconds`` from now (Retry-After)."""
        state = self._state(host)
        state.not_before = max(state.not_before, self._clock() + max(0.0, seconds))

    def blocked_for(self, host: str) -> float:
        """Seconds until ``host`` may be asked again because of a Retry-After (0 if free)."""
        state = self._hosts.get(host)
        return max(0.0, state.not_before - self._clock()) if state else 0.0

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Wait for a free slot and the host's next start time, then hold the slot."""
        state = self._state(host)
        async with state.slots:
            await self._wait_turn(host, state)
            yield

    def sent(self, host: str) -> None:
        """The request admitted for ``host`` is being written to the socket now.

        Spacing counts from here, not from admission: a request admitted on time but written late
        (the event loop was busy, the connection was slow to open) pushes the next start back, so
        the gaps the *server* sees are never shorter than the interval.
        """
        state = self._state(host)
        now = self._clock()
        state.last_start = now
        state.next_start = max(state.next_start, now + spaced(self.interval_for(host)))

    async def _wait_turn(self, host: str, state: _HostState) -> None:
        while True:
            now = self._clock()
            start = max(now, state.next_start, state.not_before)
            if start <= now:
                state.last_start = now
                state.next_start = now + spaced(self.interval_for(host))
                return
            # Reserve nothing while asleep: a Retry-After arriving meanwhile still applies.
            await self._sleep(start - now)
