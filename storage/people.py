"""The directory of people: how one person is reached on each platform, and how they want
work-system notifications (immediately or as a daily digest, and their quiet hours)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

import storage.base  # noqa: F401  (naming convention before any table)
from storage.db import Database

PLATFORM_COLUMNS: tuple[str, ...] = ("slack", "teams", "matrix", "local")


class Person(SQLModel, table=True):
    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    employee_id: str | None = Field(default=None, max_length=80, unique=True)
    email: str | None = Field(default=None, max_length=320, unique=True)
    name: str = Field(default="", max_length=200)
    slack: str | None = Field(default=None, max_length=100)
    teams: str | None = Field(default=None, max_length=200)
    matrix: str | None = Field(default=None, max_length=300)
    local: str | None = Field(default=None, max_length=100)
    mode: str = Field(default="immediate", max_length=10)  # immediate | digest
    digest_time: str | None = Field(default=None, max_length=5)  # "08:30"; None: the default
    quiet: str | None = Field(default=None, max_length=11)  # "18:00-08:00"; None: the default


@dataclass(frozen=True)
class PersonRow:
    """What the CSV import gives for one person."""

    employee_id: str | None
    email: str | None
    name: str
    ids: dict[str, str]


class PeopleRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def find(self, key: str) -> Person | None:
        """By e-mail (case-insensitive) or employee id."""
        async with self._db.session(readonly=True) as session:
            query = select(Person).where(
                (func.lower(Person.email) == key.lower()) | (Person.employee_id == key)
            )
            return (await session.exec(query)).first()

    async def by_platform_id(self, platform: str, ident: str) -> Person | None:
        if platform not in PLATFORM_COLUMNS:
            return None
        async with self._db.session(readonly=True) as session:
            column = getattr(Person, platform)
            return (await session.exec(select(Person).where(column == ident))).first()

    async def get(self, person_id: int) -> Person | None:
        return await self._db.get(Person, person_id)

    async def upsert(self, rows: Iterable[PersonRow]) -> tuple[int, int]:
        """Insert or update by employee id, else e-mail. Returns (created, updated)."""
        created = updated = 0
        async with self._db.session() as session:
            for row in rows:
                person = await _existing(session, row)
                if person is None:
                    person = Person()
                    created += 1
                else:
                    updated += 1
                person.employee_id = row.employee_id or person.employee_id
                person.email = row.email or person.email
                person.name = row.name or person.name
                for platform, ident in row.ids.items():
                    setattr(person, platform, ident)
                session.add(person)
                await session.flush()
        return created, updated

    async def remember(self, person_id: int, platform: str, ident: str) -> None:
        """Store an id found through a platform lookup (Slack users.lookupByEmail)."""
        async with self._db.session() as session:
            person = await session.get(Person, person_id)
            if person is not None and platform in PLATFORM_COLUMNS:
                setattr(person, platform, ident)
                session.add(person)

    async def set_preferences(self, person_id: int, *, mode: str | None = None,
                              digest_time: str | None = None, quiet: str | None = None) -> None:
        async with self._db.session() as session:
            person = await session.get(Person, person_id)
            if person is None:
                return
            if mode is not None:
                person.mode = mode
            if digest_time is not None:
                person.digest_time = digest_time
            if quiet is not None:
                person.quiet = quiet or None
            session.add(person)


async def _existing(session: AsyncSession, row: PersonRow) -> Person | None:
    if row.employee_id:
        found = (await session.exec(select(Person).where(Person.employee_id == row.employee_id))).first()
        if found:
            return found
    if row.email:
        query = select(Person).where(func.lower(Person.email) == row.email.lower())
        return (await session.exec(query)).first()
    return None
