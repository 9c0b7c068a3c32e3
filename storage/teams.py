"""Teams conversation references and sent activities.

Teams lets a bot post proactively only into conversations it has seen: the conversation id,
the ``serviceUrl`` of the region, the tenant and the bot id arrive with the first activity
(installation, conversation update, first message) and are kept here. People are kept by their
Entra object id with the Teams user id (``29:...``) needed to open a 1:1 chat, and the 1:1
conversation once it exists. No names, no message text, and no timestamps: a "last seen" time
next to a person could be matched with the day an anonymous signal or answer arrived.

``teams_sent`` maps an outbox delivery id to the activity it became, so a delivery left
ambiguous by a crash can be found instead of sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel, select

from storage.base import UTCDateTime
from storage.db import Database


class TeamsConversation(SQLModel, table=True):
    __tablename__ = "teams_conversation"

    conversation_id: str = Field(primary_key=True, max_length=400)  # without ";messageid="
    service_url: str = Field(max_length=500)
    tenant_id: str = Field(default="", max_length=100, index=True)
    bot_id: str = Field(max_length=200)
    kind: str = Field(default="", max_length=20)  # personal | channel | groupChat
    team_id: str | None = Field(default=None, max_length=400)


class TeamsUser(SQLModel, table=True):
    __tablename__ = "teams_user"

    user_id: str = Field(primary_key=True, max_length=200)  # Entra object id (our UserRef.id)
    teams_id: str = Field(max_length=200)  # "29:..." for creating a 1:1 conversation
    tenant_id: str = Field(default="", max_length=100)
    service_url: str = Field(max_length=500)
    bot_id: str = Field(max_length=200)
    dm_conversation_id: str | None = Field(default=None, max_length=400)


class TeamsSent(SQLModel, table=True):
    __tablename__ = "teams_sent"

    delivery_id: str = Field(primary_key=True, max_length=100)
    conversation_id: str = Field(max_length=400)
    activity_id: str = Field(max_length=200)
    sent_at: datetime = Field(sa_type=UTCDateTime, index=True)


@dataclass(frozen=True, slots=True)
class ConversationRef:
    """What a proactive send needs for one conversation."""

    conversation_id: str
    service_url: str
    tenant_id: str
    bot_id: str
    kind: str = ""
    team_id: str | None = None


@dataclass(frozen=True, slots=True)
class UserRefRow:
    """What a proactive 1:1 send needs for one person."""

    user_id: str
    teams_id: str
    tenant_id: str
    service_url: str
    bot_id: str
    dm_conversation_id: str | None = None


class TeamsReferenceRepository:
    """Conversation and user references, written on first contact and read for proactive sends."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def save_conversation(self, ref: ConversationRef) -> None:
        """Insert or refresh; no write at all when nothing changed."""
        if await self.conversation(ref.conversation_id) == ref:
            return
        async with self._db.session() as session:
            row = await session.get(TeamsConversation, ref.conversation_id)
            row = row or TeamsConversation(conversation_id=ref.conversation_id, service_url="",
                                           bot_id="")
            row.service_url, row.tenant_id, row.bot_id = ref.service_url, ref.tenant_id, ref.bot_id
            row.kind, row.team_id = ref.kind, ref.team_id
            session.add(row)

    async def conversation(self, conversation_id: str) -> ConversationRef | None:
        row = await self._db.get(TeamsConversation, conversation_id)
        if row is None:
            return None
        return ConversationRef(row.conversation_id, row.service_url, row.tenant_id, row.bot_id,
                               row.kind, row.team_id)

    async def save_user(self, ref: UserRefRow) -> None:
        """Insert or refresh a person; keeps a known 1:1 conversation unless ``ref`` has one.
        No write when nothing changed."""
        known = await self.user(ref.user_id)
        if known is not None and known == replace(
                ref, dm_conversation_id=ref.dm_conversation_id or known.dm_conversation_id):
            return
        async with self._db.session() as session:
            row = await session.get(TeamsUser, ref.user_id)
            row = row or TeamsUser(user_id=ref.user_id, teams_id="", service_url="", bot_id="")
            row.teams_id, row.tenant_id, row.service_url = ref.teams_id, ref.tenant_id, ref.service_url
            row.bot_id = ref.bot_id
            if ref.dm_conversation_id:
                row.dm_conversation_id = ref.dm_conversation_id
            session.add(row)

    async def save_many(self, conversations: list[ConversationRef],
                        users: list[UserRefRow]) -> None:
        """``save_conversation`` and ``save_user`` for many references in ONE transaction
        (the adapter group-commits first contacts: a burst of card submits from people the
        process had not seen cost two reads and up to two write transactions each)."""
        if not conversations and not users:
            return
        await self._db.write(lambda conn: self._save_many_in(conn, conversations, users))

    def _save_many_in(self, conn: Connection, conversations: list[ConversationRef],
                      users: list[UserRefRow]) -> None:
        # Two upserts for the whole batch: a SELECT and an ORM object per reference were
        # a fifth of a Teams vote's CPU in a burst of first contacts.
        insert = sqlite_insert if self._db.is_sqlite else pg_insert
        if conversations:
            stmt = insert(TeamsConversation).values([_conversation_row(c)
                                                     for c in _last(conversations)])
            stmt = stmt.on_conflict_do_update(
                index_elements=["conversation_id"],
                set_={name: stmt.excluded[name] for name in _CONVERSATION_FIELDS})
            conn.execute(stmt)
        if users:
            table = TeamsUser.__table__  # type: ignore[attr-defined]
            stmt = insert(TeamsUser).values([_user_row(u) for u in _last(users)])
            changes: dict[str, Any] = {name: stmt.excluded[name] for name in _USER_FIELDS}
            # A known 1:1 conversation stays unless the reference brings a new one.
            changes["dm_conversation_id"] = func.coalesce(
                stmt.excluded.dm_conversation_id, table.c.dm_conversation_id)
            stmt = stmt.on_conflict_do_update(index_elements=["user_id"], set_=changes)
            conn.execute(stmt)

    async def save_users(self, refs: list[UserRefRow]) -> None:
        """Refresh many people in one transaction (a members listing)."""
        if not refs:
            return
        async with self._db.session() as session:
            for ref in refs:
                row = await session.get(TeamsUser, ref.user_id)
                if row is None:
                    row = TeamsUser(user_id=ref.user_id, teams_id=ref.teams_id,
                                    service_url=ref.service_url, bot_id=ref.bot_id)
                row.teams_id, row.tenant_id, row.service_url = (ref.teams_id, ref.tenant_id,
                                                                 ref.service_url)
                row.bot_id = ref.bot_id
                session.add(row)

    async def user(self, user_id: str) -> UserRefRow | None:
        row = await self._db.get(TeamsUser, user_id)
        if row is None:
            return None
        return UserRefRow(row.user_id, row.teams_id, row.tenant_id, row.service_url, row.bot_id,
                          row.dm_conversation_id)

    async def forget_user(self, user_id: str) -> None:
        """The person uninstalled the app: no more proactive messages to them."""
        await self._db.delete(TeamsUser, user_id)

    async def forget_conversation(self, conversation_id: str) -> None:
        await self._db.delete(TeamsConversation, conversation_id)


