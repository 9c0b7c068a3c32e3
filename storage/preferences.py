"""Preferences per person, channel or workspace (today: the language)."""

from __future__ import annotations

from sqlmodel import Field, SQLModel, select

import storage.base  # noqa: F401  (naming convention before any table)
from storage.db import Database


class Preference(SQLModel, table=True):
    __tablename__ = "preference"

    scope: str = Field(primary_key=True, max_length=300)  # "user:slack:U1", "channel:<addr>"
    name: str = Field(primary_key=True, max_length=40)
    value: str = Field(max_length=200)


class PreferenceRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def set(self, scope: str, name: str, value: str) -> None:
        async with self._db.session() as session:
            row = await session.get(Preference, (scope, name))
            if row is None:
                session.add(Preference(scope=scope, name=name, value=value))
            else:
                row.value = value
                session.add(row)

    async def get_many(self, scopes: list[str], name: str) -> dict[str, str]:
        async with self._db.session(readonly=True) as session:
            rows = await session.exec(
                select(Preference).where(Preference.name == name, Preference.scope.in_(scopes))  # type: ignore[attr-defined]
            )
            return {row.scope: row.value for row in rows}

    async def set_locale(self, user_key: str, locale: str) -> None:
        await self.set(f"user:{user_key}", "locale", locale)

    async def delete_scope(self, scope: str) -> None:
        async with self._db.session() as session:
            rows = await session.exec(select(Preference).where(Preference.scope == scope))
            for row in rows:
                await session.delete(row)
