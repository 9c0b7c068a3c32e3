"""A durable ledger of processed inbound events (Slack event ids, Teams activity ids), so a
platform's retry is handled once, also after a crash. Old keys are purged."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete
from sqlmodel import Field, SQLModel, col

from storage.base import UTCDateTime
from storage.db import Database


class ProcessedEvent(SQLModel, table=True):
    __tablename__ = "processed_event"

    key: str = Field(primary_key=True, max_length=200)  # "slack:Ev123"
    seen_at: datetime = Field(sa_type=UTCDateTime, index=True)


class EventLedger:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def claim(self, key: str, *, at: datetime) -> bool:
        """True the first time ``key`` is seen; False for a repeat. Only the day is kept:
        an exact time next to a platform event id could be matched with the platform's own
        records of who sent it (a DM in an anonymous signal conversation)."""
        day = at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        return await self._db.insert_once(ProcessedEvent(key=key, seen_at=day))

    async def release(self, key: str) -> None:
        """Forget a claim whose processing failed, so the platform's retry is handled."""
        async with self._db.session() as session:
            await session.exec(delete(ProcessedEvent).where(col(ProcessedEvent.key) == key))  # type: ignore[call-overload]

    async def purge(self, *, before: datetime) -> int:
        async with self._db.session() as session:
            result = await session.exec(delete(ProcessedEvent).where(col(ProcessedEvent.seen_at) < before))  # type: ignore[call-overload]
            return int(result.rowcount or 0)
