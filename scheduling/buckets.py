"""Token buckets per platform, per conversation and per workspace/tenant, plus the
rate-limit blocks a 429 puts on a scope.

A send waits until both its buckets have a token. Time is the monotonic clock: rate limits
are about real seconds even when the scheduler runs on a FakeClock. (Retry-After is kept in
clock time by :class:`Blocks`, so a FakeClock test never waits for real.)

Scopes follow the platforms: Slack limits each API method per workspace (a 429 on
chat.postMessage stops every post in that team, one on conversations.history only lookups),
Teams each conversation of a tenant, Matrix the sending account. A workspace budget can be
shared by several instances through the database (``grant``; PostgreSQL).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime

from commands.port import DeliveryError
from scheduling.settings import PlatformLimits

_PRUNE_AT = 20_000
_GRANT_KEEP = 0.03  # seconds a reserved slot may be late before it is dropped unused
_HORIZON = 0.25  # seconds ahead an instance may reserve shared slots
_LEAD = 0.1  # seconds between reserving a slot and its use (room for the "sending" commit)

Grant = Callable[..., Awaitable[tuple[list[float], float]]]  # (key, *, rate, burst, want, horizon)


class RateLimited(DeliveryError):
    """A 429 that names the platform scope it applies to: ``"method:<api method>"`` (Slack),
    ``"sender"`` (Matrix), ``"conversation"`` (Teams). Adapters raise it; a plain
    DeliveryError with ``retry_after`` gets the platform's default scope."""

    def __init__(self, reason: str, *, retry_after: float, scope: str) -> None:
        super().__init__(reason, retry_after=retry_after)
        self.scope = scope


class Blocks:
    """Retry-After per scope key, in clock time. A key is a tuple; ``until(prefix)`` is the
    latest block on any key starting with ``prefix`` (e.g. every blocked method of a team)."""

    def __init__(self) -> None:
        self._until: dict[tuple[str, ...], dict[tuple[str, ...], datetime]] = {}

    def block(self, prefix: tuple[str, ...], name: tuple[str, ...], until: datetime) -> None:
        found = self._until.setdefault(prefix, {})
        found[name] = max(until, found.get(name, until))

    def until(self, prefix: tuple[str, ...], now: datetime) -> datetime | None:
        """The end of the latest block under ``prefix`` still running at ``now``."""
        found = self._until.get(prefix)
        if not found:
            return None
        for name in [n for n, end in found.items() if end <= now]:
            del found[name]  # ended: forget, so the map never grows without bound
        if not found:
            del self._until[prefix]
            return None
        return max(found.values())


