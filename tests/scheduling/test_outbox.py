"""The outbox: idempotent enqueue, retries and backoff, Retry-After, permanent failures,
reconciliation of ambiguous rows per platform rule, crash recovery, pause/cancel, progress,
on_sent, and rate limits against a platform that enforces its budgets."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commands.clock import FakeClock
from commands.delivery import Delivery
from commands.metrics import Metrics
from commands.model import Address, OutgoingMessage, UserRef
from commands.port import ChatPort, DeliveryError, MultiPort
from scheduling.outbox import Outbox
from scheduling.settings import DeliverySettings, PlatformLimits
from storage.db import Database
from storage.outbox import OutboxRepository

from .conftest import RecordingRunner
from .fakes import BudgetPort, PortWithoutLookup, ScriptedPort

HELLO = OutgoingMessage("Hallo **allemaal**", metadata={"kind": "test"})
FAST = DeliverySettings(limits={p: PlatformLimits(per_channel=0, per_workspace=0)
                                for p in ("slack", "teams", "matrix", "local")})


def channels(n: int, platform: str = "slack") -> list[Delivery]:
    return [Delivery(HELLO, address=Address(platform, "T1", f"C{i}")) for i in range(n)]


def make(db: Database, port: ChatPort, clock: FakeClock, *, runner: RecordingRunner | None = None,
         settings: DeliverySettings = FAST, instance: str | None = None) -> Outbox:
    return Outbox(db, port, clock=clock, metrics=Metrics(), runner=runner, settings=settings,
                  instance=instance)


async def test_enqueue_is_idempotent_per_batch_and_target(db: Database, clock: FakeClock) -> None:
    port = ScriptedPort()
    outbox = make(db, port, clock)
    items = [*channels(3), *channels(3), Delivery(HELLO, user=UserRef("slack", "U1", "", "T1"))]
    await outbox.enqueue(items, batch="b")
    await outbox.enqueue(items, batch="b")
    assert await outbox.drain() == 4
    assert await outbox.drain() == 0
    assert sorted(port.per_target().values()) == [1, 1, 1, 1]
    report = await outbox.report("b")
    assert (report.total, report.sent, report.failed, report.pending) == (4, 4, 0, 0)
    assert {item.state for item in report.items} == {"sent"}
    assert all(item.message is not None for item in report.items)


async def test_retry_with_backoff_then_success(db: Database, clock: FakeClock) -> None:
    port = ScriptedPort(script={"slack://T1/C0": [DeliveryError("server error"), None]})
    outbox = make(db, port, clock)
    await outbox.enqueue(channels(1), batch="b")
    await outbox.drain()
    [item] = (await outbox.report("b")).items
    assert (item.state, item.attempts, item.error) == ("pending", 1, "server error")
    assert await outbox.drain() == 0  # not due yet: backoff
    clock.advance(timedelta(minutes=1))
    await outbox.drain()
    [item] = (await outbox.report("b")).items
    assert (item.state, item.attempts) == ("sent", 2)


async def test_permanent_failures_are_not_retried(db: Database, clock: FakeClock) -> None:
    port = ScriptedPort(script={"slack://T1/C0": [DeliveryError("channel_not_found",
                                                                permanent=True)]})
    outbox = make(db, port, clock)
    await outbox.enqueue(channels(2), batch="b")
    await outbox.drain()
    clock.advance(timedelta(hours=1))
    await outbox.drain()
    report = await outbox.report("b")
    assert (report.sent, report.failed, port.calls) == (1, 1, 2)


async def test_attempts_are_bounded(db: Database, clock: FakeClock) -> None:
    port = ScriptedPort(script={"slack://T1/C0": [DeliveryError("boom")] * 10})
    outbox = make(db, port, clock, settings=FAST.model_copy(update={"max_attempts": 3}))
    await outbox.enqueue(channels(1), batch="b")
    for _ in range(6):
        await outbox.drain()
        clock.advance(timedelta(hours=1))
    [item] = (await outbox.report("b")).items
    assert (item.state, item.attempts, port.calls) == ("failed", 3, 3)


async def test_retry_after_is_honoured_and_uses_no_attempt(db: Database, clock: FakeClock) -> None:
    limited = [DeliveryError("rate_limited", retry_after=30.0)] * 5
    port = ScriptedPort(script={"slack://T1/C0": list(limited)})
    outbox = make(db, port, clock, settings=FAST.model_copy(update={"max_attempts": 2}))
    await outbox.enqueue(channels(1), batch="b")
    await outbox.drain()
    clock.advance(timedelta(seconds=10))
    assert await outbox.drain() == 0  # Retry-After not over yet
    for _ in range(6):
        clock.advance(timedelta(seconds=32))
        await outbox.drain()
    [item] = (await outbox.report("b")).items
    assert (item.state, item.attempts) == ("sent", 1)


@pytest.mark.parametrize(
    ("platform", "state", "posts"),
    [
        ("slack", "sent", 1),  # find_delivery finds the post: no resend
        ("matrix", "sent", 1),  # no lookup, but the same txn id: resent, no double
        ("teams", "ambiguous", 1),  # no lookup, not idempotent: uncertain, not resent
    ],
)
async def test_unknown_outcome_is_reconciled_per_platform(
    db: Database, clock: FakeClock, platform: str, state: str, posts: int
) -> None:
    port = {"slack": ScriptedPort(), "matrix": PortWithoutLookup(idempotent=True),
            "teams": PortWithoutLookup()}[platform]
    port.script = {f"{platform}://T1/C0": ["post-then-timeout"]}
    outbox = make(db, port, clock)
    await outbox.enqueue(channels(1, platform), batch="b")
    await outbox.drain()
    [item] = (await outbox.report("b")).items
    assert item.state == "ambiguous"
    clock.advance(timedelta(hours=1))
    await outbox.drain()
    report = await outbox.report("b")
    assert report.items[0].state == state
    assert len(port.posts) == posts
    assert report.uncertain == (1 if state == "ambiguous" else 0)
    assert report.pending == 0


async def test_not_found_by_lookup_is_resent(db: Database, clock: FakeClock) -> None:
    port = ScriptedPort(script={"slack://T1/C0": [TimeoutError("connect timeout"), None]})
    outbox = make(db, port, clock)
    await outbox.enqueue(channels(1), batch="b")
    await outbox.drain()
    clock.advance(timedelta(hours=1))
    await outbox.drain()
    assert [item.state for item in (await outbox.report("b")).items] == ["sent"]
    assert len(port.posts) == 1


async def test_rows_of_a_crashed_instance_are_reconciled_before_any_resend(
    db: Database, clock: FakeClock
) -> None:
    port = ScriptedPort()
    dead = "otherhost:4242:dead"
    crashed = make(db, port, clock, instance=dead)
    await crashed.enqueue(channels(4), batch="b")
    repo = OutboxRepository(db)
    taken = await repo.take(dead, now=clock.now(), lease=timedelta(seconds=30), limit=4)
    # It marked two rows "sending"; it posted one of them before it died.
    from storage.outbox import Change

    for item in taken[:2]:
        assert item.row.id is not None
        await repo.apply([Change(item.row.id, dead, ("pending",), {"state": "sending"})])
    port._post(Address("slack", "T1", "C0"), taken[0].row.delivery_id)
    restarted = make(db, port, clock)
    assert await restarted.drain() == 0  # leases still held by the dead instance
    clock.advance(timedelta(seconds=31))
    await restarted.drain()
    assert sorted(port.per_target().values()) == [1, 1, 1, 1]
    report = await restarted.report("b")
    assert report.sent == 4


async def test_pause_and_cancel(db: Database, clock: FakeClock) -> None:
    port = ScriptedPort()
    outbox = make(db, port, clock)
    await outbox.enqueue(channels(5), batch="b")
    await outbox.set_paused("b", True)
    assert await outbox.drain() == 0
    report = await outbox.report("b")
    assert report.paused and report.pending == 5
    await outbox.set_paused("b", False)
    assert await outbox.cancel("b") == 5
    assert await outbox.drain() == 0
    report = await outbox.report("b")
    assert (report.cancelled, report.pending, len(port.posts)) == (5, 0, 0)


async def test_progress_rate_and_eta(db: Database, clock: FakeClock) -> None:
    port = ScriptedPort()
    outbox = make(db, port, clock, settings=FAST.model_copy(update={"max_in_flight": 10}))
    await outbox.enqueue(channels(40), batch="b")
    repo = OutboxRepository(db)
    for _ in range(2):  # 10 rows per second of (fake) time
        taken = await repo.take(outbox.instance, now=clock.now(), lease=timedelta(seconds=30),
                                limit=10)
        for item in taken:
            await outbox._deliver(item)
        clock.advance(timedelta(seconds=1))
    progress = await outbox.progress("b")
    assert (progress.sent, progress.pending) == (20, 20)
    assert progress.rate_per_second == pytest.approx(10.0)
    assert progress.eta == clock.now() + timedelta(seconds=2)


async def test_on_sent_gets_the_message_ref_and_reruns_after_a_failure(
    db: Database, clock: FakeClock, runner: RecordingRunner
) -> None:
    port = ScriptedPort()
    outbox = make(db, port, clock, runner=runner)
    runner.fail_kinds.add("demo.sent")
    await outbox.enqueue(channels(2), batch="b", on_sent="demo.sent", owner="local:anna")
    await outbox.drain()
    runner.fail_kinds.clear()
    await outbox.drain()  # the on_sent jobs that failed run again
    payloads = [p for k, p in runner.calls if k == "demo.sent"]
    # Failed twice (at the send, and at the re-run at the end of that drain), then once each.
    assert len(payloads) == 6
    assert {p["message"]["message_id"] for p in payloads[-2:]} == {"m1", "m2"}
    assert payloads[0]["batch"] == "b" and payloads[0]["delivery_id"].startswith("hs")
    await outbox.drain()
    assert len([k for k, _ in runner.calls if k == "demo.sent"]) == 6


async def test_a_batch_row_is_read_once_however_many_sends_finish_together(
    db: Database, clock: FakeClock, runner: RecordingRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The on_sent lookup of the batch is one read (single flight), not one per send: the
    first sends of an invitation all finish at once (at 1,000 DMs, ~600 reads: half the
    engine's CPU in benchmarks/fanout.py)."""
    reads: list[str] = []
    original = OutboxRepository.batch

    async def counted(self: OutboxRepository, name: str) -> object:
        reads.append(name)
        return await original(self, name)

    monkeypatch.setattr(OutboxRepository, "batch", counted)
    outbox = make(db, ScriptedPort(), clock, runner=runner)
    await outbox.enqueue(channels(40), batch="b", on_sent="demo.sent", owner="local:anna")
    await outbox.drain()
    assert len([k for k, _ in runner.calls if k == "demo.sent"]) == 40
    assert reads == ["b"]


