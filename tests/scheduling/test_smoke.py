"""The agreed seams work end to end: add a schedule, run it; enqueue a fan-out, drain it."""

from __future__ import annotations

from datetime import timedelta

from commands.clock import FakeClock
from commands.delivery import Delivery
from commands.metrics import Metrics
from commands.model import Address, OutgoingMessage, UserRef
from commands.timespec import parse
from scheduling.engine import Scheduler
from scheduling.outbox import Outbox
from storage.db import Database
from tests.support.fake_port import FakeChatPort

from .conftest import RecordingRunner


async def test_schedule_runs_at_its_slot(db: Database, clock: FakeClock,
                                         runner: RecordingRunner, metrics: Metrics) -> None:
    scheduler = Scheduler(db, clock=clock, runner=runner, metrics=metrics)
    trigger = parse("morgen 9:00", now=clock.now())
    schedule_id = await scheduler.add("demo.job", trigger, {"x": 1}, owner="local:anna")
    assert (await scheduler.run_due()).ran == 0
    clock.advance(timedelta(days=1))
    assert (await scheduler.run_due()).ran == 1
    assert runner.calls[0][0] == "demo.job" and runner.calls[0][1]["x"] == 1
    assert await scheduler.get(schedule_id) is None  # a once schedule is finished


async def test_outbox_sends_each_target_once(db: Database, clock: FakeClock,
                                             runner: RecordingRunner, metrics: Metrics) -> None:
    port = FakeChatPort()
    outbox = Outbox(db, port, clock=clock, metrics=metrics, runner=runner)
    message = OutgoingMessage("Hallo")
    deliveries = [Delivery(message, address=Address("local", "demo", f"#c{i}")) for i in range(5)]
    deliveries.append(Delivery(message, user=UserRef("local", "anna")))
    await outbox.enqueue(deliveries, batch="b1", on_sent="demo.sent")
    await outbox.enqueue(deliveries, batch="b1", on_sent="demo.sent")  # idempotent
    assert await outbox.drain() == 6
    assert len(port.sent) == 6
    report = await outbox.report("b1")
    assert (report.total, report.sent, report.pending) == (6, 6, 0)
    assert runner.kinds().count("demo.sent") == 6
