"""Transient vs permanent, as data: which failures are retried, and after how long.

The decisions are pure functions of (error or status, attempt number, settings, a jitter
number in [0, 1)), unit-tested without a network or a clock; :func:`retrying` wires them into
tenacity for :class:`scraper.fetch.Fetcher`.

    status 2xx / 304           → no error
    status in retry_statuses   → TransientFetchError (RetryLaterError when Retry-After > cap)
    status 410                 → GoneError
    any other 4xx / 5xx / 3xx  → PermanentFetchError
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tenacity import AsyncRetrying, RetryCallState, stop_after_attempt

from .errors import (
    FetchError,
    GoneError,
    PermanentFetchError,
    RetryLaterError,
    TransientFetchError,
)
from .models import HttpSettings

logger = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})


@dataclass(frozen=True)
class RetryDecision:
    """Whether to try again, and how many seconds to wait first."""

    retry: bool
    delay: float
    reason: str


def error_for_status(
    status: int, url: str, settings: HttpSettings, retry_after: float | None = None
) -> FetchError | None:
    """The error a final (non-redirect) status stands for, or None for 2xx and 304."""
    if 200 <= status < 300 or status == 304:
        return None
    if status in settings.retry_statuses:
        if retry_after is not None and retry_after > settings.retry_after_cap:
            return RetryLaterError(
                f"HTTP {status}: server asks to retry after {retry_after:.0f}s "
                f"(over the {settings.retry_after_cap:.0f}s cap)",
                url=url,
                status=status,
                retry_after=retry_after,
            )
        return TransientFetchError(f"HTTP {status}", url=url, status=status, retry_after=retry_after)
    if status == 410:
        return GoneError("HTTP 410 Gone", url=url, status=status)
    if status in (403, 418):  # what WAFs (CloudWAF's 418, Alibaba's 403) answer a client they block
        return PermanentFetchError(f"HTTP {status}: refused by the server (blocked by an anti-bot/WAF rule?)",
                                   url=url, status=status)
    return PermanentFetchError(f"HTTP {status}", url=url, status=status)


def backoff_delay(attempt: int, base: float, cap: float, jitter: float) -> float:
    """Exponential backoff with "equal jitter" after failed attempt number ``attempt`` (1-based).

    The ceiling doubles per attempt (base, 2·base, 4·base… up to ``cap``); the delay is drawn
    from the upper half of it, so it grows reliably yet two clients never retry in lockstep.
    """
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return ceiling / 2 + ceiling / 2 * min(max(jitter, 0.0), 1.0)


def decide_retry(error: BaseException, attempt: int, settings: HttpSettings, jitter: float) -> RetryDecision:
    """Decide what to do after ``attempt`` (1-based) failed with ``error``.

    Only TransientFetchError is retried, never RetryLaterError, at most ``max_attempts`` in all;
    a Retry-After is a floor on the delay (never ask again sooner), and one over
    ``retry_after_cap`` stops retrying at once.
    """
    if not isinstance(error, TransientFetchError):
        return RetryDecision(False, 0.0, f"permanent: {type(error).__name__}")
    if isinstance(error, RetryLaterError):
        return RetryDecision(False, 0.0, "retry-after over the cap")
    if attempt >= settings.max_attempts:
        return RetryDecision(False, 0.0, f"gave up after {attempt} attempts")
    retry_after = error.retry_after
    if retry_after is not None and retry_after > settings.retry_after_cap:
        return RetryDecision(False, 0.0, "retry-after over the cap")
    delay = backoff_delay(attempt, settings.backoff_base, settings.backoff_max, jitter)
    if retry_after is not None and retry_after > delay:
        return RetryDecision(True, retry_after, f"retry-after {retry_after:g}s")
    return RetryDecision(True, delay, "backoff")


def retrying(
    settings: HttpSettings,
    *,
    sleep: Callable[[float], Awaitable[None]],
    on_retry: Callable[[], None] | None = None,
    rng: Callable[[], float] = random.random,
) -> AsyncRetrying:
    """A tenacity controller applying :func:`decide_retry`; re-raises the original error."""

    def _decision(state: RetryCallState) -> RetryDecision:
        outcome = state.outcome
        error = outcome.exception() if outcome is not None else None
        if error is None:
            return RetryDecision(False, 0.0, "succeeded")
        return decide_retry(error, state.attempt_number, settings, rng())

    def _should_retry(state: RetryCallState) -> bool:
        return _decision(state).retry

    def _wait(state: RetryCallState) -> float:
        return _decision(state).delay

    def _before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        url = getattr(error, "url", "")
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        logger.warning(
            "retry %d/%d for %s in %.2fs after: %s",
            state.attempt_number,
            settings.max_attempts - 1,
            url,
            wait,
            error,
        )
        if on_retry is not None:
            on_retry()

    return AsyncRetrying(
        stop=stop_after_attempt(max(1, settings.max_attempts)),
        retry=_should_retry,
        wait=_wait,
        before_sleep=_before_sleep,
        reraise=True,
        sleep=sleep,
    )
