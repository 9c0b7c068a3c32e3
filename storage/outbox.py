"""The outbox: one row per (batch, target), the only record of what was, is being, or will be
posted. States: pending -> sending -> sent | failed | ambiguous (sent or not, unknown: a crash
or a timeout between "sending" and the answer) | cancelled.

Rows are taken under a lease (``lease_owner``/``lease_until``): ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, the single ``BEGIN IMMEDIATE`` writer on SQLite. Every later write is conditional
on still holding the lease, which fences off an instance that stalled past its lease.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Index, UniqueConstraint, delete, func, insert, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError
from sqlmodel import Field, SQLModel, col, select

import storage.base  # noqa: F401  (naming convention before any table)
from storage.base import UTCDateTime
from storage.db import Database
from storage.scheduling import holder_dead

OPEN_STATES = ("pending", "sending", "ambiguous")


class OutboxBatch(SQLModel, table=True):
    __tablename__ = "outbox_batch"

    batch: str = Field(primary_key=True, max_length=200)
    owner: str | None = Field(default=None, max_length=300)
    on_sent: str | None = Field(default=None, max_length=100)
    paused: bool = False
    cancelled: bool = False
    total: int = 0
    created_at: datetime = Field(sa_type=UTCDateTime)


class OutboxMessage(SQLModel, table=True):
    """Message bodies by content hash: a 5,000-target fan-out stores its message once."""

    __tablename__ = "outbox_message"

    digest: str = Field(primary_key=True, max_length=64)
    body: str = Field(sa_type=sa.Text)


class OutboxRow(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("batch", "target"),
        Index("ix_outbox_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: str = Field(max_length=64, unique=True)
    batch: str = Field(max_length=200, index=True)
    target: str = Field(max_length=600)  # str(Address) or UserRef.key
    recipient: str = Field(sa_type=sa.Text)  # JSON: {"address": ...} or {"user": {...}}
    platform: str = Field(max_length=20)
    scope: str = Field(max_length=300)  # workspace / tenant / homeserver: a rate-limit key
    channel: str = Field(max_length=600)  # conversation: a rate-limit key
    digest: str = Field(max_length=64)
    state: str = Field(max_length=12)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_owner: str | None = Field(default=None, max_length=200, index=True)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    message_id: str | None = Field(default=None, max_length=500)
    message_address: str | None = Field(default=None, max_length=600)
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    notified: bool = False  # on_sent job ran
    # Failed reconciliation lookups (apart from ``attempts``: a lookup that fails is no send).
    lookups: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Installation(SQLModel, table=True):
    """One row per database: the random installation id that makes delivery ids unique
    across databases (a restored or second installation never matches another's posts)."""

    __tablename__ = "installation"

    name: str = Field(primary_key=True, max_length=50)
    value: str = Field(max_length=100)


class DeliveryBudget(SQLModel, table=True):
    """A rate budget shared by every instance on this database (PostgreSQL), as time slots:
    ``next_slot`` is the first free send time (the database server's clock, epoch seconds,
    so instances' clocks never disagree about it). Each grant hands out slots 1/rate apart."""

    __tablename__ = "delivery_budget"

    key: str = Field(primary_key=True, max_length=400)
    next_slot: float = 0.0


INSTALLATION = "installation_id"


@dataclass(frozen=True, slots=True)
class Taken:
    """A row this instance leased, with its message body."""

    row: OutboxRow
    body: str


@dataclass(frozen=True, slots=True)
class Change:
    """One conditional write: applied only while ``owner`` still holds the row's lease and the
    row is in one of ``when`` states. ``values`` are column -> value."""

    row_id: int
    owner: str
    when: tuple[str, ...]
    values: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Renew:
    """Extend the lease of every open row ``owner`` holds to ``until``."""

    owner: str
    until: datetime


_TABLE: sa.Table = OutboxRow.__table__  # type: ignore[attr-defined]
_BUDGET: sa.Table = DeliveryBudget.__table__  # type: ignore[attr-defined]
_C = _TABLE.c


def _grouped_update(owner: str, when: tuple[str, ...], group: Sequence[Change]) -> sa.Update:
    """One UPDATE for changes of the same shape: columns whose values differ per row become
    ``CASE id WHEN ...``; RETURNING says which rows were still ours to change."""
    ids = [change.row_id for change in group]
    values: dict[str, Any] = {}
    for name in group[0].values:
        distinct = {repr(change.values[name]) for change in group}
        if len(distinct) == 1:
            values[name] = group[0].values[name]
        else:
            column = _C[name]
            values[name] = sa.case(
                {change.row_id: sa.literal(change.values[name], column.type) for change in group},
                value=_C.id,
            )
    return (
        _TABLE.update()
        .where(_C.id.in_(ids), _C.lease_owner == owner, _C.state.in_(when))
        .values(**values)
        .returning(_C.id)
    )


def _is_conflict(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return "deadlock" in text or "could not serialize" in text


class OutboxRepository:
    """All SQL of the outbox."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def installation_id(self) -> str:
        """This database's installation id, created once (the migration makes it; a
        database made otherwise gets it on first use). Racing instances agree: the first
        insert wins and everyone reads it back."""
        async with self._db.session() as session:
            found = await session.get(Installation, INSTALLATION)
            if found is not None:
                return found.value
        # False: another instance made it first, and its value is the one read below.
        await self._db.insert_once(Installation(name=INSTALLATION, value=secrets.token_hex(8)))
        async with self._db.session(readonly=True) as session:
            made = await session.get(Installation, INSTALLATION)
            assert made is not None
            return made.value

    async def grant(self, key: str, *, rate: float, burst: int, want: int,
                    horizon: float) -> tuple[list[float], float, float]:
        """Up to ``want`` send slots of the shared budget ``key`` (``rate`` per second, up to
        ``burst`` at once after a pause: no window of w seconds holds more than
        ``burst + floor(w * rate)``), none further than ``horizon`` seconds ahead:
        the seconds from now until each slot, when none was free the seconds to wait, and
        "now": the server clock they count from (epoch seconds), so an instance can place
        the slots on its own clock however long the answer took to arrive.

        The row is locked first and the server clock read only under the lock, so grants
        are ordered by the lock and no two instances get the same slot."""
        now_epoch = sa.func.extract("epoch", sa.func.clock_timestamp())
        async with self._db.session() as session:
            conn = await session.connection()
            locked = await self._lock_budget(conn, key)
            if locked is None:  # first use (racing makers: the first insert wins)
                await conn.execute(pg_insert(_BUDGET).values(key=key, next_slot=0.0)
                                   .on_conflict_do_nothing(index_elements=["key"]))
                locked = await self._lock_budget(conn, key)
                assert locked is not None
            # A token bucket of ``burst``: after a pause the first slot may lie burst - 1
            # slots back (those go at once); every slot up to now + horizon is granted.
            backlog = (max(1, burst) - 1) / rate
            start = sa.func.greatest(_BUDGET.c.next_slot, now_epoch - backlog)
            count = sa.func.least(want, sa.func.greatest(
                0, sa.func.floor((now_epoch + horizon - start) * rate) + 1))
            after, now = (await conn.execute(
                _BUDGET.update().where(_BUDGET.c.key == key)
                .values(next_slot=start + count / rate)
                .returning(_BUDGET.c.next_slot, now_epoch)
            )).one()
        now = float(now)
        first = max(locked, now - backlog)
        granted = max(0, round((after - first) * rate))
        slots = [max(0.0, first + i / rate - now) for i in range(granted)]
        wait = 0.0 if slots else max(0.001, first - (now + horizon))  # until it is in reach
        return slots, wait, now

    @staticmethod
    async def _lock_budget(conn: Any, key: str) -> float | None:
        return (await conn.execute(
            sa.select(_BUDGET.c.next_slot).where(_BUDGET.c.key == key).with_for_update()
        )).scalar_one_or_none()

    async def enqueue(
        self, batch: OutboxBatch, bodies: Mapping[str, str], rows: Sequence[Mapping[str, Any]]
    ) -> bool:
        """Store a batch atomically; False (and nothing written) when it already exists."""
        async with self._db.session() as session:
            if await session.get(OutboxBatch, batch.batch) is not None:
                return False
            session.add(batch)
            known = set((await session.exec(
                select(OutboxMessage.digest).where(col(OutboxMessage.digest).in_(list(bodies)))
            )).all())
            for digest, body in bodies.items():
                if digest not in known:
                    session.add(OutboxMessage(digest=digest, body=body))
            await session.flush()
            for start in range(0, len(rows), 500):
                await session.exec(insert(OutboxRow), params=list(rows[start:start + 500]))  # type: ignore[call-overload]
            return True

    async def take(self, owner: str, *, now: datetime, lease: timedelta, limit: int) -> list[Taken]:
        """Lease up to ``limit`` due rows (pending, or ambiguous awaiting reconciliation) of
        batches that are not paused: rows awaiting reconciliation first, then the longest
        due."""
        query = (
            select(OutboxRow)
            .join(OutboxBatch, col(OutboxBatch.batch) == col(OutboxRow.batch))
            .where(
                col(OutboxRow.state).in_(("pending", "ambiguous")),
                col(OutboxRow.next_attempt_at) <= now,
                or_(col(OutboxRow.lease_until).is_(None), col(OutboxRow.lease_until) < now),
                col(OutboxBatch.paused).is_(False),
            )
            # In the order of ix_outbox_state_next_attempt_at (ties by id): ordering by id
            # alone made SQLite sort every due row on each take (102 ms per take with
            # 78,000 pending, 0.2 ms in index order), so the cost per DM grew with the batch.
            .order_by(col(OutboxRow.state), col(OutboxRow.next_attempt_at), col(OutboxRow.id))
            .limit(limit)
            .with_for_update(skip_locked=True, of=OutboxRow)  # type: ignore[arg-type]
        )
        async with self._db.session() as session:
            rows = list(await session.exec(query))
            if not rows:
                return []
            ids = [r.id for r in rows]
            await session.exec(
                update(OutboxRow).where(col(OutboxRow.id).in_(ids))
                .values(lease_owner=owner, lease_until=now + lease)
            )
            digests = {r.digest for r in rows}
            bodies = dict((await session.exec(
                select(OutboxMessage.digest, OutboxMessage.body)
                .where(col(OutboxMessage.digest).in_(digests))
            )).all())
            return [Taken(r, bodies[r.digest]) for r in rows]

    async def apply(self, changes: Sequence[Change | Renew]) -> list[bool]:
        """Apply conditional writes in one transaction (the group commit of the dispatcher).

        One writer per process applies every write to the rows it holds, in row-id order, so
        two transactions never lock the same rows in opposite orders (PostgreSQL deadlocks);
        a deadlock with another process (a batch-wide cancel) is retried."""
        for attempt in range(4):
            try:
                return await self._apply(changes)
            except DBAPIError as exc:
                if attempt == 3 or not _is_conflict(exc):
                    raise
        raise AssertionError("unreachable")

    async def _apply(self, changes: Sequence[Change | Renew]) -> list[bool]:
        # Core statements, one per group of like changes (same holder, states and columns):
        # this is the hot path of a fan-out, and every statement is a round trip (to the
        # SQLite thread or the server), so N rows cost a few statements, not N.
        results: dict[int, bool] = {}
        groups: dict[tuple[str, tuple[str, ...], tuple[str, ...]], list[int]] = {}
        async with self._db.session() as session:
            conn = await session.connection()
            for index, change in enumerate(changes):
                if isinstance(change, Renew):
                    await conn.execute(
                        _TABLE.update()
                        .where(_C.lease_owner == change.owner, _C.state.in_(OPEN_STATES))
                        .values(lease_until=change.until)
                    )
                    results[index] = True
                else:
                    key = (change.owner, change.when, tuple(sorted(change.values)))
                    groups.setdefault(key, []).append(index)
            for (owner, when, _), indexes in groups.items():
                group = [changes[i] for i in indexes]
                done = await conn.execute(_grouped_update(owner, when, group))  # type: ignore[arg-type]
                ok = {row_id for (row_id,) in done}
                for i in indexes:
                    results[i] = changes[i].row_id in ok  # type: ignore[union-attr]
        return [results[i] for i in range(len(changes))]

    async def reap(self, *, now: datetime, owner: str) -> int:
        """Rows whose lease holder is gone: "sending" becomes "ambiguous" (reconciled before
        any resend), other leases are released. A holder is gone when its lease expired or,
        on this host, when its process no longer exists. Returns rows made ambiguous."""
        async with self._db.session() as session:
            holders = set((await session.exec(
                select(OutboxRow.lease_owner).where(
                    col(OutboxRow.lease_owner).is_not(None),
                    col(OutboxRow.lease_owner) != owner,
                    col(OutboxRow.state).in_(OPEN_STATES),
                ).distinct()
            )).all())
            dead = [h for h in holders if h and holder_dead(h)]
            gone = or_(col(OutboxRow.lease_until) < now, col(OutboxRow.lease_owner).in_(dead))
            made = await session.exec(
                update(OutboxRow)
                .where(col(OutboxRow.state) == "sending", gone)
                .values(state="ambiguous", next_attempt_at=now, lease_owner=None,
                        lease_until=None, error="interrupted while sending")
            )
            await session.exec(
                update(OutboxRow)
                .where(col(OutboxRow.state).in_(("pending", "ambiguous")),
                       col(OutboxRow.lease_owner).is_not(None), gone)
                .values(lease_owner=None, lease_until=None)
            )
            return int(made.rowcount or 0)

    async def release(self, owner: str) -> None:
        """Give back rows leased but not yet being sent (clean stop)."""
        async with self._db.session() as session:
            await session.exec(
                update(OutboxRow).where(
                    col(OutboxRow.lease_owner) == owner,
                    col(OutboxRow.state).in_(("pending", "ambiguous")),
                ).values(lease_owner=None, lease_until=None)
            )

    # -- batches and reports -------------------------------------------------------------
    async def batch(self, batch: str) -> OutboxBatch | None:
        return await self._db.get(OutboxBatch, batch)

    async def counts(self, batch: str) -> dict[str, int]:
        """Rows per state; ambiguous rows settled for good (no next attempt) count under
        ``"ambiguous!"``, those still awaiting reconciliation under ``"ambiguous"``."""
        final = col(OutboxRow.next_attempt_at).is_(None)
        query = (select(OutboxRow.state, final, func.count()).where(OutboxRow.batch == batch)
                 .group_by(col(OutboxRow.state), final))
        counts: dict[str, int] = {}
        async with self._db.session(readonly=True) as session:
            for state, is_final, n in await session.exec(query):
                key = "ambiguous!" if state == "ambiguous" and is_final else state
                counts[key] = counts.get(key, 0) + int(n)
        return counts

    async def sent_since(self, batch: str, since: datetime) -> tuple[int, datetime | None]:
        """Rows sent at or after ``since`` and the first send time of the batch."""
        async with self._db.session(readonly=True) as session:
            recent = (await session.exec(
                select(func.count()).where(OutboxRow.batch == batch,
                                           col(OutboxRow.sent_at) >= since)
            )).one()
            first = (await session.exec(
                select(func.min(OutboxRow.sent_at)).where(OutboxRow.batch == batch)
            )).one()
        return int(recent), first

    async def rows(self, batch: str) -> list[OutboxRow]:
        async with self._db.session(readonly=True) as session:
            query = select(OutboxRow).where(OutboxRow.batch == batch).order_by(col(OutboxRow.id))
            return list(await session.exec(query))

    async def set_paused(self, batch: str, paused: bool) -> bool:
        async with self._db.session() as session:
            result = await session.exec(
                update(OutboxBatch).where(col(OutboxBatch.batch) == batch).values(paused=paused)
            )
            return bool(result.rowcount)

    async def cancel(self, batch: str) -> int:
        """Cancel rows not yet handed to a platform; in-flight rows finish."""
        async with self._db.session() as session:
            await session.exec(
                update(OutboxBatch).where(col(OutboxBatch.batch) == batch).values(cancelled=True)
            )
            result = await session.exec(
                update(OutboxRow).where(col(OutboxRow.batch) == batch,
                                        col(OutboxRow.state) == "pending")
                .values(state="cancelled", next_attempt_at=None, lease_owner=None,
                        lease_until=None)
            )
            return int(result.rowcount or 0)

    async def depth(self) -> int:
        async with self._db.session(readonly=True) as session:
            return int((await session.exec(
                select(func.count()).where(col(OutboxRow.state).in_(OPEN_STATES))
            )).one())

    async def next_due(self) -> datetime | None:
        async with self._db.session(readonly=True) as session:
            return (await session.exec(
                select(func.min(OutboxRow.next_attempt_at))
                .where(col(OutboxRow.state).in_(("pending", "ambiguous")))
            )).one()

    async def purge(self, *, before: datetime) -> int:
        """Delete finished rows created before ``before`` (data minimisation: who got what
        is kept no longer than needed), then emptied batches and unused message bodies."""
        finished = or_(col(OutboxRow.state).in_(("sent", "failed", "cancelled")),
                       (col(OutboxRow.state) == "ambiguous")
                       & col(OutboxRow.next_attempt_at).is_(None))
        async with self._db.session() as session:
            result = await session.exec(
                delete(OutboxRow).where(col(OutboxRow.created_at) < before, finished)
            )
            await session.exec(delete(OutboxBatch).where(
                col(OutboxBatch.created_at) < before,
                ~select(OutboxRow.id).where(OutboxRow.batch == OutboxBatch.batch).exists(),
            ))
            await session.exec(delete(OutboxMessage).where(
                ~select(OutboxRow.id).where(OutboxRow.digest == OutboxMessage.digest).exists(),
            ))
            return int(result.rowcount or 0)

    async def unnotified(self, *, limit: int = 500) -> list[tuple[OutboxRow, str]]:
        """Sent rows whose batch has an on_sent job that has not run (e.g. after a crash)."""
        query = (
            select(OutboxRow, OutboxBatch.on_sent)
            .join(OutboxBatch, col(OutboxBatch.batch) == col(OutboxRow.batch))
            .where(OutboxRow.state == "sent", col(OutboxRow.notified).is_(False),
                   col(OutboxBatch.on_sent).is_not(None))
            .limit(limit)
        )
        async with self._db.session(readonly=True) as session:
            return [(row, str(kind)) for row, kind in await session.exec(query)]

    async def mark_notified(self, row_ids: Sequence[int]) -> None:
        async with self._db.session() as session:
            await session.exec(
                update(OutboxRow).where(col(OutboxRow.id).in_(list(row_ids))).values(notified=True)
            )
