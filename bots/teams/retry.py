"""Retries for Bot Connector calls, as middleware on the SDK's HTTP client.

The Teams SDK does not retry: a 429 raises at once. Microsoft asks bots to retry 429, 412,
502, 503 and 504 with exponential backoff and to honour Retry-After. A wait longer than the
policy allows is not slept here: the error goes up (the port turns it into a DeliveryError with
``retry_after``) so the outbox can reschedule the row instead of holding a worker.

A retried POST after a 502/504 can post twice when the first attempt did land; Microsoft's
guidance accepts that risk for these codes, and the outbox keeps the activity id per delivery.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
from microsoft_teams.common.http.client import MiddlewareContext, MiddlewareNext
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

log = logging.getLogger("hartslag.teams")

RETRY_STATUSES = frozenset({412, 429, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` in total; waits grow from ``base`` (full jitter) up to ``cap`` seconds."""

    attempts: int = 4
    base: float = 0.5
    cap: float = 8.0


def retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds (a number or an HTTP date), or None."""
    raw = response.headers.get("Retry-After")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code in RETRY_STATUSES
    # Nothing reached the connector: always safe to try again.
    return isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)


class RetryMiddleware:
    """``Client.use(RetryMiddleware())``: retries the whole dispatch, token included."""

    def __init__(self, policy: RetryPolicy | None = None, *, rng: random.Random | None = None):
        self.policy = policy or RetryPolicy()
        self._rng = rng or random.Random()

    def _wait(self, state: RetryCallState) -> float:
        backoff = self._rng.uniform(0, min(self.policy.cap,
                                           self.policy.base * 2 ** (state.attempt_number - 1)))
        outcome = state.outcome
        exc = outcome.exception() if outcome is not None else None
        if isinstance(exc, httpx.HTTPStatusError):
            hinted = retry_after(exc.response)
            if hinted is not None:
                return hinted + backoff * 0.1  # honour the hint; a little jitter spreads herds
        return backoff

    def _should_retry(self, exc: BaseException) -> bool:
        if not is_retryable(exc):
            return False
        if isinstance(exc, httpx.HTTPStatusError):
            hinted = retry_after(exc.response)
            if hinted is not None and hinted > self.policy.cap:
                return False  # too long to hold a worker: the outbox reschedules
        return True

    async def send(self, context: MiddlewareContext, next: MiddlewareNext) -> httpx.Response:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.policy.attempts),
            wait=self._wait,
            retry=retry_if_exception(self._should_retry),
            reraise=True,
            before_sleep=self._log,
        )
        async for attempt in retrying:
            with attempt:
                return await next()
        raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover

    @staticmethod
    def _log(state: RetryCallState) -> None:
        outcome = state.outcome
        exc = outcome.exception() if outcome is not None else None
        status = exc.response.status_code if isinstance(exc, httpx.HTTPStatusError) else None
        log.warning("teams connector call failed, retrying",
                    extra={"status": status, "attempt": state.attempt_number,
                           "wait_s": round(state.upcoming_sleep, 3)})
