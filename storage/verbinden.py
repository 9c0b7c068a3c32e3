"""Verbinden: programmes, who joined them, the rounds and who was in which group.

Group membership (``verbinden_member``) is the pairing history. It is kept only for the
rounds the repeat window needs (``verbinden.history_rounds``) and deleted for a person who
leaves. Round rows keep counts only (participants, groups, follow-up answers), so the
organiser's figures outlive the history without naming anyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import delete, func, update
from sqlmodel import Field, SQLModel, col, select

import storage.base  # noqa: F401  (naming convention before any table)
from storage.base import UTCDateTime
from storage.db import Database
from storage.people import PLATFORM_COLUMNS, Person

ANSWERS = ("yes", "not_yet", "no")


class VerbindenProgramme(SQLModel, table=True):
    __tablename__ = "verbinden_programme"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    rule: str = Field(default="any", max_length=12)
    size: int = Field(default=2)
    audience: str = Field(default="", max_length=300)  # "" anyone, "team:<name>"
    channel: str = Field(default="", max_length=300)  # where the announcement goes
    template: str = Field(default="koffie", max_length=20)
    followup_days: int = Field(default=3)
    schedule_id: int | None = Field(default=None)
    active: bool = Field(default=True)
    created_by: str = Field(max_length=300)
    created_at: datetime = Field(sa_type=UTCDateTime)


class VerbindenParticipant(SQLModel, table=True):
    __tablename__ = "verbinden_participant"

    programme_id: int = Field(primary_key=True)
    user_key: str = Field(primary_key=True, max_length=300, index=True)
    department: str = Field(default="", max_length=100)
    location: str = Field(default="", max_length=100)
    skip_round: int = Field(default=0)  # the round number this person sits out
    unreachable: bool = Field(default=False)  # a delivery failed for good: left out
    joined_at: datetime = Field(sa_type=UTCDateTime)


class VerbindenRound(SQLModel, table=True):
    __tablename__ = "verbinden_round"
    __table_args__ = (sa.UniqueConstraint("programme_id", "number"),
                      sa.UniqueConstraint("programme_id", "slot"))

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(index=True)
    number: int
    slot: str | None = Field(default=None, max_length=40)  # the schedule slot; None: by hand
    formed_at: datetime = Field(sa_type=UTCDateTime)
    participants: int = Field(default=0)
    groups: int = Field(default=0)
    unmatched: int = Field(default=0)
    unreachable: int = Field(default=0)
    met_yes: int = Field(default=0)
    met_not_yet: int = Field(default=0)
    met_no: int = Field(default=0)


class VerbindenMember(SQLModel, table=True):
    __tablename__ = "verbinden_member"

    round_id: int = Field(primary_key=True)
    user_key: str = Field(primary_key=True, max_length=300, index=True)
    group_no: int
    answer: str | None = Field(default=None, max_length=10)


@dataclass(frozen=True)
class Member:
    user_key: str
    group_no: int
    answer: str | None


class VerbindenRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # -- programmes -------------------------------------------------------------------
    async def create(self, programme: VerbindenProgramme) -> VerbindenProgramme:
        return await self._db.insert(programme)

    async def set_schedule(self, programme_id: int, schedule_id: int) -> None:
        async with self._db.session() as session:
            await session.exec(update(VerbindenProgramme)  # type: ignore[call-overload]
                               .where(col(VerbindenProgramme.id) == programme_id)
                               .values(schedule_id=schedule_id))

    async def end(self, programme_id: int) -> None:
        """Stop the programme and delete who joined it and every group row: without further
        rounds, repeat avoidance needs nothing. The round counts stay for the figures."""
        async with self._db.session() as session:
            rounds = select(VerbindenRound.id).where(
                col(VerbindenRound.programme_id) == programme_id)
            await session.exec(delete(VerbindenMember).where(  # type: ignore[call-overload]
                col(VerbindenMember.round_id).in_(rounds)))
            await session.exec(delete(VerbindenParticipant).where(  # type: ignore[call-overload]
                col(VerbindenParticipant.programme_id) == programme_id))
            await session.exec(update(VerbindenProgramme)  # type: ignore[call-overload]
                               .where(col(VerbindenProgramme.id) == programme_id)
                               .values(active=False))

    async def get(self, programme_id: int) -> VerbindenProgramme | None:
        return await self._db.get(VerbindenProgramme, programme_id)

    async def programmes(self) -> list[VerbindenProgramme]:
        async with self._db.session(readonly=True) as session:
            query = select(VerbindenProgramme).order_by(col(VerbindenProgramme.id))
            return list(await session.exec(query))

    # -- participants -----------------------------------------------------------------
    async def join(self, row: VerbindenParticipant) -> bool:
        """Add or update a participant; True when they were not in yet."""
        async with self._db.session() as session:
            found = await session.get(VerbindenParticipant, (row.programme_id, row.user_key))
            if found is None:
                session.add(row)
                return True
            found.location = row.location or found.location
            found.department = row.department or found.department
            found.unreachable = False
            session.add(found)
            return False

    async def leave(self, programme_id: int, user_key: str) -> bool:
        """Remove the person and every group row of theirs in this programme."""
        async with self._db.session() as session:
            rounds = select(VerbindenRound.id).where(
                col(VerbindenRound.programme_id) == programme_id)
            await session.exec(delete(VerbindenMember).where(  # type: ignore[call-overload]
                col(VerbindenMember.user_key) == user_key,
                col(VerbindenMember.round_id).in_(rounds)))
            gone = await session.exec(delete(VerbindenParticipant).where(  # type: ignore[call-overload]
                col(VerbindenParticipant.programme_id) == programme_id,
                col(VerbindenParticipant.user_key) == user_key))
            return bool(gone.rowcount)

    async def participant(self, programme_id: int, user_key: str) -> VerbindenParticipant | None:
        return await self._db.get(VerbindenParticipant, (programme_id, user_key))

    async def memberships(self, user_key: str) -> list[int]:
        """The programmes a person joined."""
        async with self._db.session(readonly=True) as session:
            query = select(VerbindenParticipant.programme_id).where(
                col(VerbindenParticipant.user_key) == user_key)
            return sorted(await session.exec(query))

    async def skip(self, programme_id: int, user_key: str, round_number: int) -> bool:
        async with self._db.session() as session:
            found = await session.get(VerbindenParticipant, (programme_id, user_key))
            if found is None:
                return False
            found.skip_round = round_number
            session.add(found)
            return True

    async def participants(self, programme_id: int) -> list[VerbindenParticipant]:
        async with self._db.session(readonly=True) as session:
            query = select(VerbindenParticipant).where(
                col(VerbindenParticipant.programme_id) == programme_id)
            return list(await session.exec(query))

    async def count(self, programme_id: int) -> int:
        async with self._db.session(readonly=True) as session:
            query = select(func.count()).select_from(VerbindenParticipant).where(
                col(VerbindenParticipant.programme_id) == programme_id)
            return int((await session.exec(query)).one())

    async def mark_unreachable(self, programme_id: int, keys: Sequence[str]) -> None:
        if not keys:
            return
        async with self._db.session() as session:
            await session.exec(update(VerbindenParticipant)  # type: ignore[call-overload]
                               .where(col(VerbindenParticipant.programme_id) == programme_id,
                                      col(VerbindenParticipant.user_key).in_(list(keys)))
                               .values(unreachable=True))

    # -- rounds -----------------------------------------------------------------------
    async def next_number(self, programme_id: int) -> int:
        async with self._db.session(readonly=True) as session:
            query = select(func.max(VerbindenRound.number)).where(
                col(VerbindenRound.programme_id) == programme_id)
            return int((await session.exec(query)).one() or 0) + 1

    async def record_round(self, row: VerbindenRound,
                           groups: Sequence[Sequence[str]]) -> VerbindenRound:
        """The round and its groups in one transaction (a retried job adds nothing: the
        (programme, number) pair is unique)."""
        async with self._db.session() as session:
            session.add(row)
            await session.flush()
            await session.refresh(row)
            members = [{"round_id": row.id, "user_key": key, "group_no": number,
                        "answer": None}
                       for number, group in enumerate(groups) for key in group]
            if members:
                await session.exec(sa.insert(VerbindenMember), params=members)  # type: ignore[call-overload]
            return row

    async def round_at(self, programme_id: int, slot: str) -> VerbindenRound | None:
        """The round formed for a schedule slot already (a retried job)."""
        async with self._db.session(readonly=True) as session:
            query = select(VerbindenRound).where(
                col(VerbindenRound.programme_id) == programme_id,
                col(VerbindenRound.slot) == slot)
            return (await session.exec(query)).first()

    async def get_round(self, round_id: int) -> VerbindenRound | None:
        return await self._db.get(VerbindenRound, round_id)

    async def rounds(self, programme_id: int) -> list[VerbindenRound]:
        async with self._db.session(readonly=True) as session:
            query = select(VerbindenRound).where(
                col(VerbindenRound.programme_id) == programme_id).order_by(
                col(VerbindenRound.number))
            return list(await session.exec(query))

    async def members(self, round_id: int) -> list[Member]:
        async with self._db.session(readonly=True) as session:
            query = select(VerbindenMember).where(col(VerbindenMember.round_id) == round_id)
            rows = await session.exec(query)
            return [Member(r.user_key, r.group_no, r.answer) for r in rows]

    async def history(self, programme_id: int, *, rounds: int) -> list[list[str]]:
        """The groups of the last ``rounds`` rounds (the repeat window)."""
        async with self._db.session(readonly=True) as session:
            recent = select(VerbindenRound.id).where(
                col(VerbindenRound.programme_id) == programme_id).order_by(
                col(VerbindenRound.number).desc()).limit(rounds)
            query = select(VerbindenMember.round_id, VerbindenMember.group_no,
                           VerbindenMember.user_key).where(
                col(VerbindenMember.round_id).in_(recent))
            groups: dict[tuple[int, int], list[str]] = {}
            for round_id, group_no, key in await session.exec(query):
                groups.setdefault((round_id, group_no), []).append(key)
        return list(groups.values())

    async def purge(self, programme_id: int, *, keep_rounds: int) -> int:
        """Delete group rows older than the repeat window; counts stay on the round rows."""
        async with self._db.session() as session:
            latest = (await session.exec(select(func.max(VerbindenRound.number)).where(
                col(VerbindenRound.programme_id) == programme_id))).one() or 0
            old = select(VerbindenRound.id).where(
                col(VerbindenRound.programme_id) == programme_id,
                col(VerbindenRound.number) <= latest - keep_rounds)
            result = await session.exec(delete(VerbindenMember).where(  # type: ignore[call-overload]
                col(VerbindenMember.round_id).in_(old)))
            return int(result.rowcount or 0)

    async def answer(self, round_id: int, user_key: str, answer: str) -> bool:
        """Record a follow-up answer and move the round's counters with it."""
        if answer not in ANSWERS:
            raise ValueError(answer)
        async with self._db.session() as session:
            member = await session.get(VerbindenMember, (round_id, user_key))
            row = await session.get(VerbindenRound, round_id)
            if member is None or row is None:
                return False
            if member.answer in ANSWERS:
                field = f"met_{member.answer}"
                setattr(row, field, max(0, getattr(row, field) - 1))
            field = f"met_{answer}"
            setattr(row, field, getattr(row, field) + 1)
            member.answer = answer
            session.add(member)
            session.add(row)
            return True

    async def contacts(self, keys: Sequence[str]) -> dict[str, Contact]:
        return await contacts(self._db, keys)

    async def set_unreachable_count(self, round_id: int, count: int) -> None:
        async with self._db.session() as session:
            await session.exec(update(VerbindenRound)  # type: ignore[call-overload]
                               .where(col(VerbindenRound.id) == round_id)
                               .values(unreachable=count))


@dataclass(frozen=True)
class Contact:
    """How a colleague is named and reached in an introduction (from the people directory)."""

    name: str
    email: str


async def contacts(db: Database, keys: Sequence[str]) -> dict[str, Contact]:
    """Directory names and e-mail addresses for ``platform:id`` keys, in a few queries."""
    by_platform: dict[str, list[str]] = {}
    for key in keys:
        platform, _, ident = key.partition(":")
        if platform in PLATFORM_COLUMNS:
            by_platform.setdefault(platform, []).append(ident)
    found: dict[str, Contact] = {}
    async with db.session(readonly=True) as session:
        for platform, idents in by_platform.items():
            column = getattr(Person, platform)
            for start in range(0, len(idents), 500):
                chunk = idents[start:start + 500]
                for person in await session.exec(select(Person).where(column.in_(chunk))):
                    ident = getattr(person, platform)
                    found[f"{platform}:{ident}"] = Contact(person.name, person.email or "")
    return found
