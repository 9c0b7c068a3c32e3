"""Token buckets per platform, per conversation and per workspace/tenant.

A send waits until both its buckets have a token. Time is the monotonic clock: rate limits
are about real seconds even when the scheduler runs on a FakeClock. (Retry-After is kept by
the outbox itself, in clock time: see ``Outbox._block``.)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping

from scheduling.settings import PlatformLimits

_PRUNE_AT = 20_000


class TokenBucket:
    """``rate`` tokens per second up to ``burst``; rate 0 means unlimited."""

    __slots__ = ("burst", "queued", "rate", "tokens", "updated")

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.tokens = float(burst)
        self.updated = now
        self.queued = 0  # sends admitted and not yet through: they will take tokens first

    def _refill(self, now: float) -> None:
        if now > self.updated:
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
            self.updated = now

    def wait_time(self, now: float) -> float:
        """Seconds until a token is free (0 when one is free now)."""
        if self.rate <= 0:
            return 0.0
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def backlog_wait(self, now: float) -> float:
        """Seconds one more send would wait behind the ones already admitted."""
        if self.rate <= 0:
            return 0.0
        self._refill(now)
        return max(0.0, (self.queued + 1 - self.tokens) / self.rate)

    def take(self, now: float) -> None:
        if self.rate > 0:
            self._refill(now)
            self.tokens -= 1

    def idle(self, now: float) -> bool:
        if self.rate <= 0:
            return self.queued == 0
        self._refill(now)
        return self.tokens >= self.burst and self.queued == 0


class RateLimiter:
    """Buckets keyed (platform, workspace) and (platform, conversation)."""

    def __init__(
        self,
        limits: Callable[[str], PlatformLimits],
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        headroom: float = 1.0,
    ) -> None:
        self._limits = limits
        self._headroom = headroom
        self._now = monotonic
        self._sleep = sleep
        self._buckets: dict[tuple[str, str, str], TokenBucket] = {}

    def _bucket(self, platform: str, level: str, key: str) -> TokenBucket:
        found = self._buckets.get((platform, level, key))
        if found is None:
            limits = self._limits(platform)
            rate, burst = ((limits.per_channel, limits.channel_burst) if level == "channel"
                           else (limits.per_workspace, limits.workspace_burst))
            # Headroom: our clock and the platform's never agree exactly; running a few per
            # cent under the budget keeps its bucket from ever running dry (no 429s).
            found = TokenBucket(rate * self._headroom, burst, self._now())
            if len(self._buckets) >= _PRUNE_AT:
                self._prune()
            self._buckets[(platform, level, key)] = found
        return found

    def _prune(self) -> None:
        now = self._now()
        for key in [k for k, b in self._buckets.items() if b.idle(now)]:
            del self._buckets[key]

    def admit(self, platform: str, channel: str, *, patience: float) -> float:
        """Admit one more send to ``channel`` if it would wait at most ``patience`` seconds
        there (0.0, and the caller must then ``acquire(..., admitted=True)``); else the
        seconds it would wait, so the caller can park it instead of holding a slot."""
        bucket = self._bucket(platform, "channel", channel)
        wait = bucket.backlog_wait(self._now())
        if wait > patience:
            return wait
        bucket.queued += 1
        return 0.0

    def withdraw(self, platform: str, channel: str) -> None:
        """An admitted send that will not happen after all."""
        bucket = self._bucket(platform, "channel", channel)
        bucket.queued = max(0, bucket.queued - 1)

    async def acquire(self, platform: str, workspace: str, channel: str, *,
                      admitted: bool = False) -> None:
        """Wait for a token in both buckets, then take them."""
        buckets = (self._bucket(platform, "workspace", workspace),
                   self._bucket(platform, "channel", channel))
        try:
            while True:
                now = self._now()
                delay = max(b.wait_time(now) for b in buckets)
                if delay <= 0:
                    for bucket in buckets:
                        bucket.take(now)
                    return
                await self._sleep(delay)
        finally:
            if admitted:
                self.withdraw(platform, channel)

    def limits(self) -> Mapping[tuple[str, str, str], TokenBucket]:
        return self._buckets
