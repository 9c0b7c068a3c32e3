"""Schedules, their run ledger and the scheduler lease: the truth the timer is rebuilt from.

- ``schedule``: kind, trigger (JSON), payload (JSON), owner, and ``next_run``: the first slot
  not yet handled. Advancing it is a compare-and-set, so two instances never both take a slot.
- ``schedule_run``: one row per (schedule, slot), unique: a slot runs once, across restarts
  and instances. States: running, done, failed, missed, interrupted.
- ``scheduler_lease``: a row lease with a fencing token; the holder is the one instance that
  runs the timer.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import UniqueConstraint, delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

import storage.base  # noqa: F401  (naming convention before any table)
from storage.base import UTCDateTime
from storage.db import Database


class ScheduleRow(SQLModel, table=True):
    __tablename__ = "schedule"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=100, index=True)
    trigger: str = Field(sa_type=sa.Text)  # commands.timespec.to_json
    timezone: str = Field(max_length=64)
    payload: str = Field(sa_type=sa.Text)  # JSON object
    owner: str | None = Field(default=None, max_length=300, index=True)
    # The person told when a slot is missed or fails (``platform:id``); ``owner`` is the
    # entity the schedule belongs to ("announcement:7") and is not a person.
    notify: str | None = Field(default=None, max_length=300)
    paused: bool = False
    active: bool = Field(default=True, index=True)  # False once cancelled or finished
    next_run: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ScheduleRun(SQLModel, table=True):
    __tablename__ = "schedule_run"
    __table_args__ = (UniqueConstraint("schedule_id", "slot"),)

    id: int | None = Field(default=None, primary_key=True)
    schedule_id: int = Field(index=True)
    slot: datetime = Field(sa_type=UTCDateTime)
    state: str = Field(max_length=20, index=True)
    attempts: int = 1
    instance: str = Field(max_length=200)
    fence: int = 0
    started_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, max_length=500)


class SchedulerLease(SQLModel, table=True):
    __tablename__ = "scheduler_lease"

    name: str = Field(primary_key=True, max_length=50)
    holder: str = Field(max_length=200)
    token: int = 0  # fencing: +1 on every change of holder
    expires_at: datetime = Field(sa_type=UTCDateTime)


def instance_name() -> str:
    """``host:pid:random``: unique per process; lets a restart on the same host take over a
    lease held by a dead pid at once instead of waiting for it to expire."""
    return f"{socket.gethostname()}:{os.getpid()}:{os.urandom(3).hex()}"


def holder_dead(holder: str) -> bool:
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdecimal():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False  # another scheduler in this process (tests): alive
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@dataclass(frozen=True, slots=True)
class Claim:
    """A slot this instance took: run it (state running) or report it (state missed)."""

    run_id: int
    schedule_id: int
    slot: datetime
    state: str


@dataclass(frozen=True, slots=True)
class ClaimAsk:
    """A slot to take: schedule ``id`` at ``slot``, moving on to ``following``."""

    id: int
    slot: datetime
    following: datetime | None
    state: str  # running | missed


@dataclass(frozen=True, slots=True)
class Finish:
    """The outcome of one run."""

    run_id: int
    state: str
    at: datetime
    error: str | None = None


class ScheduleRepository:
    """All SQL of the scheduler; the engine never sees a session."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- schedules -----------------------------------------------------------------------
    async def add(self, row: ScheduleRow) -> int:
        async with self._db.session() as session:
            session.add(row)
            await session.flush()
            assert row.id is not None
            return row.id

    async def get(self, schedule_id: int, *, finished: bool = False) -> ScheduleRow | None:
        """An active schedule (or also a finished/cancelled one with ``finished=True``)."""
        async with self._db.session(readonly=True) as session:
            row = await session.get(ScheduleRow, schedule_id)
            return row if row is not None and (row.active or finished) else None

    async def active(self, *, kind_prefix: str = "", owner: str | None = None) -> list[ScheduleRow]:
        query = select(ScheduleRow).where(col(ScheduleRow.active).is_(True))
        if kind_prefix:
            query = query.where(col(ScheduleRow.kind).startswith(kind_prefix))
        if owner is not None:
            query = query.where(ScheduleRow.owner == owner)
        async with self._db.session(readonly=True) as session:
            return list(await session.exec(query.order_by(col(ScheduleRow.id))))

    async def deactivate(self, schedule_id: int, *, now: datetime) -> bool:
        async with self._db.session() as session:
            result = await session.exec(
                update(ScheduleRow)
                .where(col(ScheduleRow.id) == schedule_id, col(ScheduleRow.active).is_(True))
                .values(active=False, next_run=None, updated_at=now)
            )
            return bool(result.rowcount)

    async def set_paused(
        self, schedule_id: int, paused: bool, *, next_run: datetime | None, now: datetime
    ) -> bool:
        """Pause or resume; on resume ``next_run`` is the first slot after now."""
        values: dict[str, object] = {"paused": paused, "updated_at": now}
        if not paused:
            values["next_run"] = next_run
            values["active"] = next_run is not None
        async with self._db.session() as session:
            result = await session.exec(
                update(ScheduleRow)
                .where(col(ScheduleRow.id) == schedule_id, col(ScheduleRow.active).is_(True))
                .values(**values)
            )
            return bool(result.rowcount)

    async def due(self, now: datetime, *, limit: int = 200) -> list[ScheduleRow]:
        query = select(ScheduleRow).where(
            col(ScheduleRow.active).is_(True),
            col(ScheduleRow.paused).is_(False),
            col(ScheduleRow.next_run) <= now,
        ).order_by(col(ScheduleRow.next_run), col(ScheduleRow.id)).limit(limit)
        async with self._db.session(readonly=True) as session:
            return list(await session.exec(query))

    async def timers(self) -> list[tuple[int, datetime]]:
        """(id, next_run) of every schedule the timer should wake up for."""
        query = select(ScheduleRow.id, ScheduleRow.next_run).where(
            col(ScheduleRow.active).is_(True),
            col(ScheduleRow.paused).is_(False),
            col(ScheduleRow.next_run).is_not(None),
        )
        async with self._db.session(readonly=True) as session:
            return [(int(i), n) for i, n in await session.exec(query) if i is not None and n]

    # -- the ledger ----------------------------------------------------------------------
    async def claim(
        self, schedule_id: int, slot: datetime, *, next_run: datetime | None, state: str,
        instance: str, now: datetime, fence: tuple[str, int] | None = None,
    ) -> Claim | None:
        """Take one slot; see ``claim_many``."""
        claims = await self.claim_many([ClaimAsk(schedule_id, slot, next_run, state)],
                                       instance=instance, now=now, fence=fence)
        return claims[0] if claims else None

    async def claim_many(
        self, asks: Sequence[ClaimAsk], *, instance: str, now: datetime,
        fence: tuple[str, int] | None = None,
    ) -> list[Claim]:
        """Take slots in one transaction: per ask, move ``next_run`` on with a compare-and-set
        on the old value and record the run in the ledger (unique per schedule and slot).
        Asks another instance (or a lost lease) got to first are left out; the unique ledger
        makes that safe even without the lease."""
        claims: list[Claim] = []
        async with self._db.session() as session:
            if fence is not None and not await self._fence_ok(session, fence, now):
                return []
            for ask in asks:
                try:
                    async with session.begin_nested():
                        claim = await self._claim_one(session, ask, instance, now, fence)
                except IntegrityError:
                    claim = None
                if claim is not None:
                    claims.append(claim)
        return claims

    async def _claim_one(self, session: AsyncSession, ask: ClaimAsk, instance: str,
                         now: datetime, fence: tuple[str, int] | None) -> Claim | None:
        moved = await session.exec(
            update(ScheduleRow)
            .where(col(ScheduleRow.id) == ask.id, col(ScheduleRow.next_run) == ask.slot)
            .values(next_run=ask.following, active=ask.following is not None, updated_at=now)
        )
        if not moved.rowcount:
            return None
        run = ScheduleRun(
            schedule_id=ask.id, slot=ask.slot, state=ask.state, instance=instance,
            fence=fence[1] if fence else 0, started_at=now,
            finished_at=now if ask.state == "missed" else None,
        )
        session.add(run)
        await session.flush()
        assert run.id is not None
        return Claim(run.id, ask.id, ask.slot, ask.state)

    async def _fence_ok(self, session: AsyncSession, fence: tuple[str, int], now: datetime
                        ) -> bool:
        holder, token = fence
        lease = (await session.exec(
            select(SchedulerLease).where(SchedulerLease.name == "scheduler").with_for_update()
        )).first()
        return (lease is not None and lease.holder == holder and lease.token == token
                and lease.expires_at > now)

    async def finish(self, run_id: int, state: str, *, now: datetime, error: str | None = None,
                     ) -> None:
        await self.finish_many([Finish(run_id, state, now, error)])

    async def finish_many(self, finishes: Sequence[Finish]) -> list[None]:
        """Record the outcome of runs, in one transaction (the engine groups them)."""
        async with self._db.session() as session:
            for item in finishes:
                await session.exec(
                    update(ScheduleRun).where(col(ScheduleRun.id) == item.run_id)
                    .values(state=item.state, finished_at=item.at,
                            error=item.error[:500] if item.error else None)
                )
        return [None] * len(finishes)

    async def orphaned_runs(self, *, instance: str) -> list[ScheduleRun]:
        """Runs left 'running' by another (dead) instance: the caller holds the lease now."""
        query = select(ScheduleRun).where(
            ScheduleRun.state == "running", ScheduleRun.instance != instance
        )
        async with self._db.session(readonly=True) as session:
            return list(await session.exec(query))

    async def retake(self, run_id: int, *, instance: str, fence: int, now: datetime) -> bool:
        """Take over an orphaned run for one more attempt (compare-and-set on its state)."""
        async with self._db.session() as session:
            result = await session.exec(
                update(ScheduleRun)
                .where(col(ScheduleRun.id) == run_id, col(ScheduleRun.state) == "running",
                       col(ScheduleRun.instance) != instance)
                .values(instance=instance, fence=fence, started_at=now,
                        attempts=col(ScheduleRun.attempts) + 1)
            )
            return bool(result.rowcount)

    async def purge_runs(self, *, before: datetime) -> int:
        """Forget ledger rows of runs that finished before ``before``. Safe: a slot can only
        be taken while it is a schedule's ``next_run``, which never moves back."""
        async with self._db.session() as session:
            result = await session.exec(
                delete(ScheduleRun).where(col(ScheduleRun.finished_at) < before,
                                          col(ScheduleRun.state) != "running")
            )
            return int(result.rowcount or 0)

    async def runs(self, schedule_id: int) -> list[ScheduleRun]:
        query = select(ScheduleRun).where(ScheduleRun.schedule_id == schedule_id)
        async with self._db.session(readonly=True) as session:
            return list(await session.exec(query.order_by(col(ScheduleRun.slot))))

    async def count_runs(self, *, state: str | None = None) -> int:
        query = select(func.count()).select_from(ScheduleRun)
        if state is not None:
            query = query.where(ScheduleRun.state == state)
        async with self._db.session(readonly=True) as session:
            return int((await session.exec(query)).one())

    # -- the lease -----------------------------------------------------------------------
    async def acquire(self, name: str, holder: str, *, now: datetime, ttl: timedelta) -> int | None:
        """Take or renew the lease; the fencing token when held, else None."""
        try:
            async with self._db.session() as session:
                lease = (await session.exec(
                    select(SchedulerLease).where(SchedulerLease.name == name).with_for_update()
                )).first()
                if lease is None:
                    session.add(SchedulerLease(name=name, holder=holder, token=1,
                                               expires_at=now + ttl))
                    return 1
                if lease.holder != holder:
                    if lease.expires_at > now and not holder_dead(lease.holder):
                        return None
                    lease.holder = holder
                    lease.token += 1
                lease.expires_at = now + ttl
                session.add(lease)
                return lease.token
        except IntegrityError:
            return None

    async def lease(self, name: str) -> SchedulerLease | None:
        """The lease row as it is (who holds it, until when)."""
        return await self._db.get(SchedulerLease, name)

    async def release(self, name: str, holder: str, *, now: datetime) -> None:
        async with self._db.session() as session:
            await session.exec(
                update(SchedulerLease)
                .where(col(SchedulerLease.name) == name, col(SchedulerLease.holder) == holder)
                .values(expires_at=now - timedelta(seconds=1))
            )
