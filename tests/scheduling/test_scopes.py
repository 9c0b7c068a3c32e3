"""Issue 18: rate-limit scopes as the platforms scope them, tokens before "sending",
reconciliation lookups apart from send attempts (own scope, own 429 blocks, a rule for rows
that cannot be looked up, operator counts), and delivery ids unique per database."""

from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from commands.clock import FakeClock
from commands.delivery import Delivery
from commands.metrics import Metrics
from commands.model import Address, MessageRef, OutgoingMessage, UserRef
from commands.port import ChatPort, DeliveryError
from scheduling.buckets import RateLimited
from scheduling.codec import delivery_id
from scheduling.outbox import Outbox
from scheduling.settings import DeliverySettings, PlatformLimits
from storage.db import Database
from storage.migrate import upgrade
from storage.outbox import OutboxRepository

from .fakes import ScriptedPort

HELLO = OutgoingMessage("Hallo")
FAST = DeliverySettings(limits={p: PlatformLimits(per_channel=0, per_workspace=0,
                                                  lookups_per_second=0,
                                                  blocks=DeliverySettings().limits_for(p).blocks)
                                for p in ("slack", "teams", "matrix", "local")})


def make(db: Database, port: ChatPort, clock: FakeClock,
         settings: DeliverySettings = FAST) -> Outbox:
    return Outbox(db, port, clock=clock, metrics=Metrics(), settings=settings)


def channel(platform: str, workspace: str, name: str) -> Delivery:
    return Delivery(HELLO, address=Address(platform, workspace, name))


async def states(outbox: Outbox, batch: str) -> dict[str, str]:
    return {item.target: item.state for item in (await outbox.report(batch)).items}


# -- finding 3: a 429 blocks the scope the platform limits ------------------------------------
@pytest.mark.parametrize(
    ("platform", "error", "held"),
    [
        # Slack: chat.postMessage is limited per workspace: every channel of T1 waits.
        ("slack", RateLimited("slack chat.postMessage: ratelimited", retry_after=2.0,
                              scope="method:chat.postMessage"), {"C1", "C2"}),
        # Matrix: limited per sender (the bot account): every room waits.
        ("matrix", DeliveryError("rate limited", retry_after=2.0), {"C1", "C2"}),
        # Teams: limited per conversation of a tenant: only that conversation waits.
        ("teams", DeliveryError("HTTP 429", retry_after=2.0), set()),
    ],
)
async def test_a_429_blocks_the_platforms_scope(
    db: Database, clock: FakeClock, platform: str, error: DeliveryError, held: set[str]
) -> None:
    port = ScriptedPort(script={f"{platform}://T1/C0": [error]})
    outbox = make(db, port, clock)
    await outbox.enqueue([channel(platform, "T1", "C0")], batch="first")
    await outbox.drain()  # the 429
    await outbox.enqueue([channel(platform, "T1", "C1"), channel(platform, "T1", "C2"),
                          channel(platform, "T2", "C3")], batch="b")
    await outbox.drain()
    sent = {t.rsplit("/", 1)[1] for t, s in (await states(outbox, "b")).items() if s == "sent"}
    assert sent == {"C1", "C2", "C3"} - held  # another workspace/tenant is never held
    clock.advance(timedelta(seconds=4))
    await outbox.drain()
    assert set((await states(outbox, "b")).values()) == {"sent"}
    assert (await states(outbox, "first")) == {f"{platform}://T1/C0": "sent"}


# -- finding 6: tokens before "sending" ------------------------------------------------------
@dataclass
class HangingPort(ScriptedPort):
    """Every send hangs until ``release`` is set (a send in flight when the process dies)."""

    release: asyncio.Event = field(default_factory=asyncio.Event)
    started: int = 0

    async def send(self, address: Address, message: OutgoingMessage, *,
                   delivery_id: str | None = None) -> MessageRef:
        self.started += 1
        await self.release.wait()
        return self._attempt(address, delivery_id)


async def count_sending(db: Database, batch: str) -> int:
    rows = await OutboxRepository(db).rows(batch)
    return sum(1 for row in rows if row.state == "sending")