async def test_multiport_routes_and_finds(db: Database, clock: FakeClock) -> None:
    slack = ScriptedPort(script={"slack://T1/C0": ["post-then-timeout"]})
    port = MultiPort({"slack": slack})
    outbox = make(db, port, clock)
    await outbox.enqueue(channels(1), batch="b")
    await outbox.drain()
    clock.advance(timedelta(hours=1))
    await outbox.drain()
    assert (await outbox.report("b")).sent == 1 and len(slack.posts) == 1


async def test_unknown_platform_fails_permanently(db: Database, clock: FakeClock) -> None:
    outbox = make(db, MultiPort({}), clock)
    await outbox.enqueue(channels(1), batch="b")
    await outbox.drain()
    assert (await outbox.report("b")).failed == 1


# Published budgets, scaled up x10 so the test takes about a second: Slack ~1/s per channel
# plus a workspace cap; Teams ~7/s per conversation and 50/s per tenant; Synapse's leaky
# bucket per sender (a token bucket with its burst).
PROFILES = {
    "slack": PlatformLimits(per_channel=10, channel_burst=1, per_workspace=100,
                            workspace_burst=10),
    "teams": PlatformLimits(per_channel=70, channel_burst=7, per_workspace=500,
                            workspace_burst=50),
    "matrix": PlatformLimits(per_channel=100, channel_burst=10, per_workspace=100,
                             workspace_burst=10),
}