class TeamsSentRepository:
    """Outbox delivery id -> the Teams activity it became."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(self, delivery_id: str, conversation_id: str, activity_id: str, *,
                     at: datetime) -> None:
        async with self._db.session() as session:
            row = await session.get(TeamsSent, delivery_id)
            row = row or TeamsSent(delivery_id=delivery_id, conversation_id=conversation_id,
                                   activity_id=activity_id, sent_at=at)
            row.conversation_id, row.activity_id, row.sent_at = conversation_id, activity_id, at
            session.add(row)

    async def find(self, delivery_id: str) -> tuple[str, str] | None:
        """(conversation id, activity id) of a delivery, or None when it was never sent."""
        async with self._db.session(readonly=True) as session:
            rows = await session.exec(select(TeamsSent).where(TeamsSent.delivery_id == delivery_id))
            row = rows.first()
        return (row.conversation_id, row.activity_id) if row else None


_CONVERSATION_FIELDS = ("service_url", "tenant_id", "bot_id", "kind", "team_id")
_USER_FIELDS = ("teams_id", "tenant_id", "service_url", "bot_id")
_Ref = TypeVar("_Ref", ConversationRef, UserRefRow)


def _last(refs: list[_Ref]) -> list[_Ref]:
    """One reference per key, the last one winning (an upsert may not touch a row twice)."""
    keyed = {(r.conversation_id if isinstance(r, ConversationRef) else r.user_id): r
             for r in refs}
    return list(keyed.values())


def _conversation_row(ref: ConversationRef) -> dict[str, Any]:
    return {"conversation_id": ref.conversation_id, "service_url": ref.service_url,
            "tenant_id": ref.tenant_id, "bot_id": ref.bot_id, "kind": ref.kind,
            "team_id": ref.team_id}


def _user_row(ref: UserRefRow) -> dict[str, Any]:
    return {"user_id": ref.user_id, "teams_id": ref.teams_id, "tenant_id": ref.tenant_id,
            "service_url": ref.service_url, "bot_id": ref.bot_id,
            "dm_conversation_id": ref.dm_conversation_id or None}