async def test_rows_wait_for_their_token_before_they_are_marked_sending(
    db: Database, clock: FakeClock
) -> None:
    # One token now, the next in 100 s: of 8 leased rows one is handed to the platform;
    # the other 7 wait for a token and must still be "pending" (a kill now leaves 1 row to
    # look up, not 8).
    slow = PlatformLimits(per_channel=0, per_workspace=0.01, workspace_burst=1)
    port = HangingPort()
    outbox = make(db, port, clock, settings=DeliverySettings(limits={"slack": slow},
                                                             max_in_flight=8))
    await outbox.enqueue([channel("slack", "T1", f"C{i}") for i in range(8)], batch="b")
    await outbox.start()
    try:
        for _ in range(500):
            if port.started:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)  # room for the other leased rows to (wrongly) mark themselves
        assert port.started == 1
        assert await count_sending(db, "b") == 1
    finally:
        port.release.set()
        await outbox.stop(grace=2)


# -- finding 6: lookups are no send attempts, have their own scope, and are counted ----------
class LookupPort(ScriptedPort):
    """Posts land, answers time out (ambiguous rows); lookups fail as ``lookup_errors`` says."""

    def __init__(self, errors: list[BaseException]) -> None:
        super().__init__()
        self.lookup_errors = errors
        self.lookups = 0

    async def find_delivery(self, target: Address | UserRef, delivery_id: str
                            ) -> MessageRef | None:
        self.lookups += 1
        if self.lookup_errors:
            raise self.lookup_errors.pop(0)
        return await super().find_delivery(target, delivery_id)