@pytest.mark.parametrize("platform", list(PROFILES))
async def test_budgets_are_kept_against_an_enforcing_platform(
    db: Database, clock: FakeClock, platform: str
) -> None:
    """Our buckets sized to the platform's budgets: zero 429s, every target exactly once."""
    limits = PROFILES[platform]
    port = BudgetPort(per_channel=limits.per_channel, channel_burst=limits.channel_burst,
                      per_workspace=limits.per_workspace,
                      workspace_burst=limits.workspace_burst)
    outbox = make(db, port, clock, settings=DeliverySettings(limits={platform: limits}))
    items = [Delivery(HELLO, address=Address(platform, "W1", f"C{i % 4}", thread=f"t{i}"))
             for i in range(20)]
    items += [Delivery(HELLO, user=UserRef(platform, f"U{i}", "", "W1")) for i in range(40)]
    await outbox.enqueue(items, batch="b")
    await outbox.drain()
    assert port.rejected == 0
    assert sorted(set(port.per_target().values())) == [1] and len(port.posts) == 60


async def test_429s_from_a_stricter_platform_are_honoured(db: Database) -> None:
    """Budgets we do not know about: 429 + Retry-After, then everything once."""
    from commands.clock import SystemClock

    port = BudgetPort(per_channel=50, channel_burst=1, per_workspace=100, workspace_burst=5)
    unlimited = PlatformLimits(per_channel=0, per_workspace=0)
    outbox = Outbox(db, port, clock=SystemClock(), metrics=Metrics(),
                    settings=DeliverySettings(limits={"slack": unlimited}, poll_seconds=0.05))
    await outbox.enqueue(channels(30), batch="b")
    await outbox.start()
    try:
        for _ in range(200):
            if (await outbox.progress("b")).pending == 0:
                break
            await __import__("asyncio").sleep(0.05)
    finally:
        await outbox.stop()
    assert port.rejected > 0
    assert (await outbox.progress("b")).sent == 30
    assert sorted(set(port.per_target().values())) == [1]


