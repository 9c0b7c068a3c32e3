"""The scheduler: rows are the truth, one run per slot, the missed-slot policy, DST, pause,
the leader lease, and recovery of runs interrupted by a crash."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from commands.clock import FakeClock, SystemClock
from commands.metrics import Metrics
from commands.schedule import ScheduleInfo, Trigger
from commands.timespec import parse
from scheduling.engine import Scheduler
from scheduling.settings import SchedulerSettings
from storage.db import Database
from storage.scheduling import ScheduleRepository, ScheduleRun

from .conftest import RecordingRunner

AMS = ZoneInfo("Europe/Amsterdam")


def make(db: Database, clock: FakeClock, runner: RecordingRunner, **kwargs: object) -> Scheduler:
    return Scheduler(db, clock=clock, runner=runner, metrics=Metrics(), **kwargs)  # type: ignore[arg-type]


async def test_every_slot_runs_once_across_restarts(
    db: Database, clock: FakeClock, runner: RecordingRunner
) -> None:
    first = make(db, clock, runner)
    await first.add("demo.daily", parse("dagelijks 9:30", now=clock.now()), {})
    clock.advance(timedelta(minutes=45))
    for day in range(3):
        clock.advance(timedelta(days=1 if day else 0))
        await first.run_due()
        second = make(db, clock, runner)  # a restart, or a second instance
        await second.run_due()
        await first.run_due()
    assert len(runner.calls) == 3
    assert len(set(runner.slots())) == 3
    assert await ScheduleRepository(db).count_runs(state="missed") == 0


async def test_concurrent_instances_do_not_double_fire(
    db: Database, clock: FakeClock, runner: RecordingRunner
) -> None:
    instances = [make(db, clock, runner) for _ in range(4)]
    for hour in range(10, 16):
        await instances[0].add("demo.once", parse(f"vandaag {hour}:00", now=clock.now()), {})
    clock.advance(timedelta(hours=6))
    await asyncio.gather(*(s.run_due() for s in instances))
    assert sorted(runner.slots()) == sorted(set(runner.slots()))
    assert len(runner.calls) == 6


async def test_missed_slots_within_the_window_run_once_older_ones_are_flagged(
    db: Database, clock: FakeClock, runner: RecordingRunner
) -> None:
    flagged: list[tuple[int, datetime]] = []

    async def on_missed(info: ScheduleInfo, slot: datetime) -> None:
        flagged.append((info.id, slot))

    scheduler = make(db, clock, runner, on_missed=on_missed)
    sid = await scheduler.add("demo.daily", parse("dagelijks 9:30", now=clock.now()), {})
    # Down for three days; back at 11:00 on the fourth: 1.5 h late for that day's slot.
    clock.advance(timedelta(days=3, hours=2))
    result = await scheduler.run_due()
    assert (result.ran, result.missed) == (1, 3)
    assert runner.slots() == ["2026-11-26T08:30:00+00:00"]
    assert [slot.isoformat() for _, slot in flagged] == [
        "2026-11-23T08:30:00+00:00", "2026-11-24T08:30:00+00:00", "2026-11-25T08:30:00+00:00"]
    runs = await ScheduleRepository(db).runs(sid)
    assert [r.state for r in runs] == ["missed", "missed", "missed", "done"]
    assert (await scheduler.run_due()).ran == 0  # nothing twice


async def test_window_is_per_kind(db: Database, clock: FakeClock, runner: RecordingRunner) -> None:
    settings = SchedulerSettings(missed_windows={"demo.strict": 0.25})
    scheduler = make(db, clock, runner, settings=settings)
    await scheduler.add("demo.strict", parse("vandaag 9:30", now=clock.now()), {})
    await scheduler.add("demo.lenient", parse("vandaag 9:30", now=clock.now()), {})
    clock.advance(timedelta(hours=1))  # 30 minutes late
    result = await scheduler.run_due()
    assert (result.ran, result.missed) == (1, 1)
    assert runner.kinds() == ["demo.lenient"]


async def test_a_once_slot_in_the_past_still_fires_within_the_window(
    db: Database, clock: FakeClock, runner: RecordingRunner
) -> None:
    scheduler = make(db, clock, runner)
    past = Trigger("once", at=clock.now() - timedelta(hours=2))
    await scheduler.add("demo.once", past, {"a": 1})
    assert (await scheduler.run_due()).ran == 1
    assert runner.calls[0][1]["a"] == 1


async def test_dst_days_fire_at_the_wall_time(
    db: Database, runner: RecordingRunner
) -> None:
    clock = FakeClock(datetime(2026, 3, 27, 12, tzinfo=AMS))
    scheduler = make(db, clock, runner)
    await scheduler.add("demo.daily", Trigger("daily", time=time(9, 0)), {})
    await scheduler.add("demo.night", Trigger("daily", time=time(2, 30)), {})
    for _ in range(4 * 24):
        clock.advance(timedelta(hours=1))
        await scheduler.run_due()
    local = [datetime.fromisoformat(s).astimezone(AMS).strftime("%m-%d %H:%M")
             for s in runner.slots("demo.daily")]
    assert local == ["03-28 09:00", "03-29 09:00", "03-30 09:00", "03-31 09:00"]
    night = [datetime.fromisoformat(s).astimezone(AMS).strftime("%m-%d %H:%M")
             for s in runner.slots("demo.night")]
    assert night == ["03-28 02:30", "03-29 03:30", "03-30 02:30", "03-31 02:30"]


async def test_pause_skips_slots_resume_continues_cancel_stops(
    db: Database, clock: FakeClock, runner: RecordingRunner
) -> None:
    scheduler = make(db, clock, runner)
    sid = await scheduler.add("demo.daily", parse("dagelijks 9:30", now=clock.now()), {},
                              owner="local:anna")
    assert await scheduler.set_paused(sid, True)
    clock.advance(timedelta(days=2))
    assert (await scheduler.run_due()).ran == 0
    assert await scheduler.set_paused(sid, False)
    info = await scheduler.get(sid)
    assert info is not None and info.next_run is not None and info.next_run > clock.now()
    clock.advance(timedelta(hours=1))
    assert (await scheduler.run_due()).ran == 1
    assert [i.id for i in await scheduler.list(owner="local:anna")] == [sid]
    assert [i.id for i in await scheduler.list(kind_prefix="demo.")] == [sid]
    assert await scheduler.list(kind_prefix="other.") == []
    assert await scheduler.cancel(sid)
    assert not await scheduler.cancel(sid)
    assert await scheduler.get(sid) is None
    clock.advance(timedelta(days=1))
    assert (await scheduler.run_due()).ran == 0


async def test_a_failing_job_is_recorded_and_the_next_slot_still_runs(
    db: Database, clock: FakeClock, runner: RecordingRunner
) -> None:
    scheduler = make(db, clock, runner)
    sid = await scheduler.add("demo.fails", parse("dagelijks 9:30", now=clock.now()), {})
    runner.fail_kinds.add("demo.fails")
    clock.advance(timedelta(hours=1))
    assert (await scheduler.run_due()).failed == 1
    runner.fail_kinds.clear()
    clock.advance(timedelta(days=1))
    assert (await scheduler.run_due()).ran == 1
    states = [r.state for r in await ScheduleRepository(db).runs(sid)]
    assert states == ["failed", "done"]


async def test_payload_must_be_json(db: Database, clock: FakeClock,
                                    runner: RecordingRunner) -> None:
    scheduler = make(db, clock, runner)
    with pytest.raises(ValueError, match="JSON"):
        await scheduler.add("demo.x", parse("nu", now=clock.now()), {"when": clock.now()})


async def test_a_run_interrupted_by_a_crash_is_rerun_once(
    db: Database, clock: FakeClock, runner: RecordingRunner
) -> None:
    scheduler = make(db, clock, runner)
    sid = await scheduler.add("demo.once", parse("nu", now=clock.now()), {})
    repo = ScheduleRepository(db)
    info = await scheduler.get(sid)
    assert info is not None and info.next_run is not None
    # A dead instance took the slot and died while running it.
    claim = await repo.claim(sid, info.next_run, next_run=None, state="running",
                             instance="otherhost:1:dead", now=clock.now())
    assert claim is not None
    assert (await scheduler.run_due()).ran == 0  # the ledger says: taken
    assert await scheduler.recover() == 0  # another host: it may still be running the job
    clock.advance(timedelta(minutes=11))
    assert await scheduler.recover() == 1
    assert len(runner.calls) == 1
    assert await scheduler.recover() == 0
    [run] = await repo.runs(sid)
    assert (run.state, run.attempts) == ("done", 2)


async def test_leader_lease_one_holder_and_takeover(db: Database, clock: FakeClock) -> None:
    repo = ScheduleRepository(db)
    ttl = timedelta(seconds=10)
    assert await repo.acquire("scheduler", "a:1:x", now=clock.now(), ttl=ttl) == 1
    assert await repo.acquire("scheduler", "b:2:y", now=clock.now(), ttl=ttl) is None
    assert await repo.acquire("scheduler", "a:1:x", now=clock.now(), ttl=ttl) == 1  # renew
    clock.advance(timedelta(seconds=11))
    assert await repo.acquire("scheduler", "b:2:y", now=clock.now(), ttl=ttl) == 2  # fenced
    # The old holder's claims are refused by the fencing check.
    claim = await repo.claim(1, clock.now(), next_run=None, state="running", instance="a:1:x",
                             now=clock.now(), fence=("a:1:x", 1))
    assert claim is None


async def test_started_scheduler_fires_on_its_timer(db: Database) -> None:
    """The real timer path (APScheduler) with the system clock; bounded wait, no timing
    assertion."""
    runner = RecordingRunner()
    settings = SchedulerSettings(lease_seconds=3, refresh_seconds=0.5)
    leader = Scheduler(db, clock=SystemClock(), runner=runner, metrics=Metrics(),
                       settings=settings)
    follower = Scheduler(db, clock=SystemClock(), runner=runner, metrics=Metrics(),
                         settings=settings)
    await leader.start()
    await follower.start()
    try:
        now = datetime.now(UTC)
        for i in range(3):
            await follower.add(f"demo.t{i}", Trigger("once", at=now + timedelta(seconds=0.3 * i)),
                               {})
        for _ in range(100):
            if len(runner.calls) >= 3:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)
        assert sorted(runner.kinds()) == ["demo.t0", "demo.t1", "demo.t2"]
        assert leader.is_leader != follower.is_leader
    finally:
        await leader.stop()
        await follower.stop()


def _unused(run: ScheduleRun) -> None:  # keep the import used for readers of the ledger type
    del run


async def test_old_ledger_rows_are_purged_and_slots_still_run_once(
    db: Database, clock: FakeClock, runner: RecordingRunner
) -> None:
    scheduler = make(db, clock, runner, settings=SchedulerSettings(run_retention_days=2))
    sid = await scheduler.add("demo.daily", parse("dagelijks 9:30", now=clock.now()), {})
    for _ in range(4):
        clock.advance(timedelta(hours=1))
        await scheduler.run_due()
        clock.advance(timedelta(hours=23))
    assert len(runner.calls) == 4
    assert await scheduler.purge() == 2
    assert (await scheduler.run_due()).ran == 0
    assert len(await ScheduleRepository(db).runs(sid)) == 2


async def test_the_owner_hears_about_a_missed_slot(
    db: Database, clock: FakeClock, runner: RecordingRunner
) -> None:
    from commands.model import UserRef
    from scheduling.missed import OwnerNotifier, owner_ref
    from scheduling.outbox import Outbox
    from tests.support.fake_port import FakeChatPort

    port = FakeChatPort()
    outbox = Outbox(db, port, clock=clock, metrics=Metrics())
    scheduler = make(db, clock, runner, on_missed=OwnerNotifier(outbox))
    await scheduler.add("pulse.open", parse("vandaag 9:30", now=clock.now()), {},
                        owner="local:anna")
    await scheduler.add("pulse.open", parse("vandaag 9:45", now=clock.now()), {},
                        owner="signals")  # not a person: logged and recorded only
    clock.advance(timedelta(hours=8))
    assert (await scheduler.run_due()).missed == 2
    await outbox.drain()
    [text] = port.texts_to("local:anna")
    assert "pulse.open" in text and "09:30" in text and "niet uitgevoerd" in text
    assert len(port.sent) == 1
    assert owner_ref("matrix:@anna:example.org") == UserRef("matrix", "@anna:example.org")
    assert owner_ref("signals") is None


async def test_a_run_of_a_dead_process_on_this_host_is_rerun_at_once(
    db: Database, clock: FakeClock, runner: RecordingRunner
) -> None:
    import socket
    import sys

    gone = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await gone.wait()
    scheduler = make(db, clock, runner)
    sid = await scheduler.add("demo.once", parse("nu", now=clock.now()), {})
    info = await scheduler.get(sid)
    assert info is not None and info.next_run is not None
    await ScheduleRepository(db).claim(
        sid, info.next_run, next_run=None, state="running",
        instance=f"{socket.gethostname()}:{gone.pid}:dead", now=clock.now())
    assert await scheduler.recover() == 1
    assert runner.kinds() == ["demo.once"]
