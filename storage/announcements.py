"""Announcements: the announcement itself, its runs (one delivery batch each), the copies
that were posted, acknowledgements, and the comms team's named audiences and templates.

Three aggregates share this module: ``AnnouncementRepository`` (announcement, runs, posts,
acknowledgements), ``AudienceRepository`` and ``TemplateRepository``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel, col, select

import storage.base  # noqa: F401  (naming convention before any table)
from storage.base import UTCDateTime
from storage.db import Database

# Announcement.state values; "until sent" means draft, pending, scheduled or paused.
STATES: tuple[str, ...] = ("draft", "pending", "scheduled", "paused", "sent", "cancelled",
                           "rejected")
OPEN_STATES: tuple[str, ...] = ("draft", "pending", "scheduled", "paused")
# A rejected announcement is not open (nothing of it runs), but its author may still change
# it (back to draft, to be approved again) or throw it away.
EDITABLE_STATES: tuple[str, ...] = (*OPEN_STATES, "rejected")


class Announcement(SQLModel, table=True):
    __tablename__ = "announcement"

    id: int | None = Field(default=None, primary_key=True)
    author_key: str = Field(max_length=300, index=True)
    author_name: str = Field(default="", max_length=200)
    author_workspace: str = Field(default="", max_length=200)
    title: str = Field(max_length=200)
    body: str = Field(sa_type=sa.Text)  # the author's Markdown, or the rendered template
    template: str | None = Field(default=None, max_length=80)
    variables: dict[str, str] = Field(default_factory=dict, sa_type=sa.JSON)
    targets: list[str] = Field(default_factory=list, sa_type=sa.JSON)  # str(Address)
    audiences: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    allow_mentions: bool = False
    trigger: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)  # None: now
    schedule_id: int | None = None
    remind_schedule_id: int | None = None
    ack: bool = False
    ack_due: datetime | None = Field(default=None, sa_type=UTCDateTime)
    embargo: datetime | None = Field(default=None, sa_type=UTCDateTime)
    needs_approval: bool = False
    decided_by: str | None = Field(default=None, max_length=300)
    decision_note: str = Field(default="", max_length=500)
    state: str = Field(default="draft", max_length=20, index=True)
    reminders_sent: int = 0
    last_reminder_on: str | None = Field(default=None, max_length=10)  # local date, ISO
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class AnnouncementRun(SQLModel, table=True):
    """One send of an announcement: a once announcement has one, a recurring one one per slot."""

    __tablename__ = "announcement_run"

    id: int | None = Field(default=None, primary_key=True)
    announcement_id: int = Field(foreign_key="announcement.id", index=True)
    batch: str = Field(max_length=200, unique=True)
    started_at: datetime = Field(sa_type=UTCDateTime)
    total: int = 0
    reported: bool = False


class AnnouncementPost(SQLModel, table=True):
    """A copy the outbox posted (from its ``on_sent`` callback)."""

    __tablename__ = "announcement_post"

    id: int | None = Field(default=None, primary_key=True)
    announcement_id: int = Field(foreign_key="announcement.id", index=True)
    batch: str = Field(max_length=200)
    delivery_id: str = Field(max_length=200, unique=True)
    target: str = Field(max_length=500)
    message_id: str = Field(default="", max_length=300)
    posted_at: datetime = Field(sa_type=UTCDateTime)


class AnnouncementAck(SQLModel, table=True):
    __tablename__ = "announcement_ack"
    __table_args__ = (sa.UniqueConstraint("announcement_id", "user_key"),)

    id: int | None = Field(default=None, primary_key=True)
    announcement_id: int = Field(foreign_key="announcement.id", index=True)
    user_key: str = Field(max_length=300)
    user_name: str = Field(default="", max_length=200)
    target: str = Field(default="", max_length=500)  # where the button was pressed
    at: datetime = Field(sa_type=UTCDateTime)


class AnnouncementAudience(SQLModel, table=True):
    __tablename__ = "announcement_audience"

    name: str = Field(primary_key=True, max_length=60)
    targets: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    four_eyes: bool = False
    created_by: str = Field(max_length=300)
    created_at: datetime = Field(sa_type=UTCDateTime)


class AnnouncementTemplate(SQLModel, table=True):
    __tablename__ = "announcement_template"

    name: str = Field(primary_key=True, max_length=60)
    source: str = Field(sa_type=sa.Text)
    created_by: str = Field(max_length=300)
    created_at: datetime = Field(sa_type=UTCDateTime)


class AnnouncementRepository:
    """Announcements with their runs, posts and acknowledgements."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, announcement: Announcement) -> Announcement:
        return await self._db.insert(announcement)

    async def get(self, announcement_id: int) -> Announcement | None:
        return await self._db.get(Announcement, announcement_id)

    async def update(self, announcement_id: int, **changes: Any) -> Announcement | None:
        return await self._db.change(Announcement, announcement_id, changes)

    async def transition(self, announcement_id: int, expected: Sequence[str], **changes: Any) -> Announcement | None:
        """Apply ``changes`` only when the state is one of ``expected`` (so two presses of
        one button, or an approve racing a cancel, act once). None when it was not."""
        return await self._db.change(Announcement, announcement_id, changes,
                                     when=lambda row: row.state in expected)

    async def open(self, *, states: Sequence[str] = OPEN_STATES, limit: int = 50) -> list[Announcement]:
        query = (select(Announcement).where(col(Announcement.state).in_(states))
                 .order_by(col(Announcement.id).desc()).limit(limit))
        async with self._db.session(readonly=True) as session:
            return list(await session.exec(query))

    async def start_run(self, announcement_id: int, batch: str, *, at: datetime, total: int) -> bool:
        """Record a run; False when this batch was recorded before (a retried job)."""
        return await self._db.insert_once(AnnouncementRun(
            announcement_id=announcement_id, batch=batch, started_at=at, total=total))

    async def runs(self, announcement_id: int) -> list[AnnouncementRun]:
        query = (select(AnnouncementRun).where(AnnouncementRun.announcement_id == announcement_id)
                 .order_by(col(AnnouncementRun.id)))
        async with self._db.session(readonly=True) as session:
            return list(await session.exec(query))

    async def run_by_batch(self, batch: str) -> AnnouncementRun | None:
        async with self._db.session(readonly=True) as session:
            found = await session.exec(select(AnnouncementRun).where(AnnouncementRun.batch == batch))
            return found.first()

    async def mark_reported(self, batch: str) -> bool:
        """True the first time a run's final report is claimed."""
        async with self._db.session() as session:
            found = (await session.exec(select(AnnouncementRun).where(AnnouncementRun.batch == batch))).first()
            if found is None or found.reported:
                return False
            found.reported = True
            session.add(found)
            return True

    async def add_post(self, post: AnnouncementPost) -> bool:
        return await self._db.insert_once(post)

    async def posts(self, announcement_id: int) -> list[AnnouncementPost]:
        query = select(AnnouncementPost).where(AnnouncementPost.announcement_id == announcement_id)
        async with self._db.session(readonly=True) as session:
            return list(await session.exec(query))

    async def acknowledge(self, ack: AnnouncementAck) -> bool:
        """True for a person's first acknowledgement; False when they had already."""
        return await self._db.insert_once(ack)

    async def acks(self, announcement_id: int) -> list[AnnouncementAck]:
        query = (select(AnnouncementAck).where(AnnouncementAck.announcement_id == announcement_id)
                 .order_by(col(AnnouncementAck.at)))
        async with self._db.session(readonly=True) as session:
            return list(await session.exec(query))


