"""Work-system notifications: which source events were seen (replays are ignored), what
waits for a digest or for the end of quiet hours, and what could not be handled (kept for
the admin with the error)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, col, delete, select

from storage.base import UTCDateTime
from storage.db import Database


class HookEvent(SQLModel, table=True):
    __tablename__ = "hook_event"
    __table_args__ = (UniqueConstraint("source", "event_key"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=60)
    event_key: str = Field(max_length=200)  # the source's event id, else a payload hash
    received_at: datetime = Field(sa_type=UTCDateTime, index=True)


class PendingNotice(SQLModel, table=True):
    """A notification held for a person's digest or until their quiet hours end."""

    __tablename__ = "pending_notice"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(index=True)
    source: str = Field(max_length=60)
    label: str = Field(max_length=60)
    markdown: str = Field(sa_type=sa.Text)
    due_at: datetime = Field(sa_type=UTCDateTime, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class RejectedHook(SQLModel, table=True):
    """A request hartslag could not turn into messages, kept for the admin with the reason."""

    __tablename__ = "rejected_hook"

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=60, index=True)
    reason: str = Field(max_length=500)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    received_at: datetime = Field(sa_type=UTCDateTime, index=True)


class NoticeRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def claim_event(self, source: str, key: str, *, at: datetime) -> bool:
        """Record that this source delivered this event, after its effect is durable (an
        outbox batch keyed by the event adds nothing when queued twice); False when it was
        recorded before (a retry or a replay)."""
        return await self._db.insert_once(HookEvent(source=source, event_key=key, received_at=at))

    async def seen(self, source: str, key: str) -> bool:
        async with self._db.session(readonly=True) as session:
            found = await session.exec(select(HookEvent.id).where(
                HookEvent.source == source, HookEvent.event_key == key))
            return found.first() is not None

    async def hold(self, notice: PendingNotice, *, event: tuple[str, str] | None = None
                   ) -> bool | None:
        """Keep ``notice``; True when it is the first one due at that time for that person.
        With ``event`` (source, key) the event is recorded in the same transaction: None,
        and nothing kept, when it was recorded before, so a replay cannot hold a notice
        twice and a crash cannot record an event whose notice was never kept."""
        try:
            async with self._db.session() as session:
                if event is not None:
                    session.add(HookEvent(source=event[0], event_key=event[1],
                                          received_at=notice.created_at))
                    await session.flush()
                earlier = await session.exec(select(PendingNotice.id).where(
                    PendingNotice.person_id == notice.person_id,
                    PendingNotice.due_at == notice.due_at))
                first = earlier.first() is None
                session.add(notice)
        except IntegrityError:
            return None
        return first

    async def due(self, person_id: int, *, now: datetime) -> list[PendingNotice]:
        """What is due for ``person_id`` (oldest first); kept until ``drop``."""
        async with self._db.session(readonly=True) as session:
            return list(await session.exec(
                select(PendingNotice).where(PendingNotice.person_id == person_id,
                                            col(PendingNotice.due_at) <= now)
                .order_by(col(PendingNotice.created_at), col(PendingNotice.id))))

    async def drop(self, ids: list[int]) -> None:
        """Forget held notices once their digest is safely in the outbox."""
        async with self._db.session() as session:
            await session.exec(delete(PendingNotice).where(  # type: ignore[call-overload]
                col(PendingNotice.id).in_(ids)))

    async def reject(self, source: str, reason: str, payload: dict[str, Any], *, at: datetime) -> int:
        async with self._db.session() as session:
            row = RejectedHook(source=source, reason=reason[:500], payload=payload, received_at=at)
            session.add(row)
            await session.flush()
            return int(row.id or 0)

    async def rejected(self, *, limit: int = 20) -> list[RejectedHook]:
        async with self._db.session(readonly=True) as session:
            query = select(RejectedHook).order_by(col(RejectedHook.id).desc()).limit(limit)
            return list(await session.exec(query))