async def test_failed_lookups_use_no_attempt_and_settle_by_rule(
    db: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    settings = FAST.model_copy(update={"max_lookups": 3, "max_attempts": 2})
    port = LookupPort([DeliveryError("slack conversations.history: http_500")] * 10)
    port.script = {"slack://T1/C0": ["post-then-timeout"]}
    outbox = make(db, port, clock, settings=settings)
    await outbox.enqueue([channel("slack", "T1", "C0")], batch="b", owner="slack:U0ANNA")
    caplog.set_level(logging.WARNING, "hartslag.outbox")
    for _ in range(6):
        clock.advance(timedelta(hours=1))
        await outbox.drain()
    [row] = await OutboxRepository(db).rows("b")
    assert (row.state, row.next_attempt_at, row.attempts, row.lookups) == (
        "ambiguous", None, 1, 3)  # one send; three lookups, none of them an attempt
    assert port.lookups == 3
    assert port.per_target()["slack://T1/C0"] == 1  # settled: never resent
    assert (await outbox.report("b")).uncertain == 1
    # The author is told, once, in Dutch by default; the operator sees counts only.
    notice = await outbox.report("uncertain:b")
    assert notice.total == 1 and notice.items[0].target == "slack:U0ANNA"
    assert port.per_target()["slack:U0ANNA"] == 1  # the author's DM went out
    assert outbox.log_summary() == {"lookup_failed": 3, "uncertain": 1}
    assert any(r.getMessage() == "delivery summary" for r in caplog.records)
    lines = [r for r in caplog.records if r.getMessage() == "reconciliation lookup failed"]
    assert [r.__dict__["lookups"] for r in lines] == [1, 2, 3]
    assert any(r.getMessage() == "delivery left uncertain; not resent" for r in caplog.records)


async def test_a_lookup_refused_for_good_settles_at_once(db: Database, clock: FakeClock) -> None:
    port = LookupPort([DeliveryError("slack conversations.join: missing_scope", permanent=True)])
    port.script = {"slack://T1/C0": ["post-then-timeout"]}
    outbox = make(db, port, clock)
    await outbox.enqueue([channel("slack", "T1", "C0")], batch="b", owner="slack:U0ANNA")
    await outbox.drain()
    clock.advance(timedelta(hours=1))
    await outbox.drain()
    [row] = await OutboxRepository(db).rows("b")
    assert (row.state, row.next_attempt_at, row.lookups) == ("ambiguous", None, 1)
    assert "missing_scope" in (row.error or "")
    assert (await outbox.report("uncertain:b")).total == 1


async def test_a_429_on_lookups_parks_them_and_posting_goes_on(
    db: Database, clock: FakeClock
) -> None:
    limited = RateLimited("slack conversations.history: ratelimited", retry_after=30.0,
                          scope="method:conversations.history")
    port = LookupPort([limited])
    port.script = {"slack://T1/C0": ["post-then-timeout"], "slack://T1/C1": ["post-then-timeout"]}
    outbox = make(db, port, clock)
    await outbox.enqueue([channel("slack", "T1", "C0"), channel("slack", "T1", "C1")],
                         batch="old")
    await outbox.drain()  # two ambiguous rows
    clock.advance(timedelta(minutes=5))
    await outbox.enqueue([channel("slack", "T1", f"N{i}") for i in range(5)], batch="new")
    await outbox.drain()
    # The 429 blocked lookups only: the new posts all went out, the second ambiguous row
    # was not even looked up, and neither used an attempt or a lookup.
    assert set((await states(outbox, "new")).values()) == {"sent"}
    assert port.lookups == 1
    rows = await OutboxRepository(db).rows("old")
    assert [(r.state, r.attempts, r.lookups) for r in rows] == [("ambiguous", 1, 0)] * 2
    assert outbox.log_summary() == {"blocked:slack:lookup": 1}
    clock.advance(timedelta(seconds=31))
    await outbox.drain()
    assert set((await states(outbox, "old")).values()) == {"sent"}  # found, not reposted
    assert len(port.posts) == 7


# -- finding 7: delivery ids unique across databases -----------------------------------------
async def test_delivery_ids_differ_between_databases(tmp_path: Path, clock: FakeClock) -> None:
    ids = []
    for name in ("a", "b"):
        db = Database(f"sqlite:///{tmp_path / name}.db")
        try:
            await upgrade(db)  # the migration makes the installation id
            installation = await OutboxRepository(db).installation_id()
            assert installation == await OutboxRepository(db).installation_id()
            outbox = make(db, ScriptedPort(), clock)
            await outbox.enqueue([channel("slack", "T1", "C0")], batch="b")
            [item] = (await outbox.report("b")).items
            assert item.delivery_id == delivery_id("b", "slack://T1/C0", installation)
            ids.append(item.delivery_id)
        finally:
            await db.dispose()
    assert ids[0] != ids[1]
    # Ids made before installation ids existed stay as they were (stored rows keep theirs).
    assert delivery_id("b", "slack://T1/C0") == "hs" + __import__("hashlib").sha256(
        b"b\0slack://T1/C0").hexdigest()[:30]


async def test_installation_id_is_made_once_without_the_migration(db: Database) -> None:
    repo = OutboxRepository(db)
    made = await asyncio.gather(*(repo.installation_id() for _ in range(4)))
    assert len(set(made)) == 1 and len(made[0]) == 16


# -- finding 5: a budget shared by instances (PostgreSQL) ------------------------------------
async def test_instances_share_one_budget(pg_url: str) -> None:
    from .conftest import truncate

    await truncate(pg_url)
    first, second = Database(pg_url), Database(pg_url)
    try:
        repos = [OutboxRepository(first), OutboxRepository(second)]
        # A nearly empty refill: two instances asking at once get the burst once between them.
        grants = await asyncio.gather(*(repos[i % 2].grant("slack:T1:post", rate=0.0001,
                                                           burst=10, want=3, horizon=0.25)
                                        for i in range(12)))
        assert sum(len(slots) for slots, _, _ in grants) == 10
        slots, wait, _ = await repos[0].grant("slack:T1:post", rate=0.0001, burst=10, want=3,
                                           horizon=0.25)
        assert slots == [] and wait > 1000  # the next slot is hours away
        # At 10/s without burst, slots come 0.1 s apart, reserved at most 1 s ahead.
        slots, _, _ = await repos[1].grant("teams:X:post", rate=10, burst=1, want=30, horizon=1.0)
        assert 10 <= len(slots) <= 11
        gaps = [b - a for a, b in itertools.pairwise(slots[1:])]  # [0] may be clamped to 0
        assert all(abs(gap - 0.1) < 1e-6 for gap in gaps)
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_slot_missed_by_a_stall_is_given_up_for_a_new_one() -> None:
    """Used late, a slot lands in the same second as the slots granted after it: two
    instances went over the limit in their busiest second that way (finding 5)."""
    from scheduling.buckets import SharedPool

    clock = [100.0]
    asked: list[int] = []

    async def grant(key: str, *, rate: float, burst: int, want: int,
                    horizon: float) -> tuple[list[float], float, float]:
        asked.append(want)
        return [0.0], 0.0, clock[0]  # one slot, now (the "server" shares our clock)

    async def sleep(seconds: float) -> None:
        clock[0] += seconds

    pool = SharedPool("slack:T1:post", 10, 1, grant, most=16, monotonic=lambda: clock[0],
                      sleep=sleep)
    slot = await pool.reserve()
    clock[0] = slot + 0.5  # the process stalled half a second after reserving
    await pool.wait(slot)
    assert len(asked) == 2  # the stale slot was not used: a fresh one was granted
    on_time = await pool.reserve()
    await pool.wait(on_time)
    assert len(asked) == 3 and clock[0] >= on_time
