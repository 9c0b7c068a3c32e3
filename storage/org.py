"""Organisation teams: a name, an optional parent team, members and managers.

Members are people written ``platform:id`` (one person may have an account on several
platforms: list each). Managers are kept here for listing; their *permission* is a
``manager`` role grant with ``team=<name>`` in ``role_grant`` (storage/roles.py), written by
the same repository call so the two never drift apart.

``source`` says where a row came from (``config``, ``csv``, ``chat``): a config sync replaces
only config rows, so a CSV import and chat commands survive a restart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

import storage.base  # noqa: F401  (naming convention before any table)
from storage.db import Database
from storage.roles import RoleGrant

MANAGER_ROLE = "manager"


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
        async with self._db.session(readonly=True) as session:
            teams = list(await session.exec(select(OrgTeam).order_by(col(OrgTeam.name))))
            members = list(await session.exec(select(OrgMember)))
        people: dict[str, set[str]] = {}
        bosses: dict[str, set[str]] = {}
        for row in members:
            (bosses if row.manager else people).setdefault(row.team, set()).add(row.user_key)
        return [TeamRecord(t.name, t.parent, frozenset(people.get(t.name, ())),
                           frozenset(bosses.get(t.name, ())), t.source) for t in teams]

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
        transaction. Rows of other sources are kept; a team named in both keeps its row."""
        async with self._db.session() as session:
            old_teams = list(await session.exec(select(OrgTeam).where(OrgTeam.source == source)))
            old_people = list(await session.exec(
                select(OrgMember).where(OrgMember.source == source)))
            for person in old_people:
                if person.manager:
                    await self._grant(session, person.team, person.user_key, present=False,
                                      by=by, at=at)
                await session.delete(person)
            wanted = {spec.name for spec in specs}
            for team in old_teams:
                if team.name not in wanted:
                    await session.delete(team)
            await session.flush()
            for spec in specs:
                row = await session.get(OrgTeam, spec.name)
                if row is None:
                    session.add(OrgTeam(name=spec.name, parent=spec.parent, source=source))
                else:
                    row.parent = spec.parent
                    session.add(row)
                for key, is_manager in [(m, False) for m in spec.members] + [
                        (m, True) for m in spec.managers]:
                    existing = await session.get(OrgMember, (spec.name, key))
                    if existing is not None:
                        if is_manager and not existing.manager:
                            existing.manager = True
                            session.add(existing)
                    else:
                        session.add(OrgMember(team=spec.name, user_key=key, manager=is_manager,
                                              source=source))
                    if is_manager:
                        await self._grant(session, spec.name, key, present=True, by=by, at=at)
                await session.flush()