class SharedPool:
    """A workspace budget shared through the database as time slots: one waiter at a time
    asks for as many slots as sends are waiting (at most ``most``, at most ``horizon``
    seconds ahead); each send then sleeps until its slot. Slots are 1/rate apart across all
    instances, so together they never exceed the budget."""

    def __init__(self, key: str, rate: float, burst: int, grant: Grant, *, most: int,
                 monotonic: Callable[[], float],
                 sleep: Callable[[float], Awaitable[None]]) -> None:
        self.key, self.rate, self.burst = key, rate, burst
        self._grant, self._most, self._now, self._sleep = grant, most, monotonic, sleep
        self.slots: deque[float] = deque()  # local monotonic send times, in order
        self.waiting = 0
        self._lock = asyncio.Lock()

    def _slot(self) -> float | None:
        now = self._now()
        while self.slots and self.slots[0] < now - _GRANT_KEEP:
            self.slots.popleft()  # stale: used now it would bunch up with later slots
        return self.slots.popleft() if self.slots else None

    async def reserve(self) -> float:
        """A send slot (local monotonic time), not yet waited for: the caller commits its
        "sending" mark meanwhile, then ``wait``s, so the commit's latency does not shift
        the send off its slot."""
        self.waiting += 1
        try:
            slot = self._slot()
            while slot is None:
                async with self._lock:
                    slot = self._slot()
                    if slot is None:
                        slot = await self._ask()
        finally:
            self.waiting -= 1
        return slot

    async def wait(self, slot: float) -> None:
        """Sleep until ``slot``. A slot missed by more than ``_GRANT_KEEP`` (a stalled
        process, a slow "sending" commit) is given up for a new one: used late, it landed in
        the same second as the slots granted after it, and two instances together went over
        the platform's limit in their busiest second (54-64 posts against 50)."""
        while slot < self._now() - _GRANT_KEEP:
            slot = await self.reserve()
        delay = slot - self._now()
        if delay > 0:
            await self._sleep(delay)

    async def _ask(self) -> float | None:
        delays, wait = await self._grant(self.key, rate=self.rate, burst=self.burst,
                                         want=min(self.waiting, self._most),
                                         horizon=_HORIZON)
        if not delays:
            await self._sleep(min(wait, 1.0))
            return None
        # Every instance shifts its slots by the same lead: spacing across instances stays,
        # and the "sending" commit has that long to finish before the slot comes.
        base = self._now() + _LEAD
        self.slots.extend(base + d for d in delays[1:])
        return base + delays[0]


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
        grant: Grant | None = None,
        grant_max: int = 4,
    ) -> None:
        self._limits = limits
        self._headroom = headroom
        self._now = monotonic
        self._sleep = sleep
        self._buckets: dict[tuple[str, str, str], TokenBucket] = {}
        self._grant = grant
        self._grant_max = grant_max
        self._pools: dict[tuple[str, str], SharedPool] = {}

    def _pool(self, platform: str, workspace: str) -> SharedPool | None:
        """The shared workspace budget, when instances share one (else None: local)."""
        if self._grant is None:
            return None
        limits = self._limits(platform)
        if limits.per_workspace <= 0:
            return None
        found = self._pools.get((platform, workspace))
        if found is None:
            found = SharedPool(f"{platform}:{workspace}:post", limits.per_workspace * self._headroom,
                               limits.workspace_burst, self._grant, most=self._grant_max,
                               monotonic=self._now, sleep=self._sleep)
            self._pools[(platform, workspace)] = found
        return found

    def _bucket(self, platform: str, level: str, key: str) -> TokenBucket:
        found = self._buckets.get((platform, level, key))
        if found is None:
            limits = self._limits(platform)
            rate, burst = {
                "channel": (limits.per_channel, limits.channel_burst),
                "pace-channel": (limits.per_channel, limits.channel_burst),
                "lookup": (limits.lookups_per_second, limits.lookup_burst),
            }.get(level, (limits.per_workspace, limits.workspace_burst))
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

    def admit(self, platform: str, channel: str, *, patience: float,
              level: str = "channel") -> float:
        """Admit one more send to ``channel`` if it would wait at most ``patience`` seconds
        there (0.0, and the caller must then ``acquire(..., admitted=True)``); else the
        seconds it would wait, so the caller can park it instead of holding a slot."""
        bucket = self._bucket(platform, level, channel)
        wait = bucket.backlog_wait(self._now())
        if wait > patience:
            return wait
        bucket.queued += 1
        return 0.0

    def withdraw(self, platform: str, channel: str, *, level: str = "channel") -> None:
        """An admitted send that will not happen after all (or is through)."""
        bucket = self._bucket(platform, level, channel)
        bucket.queued = max(0, bucket.queued - 1)

    async def acquire(self, platform: str, workspace: str, channel: str, *,
                      admitted: bool = False) -> float | None:
        """Wait for a token in both buckets, then take them. With a shared workspace
        budget the conversation's token comes first, then the database grants a send slot
        of the workspace: returned, for ``pace`` to wait for after the "sending" commit."""
        pool = self._pool(platform, workspace)
        buckets = (self._bucket(platform, "channel", channel),) if pool is not None else (
            self._bucket(platform, "workspace", workspace),
            self._bucket(platform, "channel", channel))
        try:
            await self._take(buckets)
            return await pool.reserve() if pool is not None else None
        finally:
            if admitted:
                self.withdraw(platform, channel)

    async def pace(self, platform: str, workspace: str, channel: str,
                   slot: float | None = None) -> None:
        """Right before the call: the shared slot from ``acquire``, and the same rates again
        locally, so the jitter of the "sending" commit between ``acquire`` and the call never
        bunches calls beyond the platform's burst. Waits only as long as that jitter."""
        pool = self._pool(platform, workspace)
        if slot is not None and pool is not None:
            await pool.wait(slot)
        await self._take((self._bucket(platform, "pace-workspace", workspace),
                          self._bucket(platform, "pace-channel", channel)))

    async def acquire_lookup(self, platform: str, workspace: str) -> None:
        """Wait for a reconciliation lookup token (its own bucket: never the post budget),
        after ``admit(..., level="lookup")``."""
        try:
            await self._take((self._bucket(platform, "lookup", workspace),))
        finally:
            self.withdraw(platform, workspace, level="lookup")

    async def _take(self, buckets: tuple[TokenBucket, ...]) -> None:
        while True:
            now = self._now()
            delay = max(b.wait_time(now) for b in buckets)
            if delay <= 0:
                for bucket in buckets:
                    bucket.take(now)
                return
            await self._sleep(delay)

    def limits(self) -> Mapping[tuple[str, str, str], TokenBucket]:
        return self._buckets
