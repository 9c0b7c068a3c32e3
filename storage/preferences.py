"""Preferences per person, channel or workspace (today: the language)."""

from __future__ import annotations

import time

from sqlmodel import Field, SQLModel, select

import storage.base  # noqa: F401  (naming convention before any table)
from storage.db import Database
from storage.singleflight import SingleFlight


class Preference(SQLModel, table=True):
    __tablename__ = "preference"

    scope: str = Field(primary_key=True, max_length=300)  # "user:slack:U1", "channel:<addr>"
    name: str = Field(primary_key=True, max_length=40)
    value: str = Field(max_length=200)


# Every request resolves its language through get_many. Uncached, that read transaction was
# ~70% of the CPU of a pulse vote (benchmarks/votes.py), and in a burst nearly every click is
# a different person, so a per-person cache would miss. The table only holds explicit choices
# (people who ran `language`, channels), so the process keeps a snapshot of all values of a
# name for SNAPSHOT_SECONDS: writes through this repository update it at once; a change made
# by another instance shows within SNAPSHOT_SECONDS. Above SNAPSHOT_ROWS rows it reads per
# request as before.
SNAPSHOT_SECONDS = 30.0
SNAPSHOT_ROWS = 100_000


class PreferenceRepository:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._snapshots: dict[str, tuple[float, dict[str, str] | None]] = {}
        self._loading: SingleFlight[str, dict[str, str] | None] = SingleFlight()
        self._generation = 0  # bumped by every write: a reload that began before it is stale

    async def set(self, scope: str, name: str, value: str) -> None:
        async with self._db.session() as session:
            row = await session.get(Preference, (scope, name))
            if row is None:
                session.add(Preference(scope=scope, name=name, value=value))
            else:
                row.value = value
                session.add(row)
        self._forget()

    async def get_many(self, scopes: list[str], name: str) -> dict[str, str]:
        snapshot = await self._snapshot(name)
        if snapshot is not None:
            return {scope: snapshot[scope] for scope in scopes if scope in snapshot}
        async with self._db.session(readonly=True) as session:
            rows = await session.exec(
                select(Preference).where(Preference.name == name, Preference.scope.in_(scopes))  # type: ignore[attr-defined]
            )
            return {row.scope: row.value for row in rows}

    async def _snapshot(self, name: str) -> dict[str, str] | None:
        """Every value of ``name`` by scope, or None when there are too many to keep."""
        cached = self._snapshots.get(name)
        if cached is not None and time.monotonic() - cached[0] <= SNAPSHOT_SECONDS:
            return cached[1]
        return await self._loading.run(name, lambda: self._load(name))

    async def _load(self, name: str) -> dict[str, str] | None:
        now, generation = time.monotonic(), self._generation
        async with self._db.session(readonly=True) as session:
            rows = (await session.exec(
                select(Preference.scope, Preference.value).where(Preference.name == name)
                .limit(SNAPSHOT_ROWS + 1))).all()
        values = None if len(rows) > SNAPSHOT_ROWS else {scope: value for scope, value in rows}
        if generation == self._generation:
            self._snapshots[name] = (now, values)
        return values

    async def set_locale(self, user_key: str, locale: str) -> None:
        await self.set(f"user:{user_key}", "locale", locale)

    def _forget(self) -> None:
        self._generation += 1
        self._snapshots.clear()
        self._loading.clear()
