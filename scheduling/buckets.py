"""Token buckets per platform, per conversation and per workspace/tenant, plus the
rate-limit blocks a 429 puts on a scope.

A send waits until both its buckets have a token. Time is the monotonic clock: rate limits
are about real seconds even when the scheduler runs on a FakeClock. (Retry-After is kept in
clock time by :class:`Blocks`, so a FakeClock test never waits for real.)

Scopes follow the platforms: Slack limits each API method per workspace (a 429 on
chat.postMessage stops every post in that team, one on conversations.history only lookups),
Teams each conversation of a tenant, Matrix the sending account. A workspace budget can be
shared by several instances through the database (``grant``; PostgreSQL), sized by
:func:`shared_budget` so that no second holds more than the platform's limit.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime

from commands.port import DeliveryError
from scheduling.settings import PlatformLimits

_PRUNE_AT = 20_000
# The share of the tolerance (``budget_tolerance_seconds``) a send may start after its slot;
# a send later than that gets a new slot. The rest covers the clock estimate and the
# network's jitter on the way to the platform.
_KEEP_SHARE = 0.4
_HORIZON = 0.25  # seconds ahead an instance may reserve shared slots
_LEAD = 0.1  # seconds between reserving a slot and its use (room for the "sending" commit)
_CLOCK_MEMORY = 5.0  # seconds of grant round trips the server clock estimate keeps

# (key, *, rate, burst, want, horizon) -> (seconds to each slot, seconds to wait when none,
# the database server's clock when it granted them, epoch seconds)
Grant = Callable[..., Awaitable[tuple[list[float], float, float]]]


def shared_budget(limit: float, burst: int, *, headroom: float,
                  tolerance: float) -> tuple[float, int]:
    """Rate and burst of a shared workspace budget so that no window of 1 s holds more than
    ``limit`` sends even when sends land up to ``tolerance`` seconds after their slot.

    Slots come 1/rate apart, up to ``burst`` at once after a pause (a token bucket), so a
    window of ``1 + tolerance`` s holds at most ``burst + floor((1 + tolerance) * rate)`` of
    them. The rate stays ``limit * headroom`` when that fits (lowered when not), and the
    burst is cut to what still fits: a burst on top of a full second of slots, and sends a
    little late, took two instances to 52-57 posts in a second against a limit of 50."""
    most = max(1, math.floor(limit))  # sends a second may hold (one, however low the rate)
    width = 1.0 + tolerance
    rate = min(limit * headroom, most / width * (1 - 1e-9))
    return rate, max(1, min(burst, most - math.floor(width * rate)))


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
    asks for as many slots as sends need (at most ``most``, at most ``horizon`` seconds
    ahead). A send claims a slot before its "sending" commit (``reserve``) and, once
    committed, goes on the earliest slot still ahead (``wait``): slots are not bound to a
    send, so one whose commit is slow does not waste a slot while another send is ready.
    Slots are 1/rate apart across all instances on the database server's clock, and a send
    goes out within ``keep`` seconds after its slot or not on it at all, so together the
    instances never exceed the budget in any second."""

    def __init__(self, key: str, rate: float, burst: int, grant: Grant, *, most: int,
                 monotonic: Callable[[], float],
                 sleep: Callable[[float], Awaitable[None]], keep: float = 0.02) -> None:
        self.key, self.rate, self.burst, self.keep = key, rate, burst, keep
        self._grant, self._most, self._now, self._sleep = grant, most, monotonic, sleep
        self.slots: deque[float] = deque()  # local monotonic send times, in order
        self.claimed = 0  # sends that reserved and have not waited (or released) yet
        self.waiting = 0
        self.missed = 0  # sends that could not go out within ``keep`` of their slot
        self.expired = 0  # slots that passed with no send ready for them
        self._lock = asyncio.Lock()
        self._offsets: deque[tuple[float, float]] = deque()  # (local time, server - local)

    def _drop_stale(self) -> None:
        now = self._now()
        while self.slots and self.slots[0] < now - self.keep:
            self.slots.popleft()  # stale: used now it would bunch up with later slots
            self.expired += 1

    async def reserve(self) -> float:
        """Claim a send slot, returning once the pool holds one for every claim (its time,
        local monotonic): the caller commits its "sending" mark meanwhile, then ``wait``s,
        or ``release``s when it will not send."""
        self.waiting += 1
        try:
            while True:
                self._drop_stale()
                if len(self.slots) > self.claimed:
                    break
                async with self._lock:
                    self._drop_stale()
                    if len(self.slots) <= self.claimed:
                        await self._ask(self.claimed + self.waiting - len(self.slots))
            slot = self.slots[self.claimed]
            self.claimed += 1
        finally:
            self.waiting -= 1
        return slot

    def release(self) -> None:
        """A claim that will not be sent on (the row was not marked "sending")."""
        self.claimed = max(0, self.claimed - 1)

    async def wait(self, slot: float, *, claimed: bool = True) -> float:
        """Turn this send's claim (``slot`` from ``reserve``; ``claimed=False``: the send
        gave its slot back) into the earliest slot still ahead, sleep until it and return
        it. A send that cannot start within ``keep`` seconds after its slot (a stalled
        process, a sleep that overslept) takes the next one instead: used late, a slot
        lands in the same second as the slots granted after it, and two instances went
        over the platform's limit in their busiest second that way (52-57 posts against
        50)."""
        if claimed:
            self.release()
        while True:
            self._drop_stale()
            if not self.slots:
                async with self._lock:
                    self._drop_stale()
                    if not self.slots:
                        await self._ask(1 + self.claimed + self.waiting)
                continue
            slot = self.slots.popleft()
            now = self._now()
            while now < slot:
                await self._sleep(slot - now)
                now = self._now()
            if now <= slot + self.keep:
                return slot  # on time: the caller sends right away, without awaiting first
            self.missed += 1

    def give_back(self, slot: float) -> None:
        """A slot from ``wait`` this send will not go on after all: the next send ready
        may (every slot left is later than one handed out, so it goes first)."""
        self.slots.appendleft(slot)

    async def _ask(self, need: int) -> None:
        delays, wait, server_now = await self._grant(
            self.key, rate=self.rate, burst=self.burst, want=max(1, min(need, self._most)),
            horizon=_HORIZON)
        offset = self._offset(server_now, self._now())
        if not delays:
            await self._sleep(min(wait, 1.0))
            return
        # Every instance shifts its slots by the same lead: spacing across instances stays,
        # and the "sending" commit has that long to finish before the slot comes.
        base = server_now - offset + _LEAD
        self.slots.extend(base + d for d in delays)

    def _offset(self, server_now: float, received: float) -> float:
        """The database server's clock minus ours. The server read its clock before we got
        the answer, so ``server_now - received`` is low by the answer's delay; the highest
        such value of the last few seconds is the best estimate. Reading the answer's own
        time instead put each grant's slots late by that grant's delay (a commit, a busy
        event loop), which differs per grant and per instance and bunched their sends."""
        self._offsets.append((received, server_now - received))
        while self._offsets[0][0] < received - _CLOCK_MEMORY:
            self._offsets.popleft()  # drift: old round trips no longer tell the offset
        return max(offset for _, offset in self._offsets)


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
        tolerance: float = 0.1,
    ) -> None:
        self._limits = limits
        self._headroom = headroom
        self._now = monotonic
        self._sleep = sleep
        self._buckets: dict[tuple[str, str, str], TokenBucket] = {}
        self._grant = grant
        self._grant_max = grant_max
        self._tolerance = tolerance
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
            rate, burst = shared_budget(limits.per_workspace, limits.workspace_burst,
                                        headroom=self._headroom, tolerance=self._tolerance)
            found = SharedPool(f"{platform}:{workspace}:post", rate, burst, self._grant,
                               most=self._grant_max, monotonic=self._now, sleep=self._sleep,
                               keep=self._tolerance * _KEEP_SHARE)
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

    def release(self, platform: str, workspace: str, slot: float | None) -> None:
        """A slot from ``acquire`` that will not be sent on (the row was not marked
        "sending", or that failed): the shared pool stops holding a slot for it."""
        pool = self._pool(platform, workspace)
        if slot is not None and pool is not None:
            pool.release()

    async def pace(self, platform: str, workspace: str, channel: str,
                   slot: float | None = None) -> float | None:
        """Right before the call, so the jitter of the "sending" commit between ``acquire``
        and the call never bunches calls beyond the platform's burst: the conversation's
        rate again locally, then, with a shared budget, the slot from ``acquire`` (a new one
        if it has passed); without one, the workspace's rate again locally. Returns the slot
        the call goes on (None: local budget). The caller must call at once, without
        awaiting anything else first."""
        pool = self._pool(platform, workspace)
        channel_pace = self._bucket(platform, "pace-channel", channel)
        if slot is not None and pool is not None:
            # Not the local workspace bucket as well: it delayed sends past their slots
            # (and never caught up, its burst being 1), into the other instance's slots.
            # The conversation's rate is checked on the slot: a send it holds back gives
            # the slot to the next send ready, rather than going late on it.
            claimed = True
            while True:
                used = await pool.wait(slot, claimed=claimed)
                delay = channel_pace.wait_time(self._now())
                if delay <= 0:
                    channel_pace.take(self._now())
                    return used
                pool.give_back(used)
                claimed = False
                await self._sleep(delay)
        await self._take((self._bucket(platform, "pace-workspace", workspace), channel_pace))
        return None

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
