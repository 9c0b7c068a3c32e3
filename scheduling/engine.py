"""The scheduler: schedule rows are the truth, APScheduler's AsyncIOScheduler is only the timer.

How a slot runs exactly once:

1. ``schedule.next_run`` is the first slot not yet handled. Taking a slot is one transaction
   that inserts (schedule id, slot) into the run ledger (unique) and moves ``next_run`` on with
   a compare-and-set. A second instance, a restart or a duplicate timer finds the slot taken.
2. The job runs after that commit (at most once per slot), and the ledger row records done or
   failed. A run left "running" by a crashed instance is taken over by the next leader and run
   once more (``max_attempts``, default 2) when still within the window; jobs get the slot in
   ``payload["_schedule"]`` so they can make their effects idempotent (e.g. an outbox batch
   key ``f"announce:{id}:{slot}"``).
3. Missed-slot policy: a due slot is run when it is at most the kind's window late (default
   6 h, ``[scheduler] missed_windows``); older slots are recorded as "missed", logged, counted
   in ``hartslag_errors_total{where="scheduler.missed"}`` and passed to ``on_missed`` so the
   feature can tell the owner. Nothing is dropped silently.
4. Leadership: one instance holds the ``scheduler`` row lease (``scheduler_lease``, renewed
   every ``refresh_seconds``, expiring after ``lease_seconds``; a holder pid that no longer
   exists on this host loses it at once). Each takeover increments a fencing token, and a
   slot is only taken while the lease row still names this instance with that token (checked
   in the claim transaction under ``FOR UPDATE``). A row lease rather than a PostgreSQL
   advisory lock: it works the same on SQLite and behind transaction-pooling PgBouncer.

``run_due()`` handles every due slot at ``clock.now()`` without the timer or the lease (the
ledger still guarantees once): tests and the scripted local chat drive time with a FakeClock.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from commands.clock import Clock
from commands.logsafe import error_fields
from commands.metrics import Metrics
from commands.schedule import JsonPayload, ScheduleInfo, Trigger
from commands.timespec import first_fire_time, from_json, next_fire_time, to_json, validate
from scheduling import Runner
from scheduling.settings import SchedulerSettings
from storage.db import Database
from storage.groupcommit import GroupCommit
from storage.scheduling import (
    Claim,
    ClaimAsk,
    Finish,
    ScheduleRepository,
    ScheduleRow,
    holder_dead,
    instance_name,
)

log = logging.getLogger("hartslag.scheduler")

MissedHandler = Callable[[ScheduleInfo, datetime], Awaitable[None]]
LEASE = "scheduler"
CLAIM_BATCH = 200  # schedules taken per transaction
JOB_CONCURRENCY = 16  # jobs of one batch running at once
PURGE_EVERY = 3600.0  # seconds between purges of old ledger rows


@dataclass(frozen=True, slots=True)
class RunResult:
    """What one ``run_due()`` did."""

    ran: int = 0
    failed: int = 0
    missed: int = 0


class Scheduler:
    """Implements ``commands.schedule.SchedulerPort`` plus ``start``/``stop``/``run_due``."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Clock,
        runner: Runner,
        metrics: Metrics,
        settings: SchedulerSettings | None = None,
        on_missed: MissedHandler | None = None,
        instance: str | None = None,
    ) -> None:
        self._repo = ScheduleRepository(db)
        self._clock = clock
        self._runner = runner
        self._metrics = metrics
        self._settings = settings or SchedulerSettings()
        self._on_missed = on_missed
        self.instance = instance or instance_name()
        self._timer: AsyncIOScheduler | None = None
        self._armed: dict[int, datetime] = {}
        self._fence: int | None = None  # fencing token while this instance leads
        self._held = False  # lease taken with hold_lease (no timer)
        self._sweeper: asyncio.Task[None] | None = None
        self._maintaining: asyncio.Task[Any] | None = None
        self._again = False
        self._next_purge = 0.0
        self._concurrency = asyncio.Semaphore(JOB_CONCURRENCY)
        self._finish: GroupCommit[Finish, None] = GroupCommit(
            self._repo.finish_many, name="hartslag.scheduler.finish")

    # -- SchedulerPort -------------------------------------------------------------------
    async def add(
        self, kind: str, trigger: Trigger, payload: JsonPayload, *, owner: str | None = None,
        notify: str | None = None,
    ) -> int:
        """Store a schedule; its first slot is the first fire time at or after now (a once
        trigger in the past still fires once, subject to the missed-slot window)."""
        trigger = validate(trigger)
        try:
            body = json.dumps(dict(payload), sort_keys=True)
        except TypeError as exc:
            raise ValueError(f"schedule payload must be JSON: {exc}") from None
        now = self._clock.now()
        first = first_fire_time(trigger, now)
        row = ScheduleRow(
            kind=kind, trigger=json.dumps(to_json(trigger)), timezone=trigger.timezone,
            payload=body, owner=owner, notify=notify, next_run=first, active=first is not None,
            created_at=now, updated_at=now,
        )
        schedule_id = await self._repo.add(row)
        self._arm(schedule_id, first)
        return schedule_id

    async def cancel(self, schedule_id: int) -> bool:
        done = await self._repo.deactivate(schedule_id, now=self._clock.now())
        self._disarm(schedule_id)
        return done

    async def set_paused(self, schedule_id: int, paused: bool) -> bool:
        """Pause or resume. Slots of a recurring schedule that fall while paused are skipped
        on purpose (not "missed"); a once slot keeps its time and follows the missed policy."""
        row = await self._repo.get(schedule_id)
        if row is None:
            return False
        now = self._clock.now()
        next_run = row.next_run
        if not paused:
            trigger = from_json(json.loads(row.trigger))
            if trigger.kind != "once" and (next_run is None or next_run <= now):
                next_run = next_fire_time(trigger, now)
        done = await self._repo.set_paused(schedule_id, paused, next_run=next_run, now=now)
        if paused:
            self._disarm(schedule_id)
        else:
            self._arm(schedule_id, next_run)
        return done

    async def get(self, schedule_id: int) -> ScheduleInfo | None:
        row = await self._repo.get(schedule_id)
        return _info(row) if row is not None else None

    async def list(self, *, kind_prefix: str = "", owner: str | None = None) -> list[ScheduleInfo]:
        return [_info(row) for row in await self._repo.active(kind_prefix=kind_prefix, owner=owner)]

    # -- running slots -------------------------------------------------------------------
    async def next_due(self) -> datetime | None:
        """The earliest pending slot of any active schedule: lets a fake clock jump from
        slot to slot instead of ticking (the scripted local chat, tests)."""
        return min((when for _, when in await self._repo.timers()), default=None)

    async def run_due(self) -> RunResult:
        """Handle every slot due at ``clock.now()``: run it, or record it as missed. Also
        waits for the timer's sweep, so every job due now has finished on return."""
        await self._settle()
        result = await self._run_due(fence=None)
        await self._settle()
        return result

    async def _settle(self) -> None:
        sweeper = self._sweeper
        if sweeper is not None and not sweeper.done():
            await asyncio.wait({sweeper})

    async def _run_due(self, *, fence: int | None) -> RunResult:
        """Take every due slot in batches (one transaction per batch of schedules, the
        earliest due slot of each) and run the jobs of a batch concurrently; repeat until
        nothing is due, so a schedule's catch-up slots still run in order."""
        total = RunResult()
        while True:
            now = self._clock.now()
            rows = await self._repo.due(now, limit=CLAIM_BATCH)
            if not rows:
                return total
            asks = [self._ask(row, now) for row in rows]
            claims = await self._repo.claim_many(
                asks, instance=self.instance, now=now,
                fence=(self.instance, fence) if fence is not None else None,
            )
            if not claims:
                return total  # taken by another instance, or our lease is gone
            by_id = {row.id: row for row in rows}
            taken = {claim.schedule_id for claim in claims}
            for ask in asks:
                if ask.id in taken:
                    self._arm(ask.id, ask.following)
            outcomes = await asyncio.gather(
                *(self._handle(by_id[claim.schedule_id], claim, now) for claim in claims)
            )
            total = RunResult(
                total.ran + outcomes.count("done"), total.failed + outcomes.count("failed"),
                total.missed + outcomes.count("missed"),
            )

    def _ask(self, row: ScheduleRow, now: datetime) -> ClaimAsk:
        assert row.id is not None and row.next_run is not None
        trigger = from_json(json.loads(row.trigger))
        following = next_fire_time(trigger, row.next_run)
        late = now - row.next_run
        state = "running" if late <= self._settings.window(row.kind) else "missed"
        return ClaimAsk(row.id, row.next_run, following.astimezone(UTC) if following else None,
                        state)

    async def _handle(self, row: ScheduleRow, claim: Claim, now: datetime) -> str:
        if claim.state == "missed":
            await self._missed(row, claim.slot, now - claim.slot)
            return "missed"
        async with self._concurrency:
            return "done" if await self._execute(row, claim) else "failed"

    async def _execute(self, row: ScheduleRow, claim: Claim) -> bool:
        payload = dict(json.loads(row.payload))
        payload["_schedule"] = {"id": claim.schedule_id, "slot": claim.slot.isoformat(),
                                "run": claim.run_id}
        try:
            await self._runner(row.kind, payload)
        except Exception as exc:
            log.error("scheduled job failed",
                      extra={"kind": row.kind, "schedule": row.id, **error_fields(exc)})
            self._metrics.errors.labels("scheduler").inc()
            await self._finish.write(Finish(claim.run_id, "failed", self._clock.now(),
                                            type(exc).__name__))
            return False
        await self._finish.write(Finish(claim.run_id, "done", self._clock.now()))
        return True

    async def _missed(self, row: ScheduleRow, slot: datetime, late: timedelta) -> None:
        log.warning(
            "scheduled slot missed",
            extra={"kind": row.kind, "schedule": row.id, "slot": slot.isoformat(),
                   "late_seconds": int(late.total_seconds())},
        )
        self._metrics.errors.labels("scheduler.missed").inc()
        if self._on_missed is None:
            return
        try:
            await self._on_missed(_info(row), slot)
        except Exception as exc:
            log.error("on_missed handler failed", extra={"schedule": row.id, **error_fields(exc)})

    async def purge(self) -> int:
        """Forget ledger rows older than ``run_retention_days``; returns how many."""
        before = self._clock.now() - timedelta(days=self._settings.run_retention_days)
        return await self._repo.purge_runs(before=before)

    async def recover(self) -> int:
        """Runs left "running" by a dead instance: run once more within the window and the
        attempt limit, else record "interrupted" and report them like a missed slot.

        An instance counts as dead when its process is gone on this host, or when its run
        started more than ``interrupted_after_seconds`` ago (another host: a stalled leader
        may still be running the job, so we do not rerun it at once)."""
        now = self._clock.now()
        patience = timedelta(seconds=self._settings.interrupted_after_seconds)
        redone = 0
        for run in await self._repo.orphaned_runs(instance=self.instance):
            assert run.id is not None
            if not holder_dead(run.instance) and now - run.started_at < patience:
                continue
            row = await self._repo.get(run.schedule_id, finished=True)
            if row is None:
                await self._repo.finish(run.id, "interrupted", now=now)
                continue
            late = now - run.slot
            if run.attempts < self._settings.max_attempts and late <= self._settings.window(
                row.kind
            ):
                if await self._repo.retake(run.id, instance=self.instance,
                                           fence=self._fence or 0, now=now):
                    await self._execute(row, Claim(run.id, run.schedule_id, run.slot, "running"))
                    redone += 1
                continue
            await self._repo.finish(run.id, "interrupted", now=now)
            await self._missed(row, run.slot, late)
        return redone

    # -- the timer and the lease ---------------------------------------------------------
    @property
    def is_leader(self) -> bool:
        return self._fence is not None

    async def hold_lease(self) -> str | None:
        """Take or renew the leader lease without the timer, for a process that runs slots
        itself with ``run_due`` (the local chat). None when this instance holds it now, else
        the live holder (``host:pid:...``): then the caller must not run slots.

        Judged by wall-clock time whatever this scheduler's clock says: a chat's fake clock
        one ``wait 1d`` ahead saw a running server's lease as long expired, took it and fired
        the server's schedules of the next day at once. While held, a server on the same
        database stays a follower."""
        ttl = timedelta(seconds=self._settings.lease_seconds)
        now = datetime.now(UTC)
        if await self._repo.acquire(LEASE, self.instance, now=now, ttl=ttl) is not None:
            self._held = True
            return None
        self._held = False
        lease = await self._repo.lease(LEASE)
        return lease.holder if lease is not None else "?"

    async def release_lease(self) -> None:
        """Give up a lease taken with ``hold_lease`` (by wall-clock time, as it was taken)."""
        if self._held:
            self._held = False
            await self._repo.release(LEASE, self.instance, now=datetime.now(UTC))

    async def start(self) -> None:
        """Start the timer; it runs slots only while this instance holds the lease."""
        if self._timer is not None:
            return
        self._timer = AsyncIOScheduler(timezone=UTC)
        self._timer.start()
        self._timer.add_job(
            self._maintain, IntervalTrigger(seconds=self._settings.refresh_seconds),
            id="hartslag.scheduler.maintain", next_run_time=datetime.now(UTC),
            misfire_grace_time=None, coalesce=True, max_instances=1,
        )

    async def stop(self) -> None:
        """Stop the timer, wait briefly for running jobs, give up the lease."""
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.pause()  # no new fires; the ones running finish their ledger writes
        self._armed.clear()
        self._again = False
        running = {t for t in (self._sweeper, self._maintaining) if t is not None and not t.done()}
        if running:
            await asyncio.wait(running, timeout=10)
        if timer is not None:
            timer.shutdown(wait=False)
        if self._fence is not None:
            self._fence = None
            await self._repo.release(LEASE, self.instance, now=self._clock.now())

    async def _maintain(self) -> None:
        """Renew or take the lease; as leader, rebuild timers from the rows and run what is
        due (a safety net under the timers)."""
        self._maintaining = asyncio.current_task()
        try:
            ttl = timedelta(seconds=self._settings.lease_seconds)
            token = await self._repo.acquire(LEASE, self.instance, now=self._clock.now(), ttl=ttl)
            if token is None:
                if self._fence is not None:
                    log.warning("scheduler lease lost; another instance leads now")
                self._fence = None
                self._disarm_all()
                return
            newly = self._fence != token
            if newly:
                log.info("scheduler lease taken", extra={"token": token})
                self._fence = token
            await self._sync_timers()
            self._kick()  # a safety net under the timers
            if time.monotonic() >= self._next_purge:
                self._next_purge = time.monotonic() + PURGE_EVERY
                await self.purge()
        except Exception as exc:
            log.error("scheduler maintenance failed", extra=error_fields(exc))
            self._metrics.errors.labels("scheduler").inc()

    def _kick(self) -> None:
        """Make the one sweeper task run due slots (again); timers only kick it, so many
        slots falling due at once are claimed in a few transactions, not one each."""
        self._again = True
        if self._sweeper is None or self._sweeper.done():
            self._sweeper = asyncio.create_task(self._sweep(), name="hartslag.scheduler.sweep")

    async def _sweep(self) -> None:
        while self._again and self._fence is not None:
            self._again = False
            try:
                await self.recover()  # one indexed query when there is nothing to do
                await self._run_due(fence=self._fence)
            except Exception as exc:
                log.error("scheduler sweep failed", extra=error_fields(exc))
                self._metrics.errors.labels("scheduler").inc()

    async def _sync_timers(self) -> None:
        wanted: dict[int, datetime] = dict(await self._repo.timers())
        for schedule_id in set(self._armed) - set(wanted):
            self._disarm(schedule_id)
        for schedule_id, when in wanted.items():
            if self._armed.get(schedule_id) != when:
                self._arm(schedule_id, when)

    def _arm(self, schedule_id: int, when: datetime | None) -> None:
        if self._timer is None or self._fence is None or when is None:
            return
        self._timer.add_job(
            self._fire, DateTrigger(run_date=when), args=[schedule_id],
            id=f"hartslag.schedule.{schedule_id}", replace_existing=True,
            misfire_grace_time=None, coalesce=True,
        )
        self._armed[schedule_id] = when

    def _disarm(self, schedule_id: int) -> None:
        if self._armed.pop(schedule_id, None) is not None and self._timer is not None:
            try:
                self._timer.remove_job(f"hartslag.schedule.{schedule_id}")
            except Exception:
                log.debug("timer already gone", extra={"schedule": schedule_id})

    def _disarm_all(self) -> None:
        for schedule_id in list(self._armed):
            self._disarm(schedule_id)

    async def _fire(self, schedule_id: int) -> None:
        self._armed.pop(schedule_id, None)
        self._kick()


def _info(row: ScheduleRow) -> ScheduleInfo:
    assert row.id is not None
    return ScheduleInfo(
        id=row.id, kind=row.kind, trigger=from_json(json.loads(row.trigger)),
        payload=json.loads(row.payload), owner=row.owner, paused=row.paused,
        next_run=row.next_run, notify=row.notify,
    )