async def test_finished_rows_are_purged_after_the_retention(db: Database, clock: FakeClock
                                                            ) -> None:
    port = ScriptedPort()
    outbox = make(db, port, clock, settings=FAST.model_copy(update={"retention_days": 7}))
    await outbox.enqueue(channels(3), batch="old")
    await outbox.drain()
    clock.advance(timedelta(days=8))
    await outbox.enqueue(channels(2), batch="new")
    await outbox.set_paused("new", True)
    assert await outbox.purge() == 3
    assert (await outbox.report("old")).total == 0
    assert (await outbox.report("new")).pending == 2
    await outbox.set_paused("new", False)
    await outbox.drain()  # the new batch's message body survived the purge
    assert (await outbox.report("new")).sent == 2


async def test_a_busy_conversation_does_not_hold_up_the_others(
    db: Database, clock: FakeClock
) -> None:
    """Many posts to one channel (1 at a time) and DMs to many people: the DMs all go in the
    first pass; the channel's surplus is parked in the table, not waiting in a slot."""
    limits = PlatformLimits(per_channel=10, channel_burst=1, per_workspace=0)
    settings = DeliverySettings(limits={"slack": limits}, max_in_flight=8,
                                queue_patience_seconds=0.2)
    port = BudgetPort(per_channel=10, channel_burst=1, per_workspace=1000,
                      workspace_burst=1000)
    outbox = make(db, port, clock, settings=settings)
    busy = [Delivery(HELLO, address=Address("slack", "T1", "C1", thread=f"t{i}"))
            for i in range(12)]
    dms = [Delivery(HELLO, user=UserRef("slack", f"U{i}", "", "T1")) for i in range(20)]
    await outbox.enqueue([*busy, *dms], batch="b")
    await outbox.drain()
    first_pass = port.per_target()
    assert all(first_pass[f"slack:U{i}"] == 1 for i in range(20))
    assert 1 <= sum(n for t, n in first_pass.items() if t.startswith("slack://")) < 12
    for _ in range(40):
        if not (await outbox.progress("b")).pending:
            break
        clock.advance(timedelta(seconds=1))
        await outbox.drain()
    report = await outbox.report("b")
    assert (report.sent, port.rejected) == (32, 0)
    assert set(port.per_target().values()) == {1}
    assert all(item.attempts == 1 for item in report.items)  # parking is not an attempt