Named = TypeVar("Named", AnnouncementAudience, AnnouncementTemplate)


class _NamedRepository(Generic[Named]):
    """Rows the comms team keeps under a name it picks: saving under a known name replaces
    the ``_replaced`` columns and keeps who created it, and when."""

    _model: type[Named]
    _replaced: tuple[str, ...]

    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(self, row: Named) -> bool:
        """Create or replace; True when it was new."""
        async with self._db.session() as session:
            existing = await session.get(self._model, row.name)
            if existing is not None:
                for name in self._replaced:
                    setattr(existing, name, getattr(row, name))
                session.add(existing)
                return False
            session.add(row)
            return True

    async def get(self, name: str) -> Named | None:
        return await self._db.get(self._model, name)

    async def all(self) -> list[Named]:
        async with self._db.session(readonly=True) as session:
            return list(await session.exec(select(self._model).order_by(col(self._model.name))))

    async def delete(self, name: str) -> bool:
        return await self._db.delete(self._model, name)


class AudienceRepository(_NamedRepository[AnnouncementAudience]):
    """Named groups of targets, managed by the comms team."""

    _model = AnnouncementAudience
    _replaced = ("targets", "four_eyes")


class TemplateRepository(_NamedRepository[AnnouncementTemplate]):
    """Jinja2 templates written by the comms team (rendered sandboxed, never trusted)."""

    _model = AnnouncementTemplate
    _replaced = ("source",)
