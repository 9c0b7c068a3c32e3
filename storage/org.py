"""Organisation teams: a name, an optional parent team, members and managers.

Members are people written ``platform:id`` (one person may have an account on several
platforms: list each). Managers are kept here for listing; their *permission* is a
``manager`` role grant with ``team=<name>`` in ``role_grant`` (storage/roles.py), written by
the same repository call so the two never drift apart.

``source`` says where a row came from (``config``, ``csv``, ``chat``): a config sync replaces
only config rows, so a CSV import and chat commands survive a restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Executable, bindparam, delete, func, insert, update
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

import storage.base  # noqa: F401  (naming convention before any table)
from storage.db import Database
from storage.roles import RoleGrant

MANAGER_ROLE = "manager"
# Between the keys of one team in ``all()``; a group whose keys hold it is read row by row.
KEY_SEPARATOR = "\n"
# Up to this many teams in one replace_source, existing rows are read for those teams only
# (a bounded IN list); a larger import reads them all at once.
FEW_TEAMS = 500


class OrgTeam(SQLModel, table=True):
    __tablename__ = "org_team"

    name: str = Field(primary_key=True, max_length=100)
    parent: str | None = Field(default=None, max_length=100, index=True)
    source: str = Field(default="chat", max_length=10)


class OrgMember(SQLModel, table=True):
    __tablename__ = "org_member"

    team: str = Field(primary_key=True, max_length=100)
    user_key: str = Field(primary_key=True, max_length=300, index=True)
    manager: bool = Field(default=False)
    source: str = Field(default="chat", max_length=10)


@dataclass(frozen=True)
class TeamRecord:
    """A team as features see it."""

    name: str
    parent: str | None
    members: frozenset[str] = field(default_factory=frozenset)
    managers: frozenset[str] = field(default_factory=frozenset)
    source: str = "chat"


@dataclass(frozen=True)
class TeamSpec:
    """A team to write (config sync, CSV import)."""

    name: str
    parent: str | None = None
    members: tuple[str, ...] = ()
    managers: tuple[str, ...] = ()


class OrgRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def all(self) -> list[TeamRecord]:
        # The vote path reloads this every 30 s. Read one row per (team, manager) with the
        # keys joined by the database, not one row per person: a row per person of a
        # 50,000-person organisation cost ~290 ms of CPU per reload in SQLAlchemy's row
        # handling and made 100,000 short-lived objects that set off full garbage
        # collections, all holding the GIL the event loop needs.
        team, member = _TEAM.c, _MEMBER.c
        grouped = select(member.team, member.manager, func.count(),
                         func.aggregate_strings(member.user_key, KEY_SEPARATOR)
                         ).group_by(member.team, member.manager)
        async with self._db.session(readonly=True) as session:
            conn = await session.connection()
            teams = (await conn.execute(select(team.name, team.parent, team.source)
                                        .order_by(team.name))).all()
            groups = (await conn.execute(grouped)).all()
            exact: dict[tuple[str, bool], frozenset[str]] = {}
            for name, manager, count, joined in groups:
                if joined.count(KEY_SEPARATOR) != count - 1:  # a key holds the separator
                    exact[name, bool(manager)] = frozenset((await conn.execute(
                        select(member.user_key).where(member.team == name,
                                                      member.manager == manager))).scalars())
        # Built in a worker thread: the event loop keeps acking votes in between.
        return await asyncio.to_thread(_records, teams, groups, exact)

    async def get(self, name: str) -> TeamRecord | None:
        for team in await self.all():
            if team.name == name:
                return team
        return None

    async def upsert_team(self, name: str, parent: str | None, *, source: str = "chat") -> bool:
        """Create or re-parent a team; True when it was new."""
        async with self._db.session() as session:
            row = await session.get(OrgTeam, name)
            if row is None:
                session.add(OrgTeam(name=name, parent=parent, source=source))
                return True
            row.parent = parent
            session.add(row)
            return False

    async def remove_team(self, name: str) -> bool:
        """Remove a team, its members and its manager grants; children move to its parent."""
        async with self._db.session() as session:
            row = await session.get(OrgTeam, name)
            if row is None:
                return False
            children = await session.exec(select(OrgTeam).where(OrgTeam.parent == name))
            for child in children:
                child.parent = row.parent
                session.add(child)
            await (await session.connection()).execute(delete(OrgMember).where(col(OrgMember.team) == name))
            await (await session.connection()).execute(delete(RoleGrant).where(
                col(RoleGrant.role) == MANAGER_ROLE, col(RoleGrant.team) == name))
            await session.delete(row)
            return True

    async def set_person(self, team: str, user_key: str, *, manager: bool, present: bool,
                         by: str, at: datetime, source: str = "chat") -> bool:
        """Add or remove a member or manager; managers get or lose the manager grant.

        Returns False when nothing changed."""
        async with self._db.session() as session:
            row = await session.get(OrgMember, (team, user_key))
            changed = False
            if present and row is None:
                session.add(OrgMember(team=team, user_key=user_key, manager=manager,
                                      source=source))
                changed = True
            elif present and row is not None and row.manager != manager:
                row.manager = manager
                session.add(row)
                changed = True
            elif not present and row is not None and row.manager == manager:
                await session.delete(row)
                changed = True
            if changed:
                await session.flush()
                grant = present and manager
                await self._grant(session, team, user_key, present=grant, by=by, at=at)
            return changed

    @staticmethod
    async def _grant(session: AsyncSession, team: str, user_key: str, *, present: bool, by: str,
                     at: datetime) -> None:
        found = (await session.exec(select(RoleGrant).where(
            RoleGrant.role == MANAGER_ROLE, RoleGrant.user_key == user_key,
            RoleGrant.team == team))).first()
        if present and found is None:
            session.add(RoleGrant(role=MANAGER_ROLE, user_key=user_key, team=team,
                                  granted_by=by, granted_at=at))
        elif not present and found is not None:
            await session.delete(found)

    async def replace_source(self, specs: list[TeamSpec], *, source: str, by: str,
                             at: datetime) -> None:
        """Make the rows of ``source`` equal to ``specs`` (config sync, CSV import), in one
        transaction. Rows of other sources are kept; a team named in both keeps its row, and
        a person listed by both keeps theirs (made a manager if ``specs`` says so)."""
        await self._db.write(lambda conn: _replace(conn, specs, source=source, by=by, at=at))


def _records(teams: Sequence[Sequence[Any]], groups: Sequence[Sequence[Any]],
             exact: dict[tuple[str, bool], frozenset[str]]) -> list[TeamRecord]:
    """TeamRecords from the team rows and the (team, manager, count, joined keys) groups;
    ``exact`` holds the groups read row by row."""
    people: dict[str, frozenset[str]] = {}
    bosses: dict[str, frozenset[str]] = {}
    for name, manager, _, joined in groups:
        keys = exact.get((name, bool(manager)))
        (bosses if manager else people)[name] = (
            keys if keys is not None else frozenset(joined.split(KEY_SEPARATOR)))
    empty: frozenset[str] = frozenset()
    return [TeamRecord(name, parent, people.get(name, empty), bosses.get(name, empty), source)
            for name, parent, source in teams]


_TEAM = OrgTeam.__table__  # type: ignore[attr-defined]
_MEMBER = OrgMember.__table__  # type: ignore[attr-defined]
_GRANT = RoleGrant.__table__  # type: ignore[attr-defined]


def _replace(conn: Connection, specs: list[TeamSpec], *, source: str, by: str,
             at: datetime) -> None:
    """``replace_source`` as a handful of set-based statements: one row at a time (an ORM
    ``get`` per person) took 50-71 s for a 50,000-person CSV."""
    team, member, grant = _TEAM.c, _MEMBER.c, _GRANT.c
    old_bosses = conn.execute(select(member.team, member.user_key).where(
        member.source == source, member.manager)).all()
    _many(conn, delete(_GRANT).where(grant.role == MANAGER_ROLE, grant.team == bindparam("b_t"),
                                     grant.user_key == bindparam("b_u")),
          [{"b_t": t, "b_u": u} for t, u in old_bosses])
    conn.execute(delete(_MEMBER).where(member.source == source))
    parents = {spec.name: spec.parent for spec in specs}  # the last spec of a name wins
    old_teams = set(conn.execute(select(team.name).where(team.source == source)).scalars())
    _many(conn, delete(_TEAM).where(team.name == bindparam("b_n")),
          [{"b_n": name} for name in old_teams - parents.keys()])
    known = set(conn.execute(select(team.name)).scalars())
    _many(conn, insert(_TEAM), [{"name": n, "parent": p, "source": source}
                                for n, p in parents.items() if n not in known])
    _many(conn, update(_TEAM).where(team.name == bindparam("b_n")).values(parent=bindparam("b_p")),
          [{"b_n": n, "b_p": p} for n, p in parents.items() if n in known])
    _write_people(conn, _wanted_people(specs), source=source, by=by, at=at)


def _wanted_people(specs: list[TeamSpec]) -> dict[tuple[str, str], bool]:
    """(team, person) -> manager; someone listed as member and manager is a manager."""
    wanted: dict[tuple[str, str], bool] = {}
    for spec in specs:
        for key in spec.members:
            wanted.setdefault((spec.name, key), False)
        for key in spec.managers:
            wanted[(spec.name, key)] = True
    return wanted


def _write_people(conn: Connection, wanted: dict[tuple[str, str], bool], *, source: str,
                  by: str, at: datetime) -> None:
    # The rows already there are read for the teams written only (a config sync of a few
    # teams, or none, read all 50,000 members of an imported organisation: ~0.2 s holding
    # the GIL while the first votes after a start waited for it).
    if not wanted:
        return
    member, grant = _MEMBER.c, _GRANT.c
    rows = select(member.team, member.user_key, member.manager)
    grants = select(grant.team, grant.user_key).where(grant.role == MANAGER_ROLE)
    teams = {t for t, _ in wanted}
    if len(teams) <= FEW_TEAMS:
        rows = rows.where(member.team.in_(sorted(teams)))
        grants = grants.where(grant.team.in_(sorted(teams)))
    # other sources' rows only now
    others = {(t, u): bool(m) for t, u, m in conn.execute(rows)}
    _many(conn, insert(_MEMBER), [
        {"team": t, "user_key": u, "manager": m, "source": source}
        for (t, u), m in wanted.items() if (t, u) not in others])
    _many(conn, update(_MEMBER).where(member.team == bindparam("b_t"),
                                      member.user_key == bindparam("b_u")).values(manager=True),
          [{"b_t": t, "b_u": u} for (t, u), m in wanted.items() if m and others.get((t, u)) is
           False])
    granted = {(t, u) for t, u in conn.execute(grants)}
    _many(conn, insert(_GRANT), [
        {"role": MANAGER_ROLE, "user_key": u, "team": t, "granted_by": by, "granted_at": at}
        for (t, u), m in wanted.items() if m and (t, u) not in granted])


def _many(conn: Connection, statement: Executable, rows: list[dict[str, object]]) -> None:
    """One executemany (nothing when there are no rows: an empty list is an error)."""
    if rows:
        conn.execute(statement, rows)
