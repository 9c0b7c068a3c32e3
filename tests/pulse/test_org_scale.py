"""The organisation at scale: the set-based ``replace_source`` (team import) keeps the
semantics of the row-by-row one, on SQLite and PostgreSQL, and the vote path's cached tree
is served while an expired one reloads instead of making every vote wait for the reload.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from commands.org.directory import OrgDirectory
from commands.org.settings import OrgSettings
from storage.db import Database
from storage.org import OrgRepository, TeamRecord, TeamSpec
from storage.roles import RoleRepository

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
async def sqlite_db(db_url: str) -> AsyncIterator[Database]:
    db = Database(db_url)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
async def pg_db() -> AsyncIterator[Database]:
    """A fresh PostgreSQL database with the org and role tables."""
    import asyncpg
    from sqlalchemy.engine import make_url

    from storage.base import metadata
    from storage.org import OrgMember, OrgTeam
    from storage.roles import RoleGrant

    base = os.environ.get("HARTSLAG_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("HARTSLAG_TEST_POSTGRES_URL is not set: PostgreSQL import test skipped")
    name = f"hartslag_org_{uuid.uuid4().hex[:10]}"
    admin_url = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    database = Database(make_url(base).set(drivername="postgresql", database=name)
                        .render_as_string(hide_password=False))
    tables = [OrgTeam.__table__, OrgMember.__table__, RoleGrant.__table__]  # type: ignore[attr-defined]
    async with database.engine.begin() as conn:
        await conn.run_sync(lambda sync: metadata.create_all(sync, tables=tables))
    try:
        yield database
    finally:
        await database.dispose()
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


async def managers(db: Database) -> set[tuple[str, str]]:
    grants = await RoleRepository(db).all()
    return {(g.team, g.user_key) for g in grants if g.role == "manager"}


def by_name(records: list[TeamRecord]) -> dict[str, TeamRecord]:
    return {r.name: r for r in records}


async def check_replace_semantics(db: Database) -> None:
    repo = OrgRepository(db)
    # Rows written in chat: a team, a member there, and a chat-only manager.
    await repo.upsert_team("zorg", None, source="chat")
    await repo.set_person("zorg", "slack:UCHAT", manager=False, present=True, by="t", at=NOW)
    await repo.set_person("zorg", "slack:UBOSS", manager=True, present=True, by="t", at=NOW)
    first = [TeamSpec("zorg", None, ("slack:U1",), ("slack:UCHAT",)),
             TeamSpec("zorg-noord", "zorg", ("slack:U2", "slack:U3"), ("slack:U4",)),
             TeamSpec("weg", None, ("slack:U5", "slack:U5"), ("slack:U5",))]
    await repo.replace_source(first, source="csv", by="cli", at=NOW)
    teams = by_name(await repo.all())
    assert set(teams) == {"zorg", "zorg-noord", "weg"}
    assert teams["zorg"].source == "chat"  # a team named in both keeps its row
    assert teams["zorg-noord"].parent == "zorg"
    assert teams["zorg"].members == {"slack:U1"}
    # A chat member the CSV names as manager becomes one (the chat row is kept).
    assert teams["zorg"].managers == {"slack:UCHAT", "slack:UBOSS"}
    assert teams["weg"].managers == {"slack:U5"} and teams["weg"].members == frozenset()
    assert await managers(db) == {("zorg", "slack:UCHAT"), ("zorg", "slack:UBOSS"),
                                  ("zorg-noord", "slack:U4"), ("weg", "slack:U5")}

    # A second import replaces what the first wrote and nothing else.
    second = [TeamSpec("zorg-noord", None, ("slack:U2",), ("slack:U6",))]
    await repo.replace_source(second, source="csv", by="cli", at=NOW)
    teams = by_name(await repo.all())
    assert set(teams) == {"zorg", "zorg-noord"}
    assert teams["zorg-noord"].parent is None
    assert teams["zorg-noord"].members == {"slack:U2"}
    assert teams["zorg-noord"].managers == {"slack:U6"}
    # The chat row the first import made a manager is a chat row: it stays as it is.
    assert teams["zorg"].members == frozenset()
    assert teams["zorg"].managers == {"slack:UCHAT", "slack:UBOSS"}
    assert await managers(db) == {("zorg", "slack:UCHAT"), ("zorg", "slack:UBOSS"),
                                  ("zorg-noord", "slack:U6")}


async def test_replace_source_keeps_the_row_by_row_semantics(sqlite_db: Database) -> None:
    await check_replace_semantics(sqlite_db)


@pytest.mark.postgres
async def test_replace_source_keeps_the_row_by_row_semantics_on_postgresql(
        pg_db: Database) -> None:
    await check_replace_semantics(pg_db)


async def test_a_large_organisation_is_imported_and_replaced_whole(
        sqlite_db: Database) -> None:
    repo = OrgRepository(sqlite_db)
    people = [f"slack:U{i:06d}" for i in range(20_000)]
    specs = [TeamSpec(f"t{i:04d}", None, tuple(people[i * 25 + 1:(i + 1) * 25]),
                      (people[i * 25],)) for i in range(len(people) // 25)]
    await repo.replace_source(specs, source="csv", by="cli", at=NOW)
    await repo.replace_source(specs, source="csv", by="cli", at=NOW)  # idempotent
    records = await repo.all()
    assert len(records) == 800
    assert sum(len(r.members) + len(r.managers) for r in records) == 20_000
    assert len(await managers(sqlite_db)) == 800


class GatedRepository(OrgRepository):
    """``all()`` waits for a gate once armed: a reload that takes as long as we like."""

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.gate: asyncio.Event | None = None
        self.loads = 0

    async def all(self) -> list[TeamRecord]:
        self.loads += 1
        if self.gate is not None:
            await self.gate.wait()
        return await super().all()


async def test_an_expired_tree_is_served_while_it_reloads(sqlite_db: Database) -> None:
    settings: Any = OrgSettings()
    directory = OrgDirectory(sqlite_db)
    repo = GatedRepository(sqlite_db)
    directory.repo = repo
    await repo.replace_source([TeamSpec("zorg", None, ("slack:U1",))], source="csv", by="t",
                              at=NOW)
    old = await directory.tree(settings, at=NOW)
    assert old.team_of("slack:U1") == "zorg"
    await repo.set_person("zorg", "slack:U2", manager=False, present=True, by="t", at=NOW)

    repo.gate = asyncio.Event()
    directory._loaded -= 31.0  # the cache expired (another instance may have written)
    # The votes arriving now get the old tree at once, not after the reload.
    served = await asyncio.wait_for(directory.tree(settings, at=NOW), timeout=5)
    assert served is old and repo.loads == 2
    assert await asyncio.wait_for(directory.tree(settings, at=NOW), timeout=5) is old
    assert repo.loads == 2  # one reload, however many votes asked
    repo.gate.set()
    for _ in range(200):  # bounded: the reload finishes in the background
        if directory._tree is not old:
            break
        await asyncio.sleep(0.01)
    fresh = await directory.tree(settings, at=NOW)
    assert fresh.team_of("slack:U2") == "zorg"


async def test_a_write_in_this_process_is_never_answered_from_the_old_tree(
        sqlite_db: Database) -> None:
    settings: Any = OrgSettings()
    directory = OrgDirectory(sqlite_db)
    await directory.repo.replace_source([TeamSpec("zorg", None, ("slack:U1",))], source="csv",
                                        by="t", at=NOW)
    assert (await directory.tree(settings, at=NOW)).team_of("slack:U2") == ""
    await directory.repo.set_person("zorg", "slack:U2", manager=False, present=True, by="t",
                                    at=NOW)
    directory.invalidate()
    assert (await directory.tree(settings, at=NOW)).team_of("slack:U2") == "zorg"


async def check_grouped_read(db: Database) -> None:
    """``all()`` reads the keys joined per team: keys holding the separator (a newline in a
    quoted CSV cell), or a comma, come back whole, next to ordinary ones."""
    repo = OrgRepository(db)
    odd = ("slack:U\nSPLIT", "slack:U,COMMA", "slack:U1")
    await repo.replace_source([TeamSpec("zorg", None, odd, ("matrix:@b\n:x",)),
                               TeamSpec("noord", "zorg", ("slack:U2",), ("slack:U1",))],
                              source="csv", by="cli", at=NOW)
    teams = by_name(await repo.all())
    assert teams["zorg"].members == set(odd)
    assert teams["zorg"].managers == {"matrix:@b\n:x"}
    assert teams["noord"].members == {"slack:U2"} and teams["noord"].managers == {"slack:U1"}


async def test_the_grouped_read_keeps_every_key_whole(sqlite_db: Database) -> None:
    await check_grouped_read(sqlite_db)


@pytest.mark.postgres
async def test_the_grouped_read_keeps_every_key_whole_on_postgresql(pg_db: Database) -> None:
    await check_grouped_read(pg_db)


def test_a_person_in_several_teams_gets_the_deepest_inside_the_scope() -> None:
    from commands.org.tree import Team, TeamTree

    tree = TeamTree([Team("zorg", None, frozenset({"p", "q"})),
                     Team("noord", "zorg", frozenset({"p", "r"})),
                     Team("ict", None, frozenset({"p", "s"})),
                     Team("noord-a", "noord", frozenset({"r"}))])
    assert tree.team_of("p") == "noord"  # deepest of zorg, noord, ict
    assert tree.team_of("p", within="ict") == "ict"
    assert tree.team_of("r") == "noord-a"
    assert tree.team_of("q") == "zorg" and tree.team_of("s") == "ict"
    assert tree.team_of("nobody") == "" and tree.team_of("s", within="zorg") == ""
    assert tree.members("zorg") == {"p", "q", "r"}


async def test_a_config_sync_touches_only_its_own_rows(sqlite_db: Database) -> None:
    """The config's teams (a few, or none) written next to an imported organisation: its own
    old rows go, the import's rows stay, a person in both keeps the manager grant."""
    repo = OrgRepository(sqlite_db)
    await repo.replace_source([TeamSpec("zorg", None, ("slack:U1", "slack:U2"), ("slack:U3",)),
                               TeamSpec("noord", "zorg", ("slack:U4",))],
                              source="csv", by="cli", at=NOW)
    await repo.replace_source([TeamSpec("zorg", None, ("slack:U9",), ("slack:U1",))],
                              source="config", by="config", at=NOW)
    teams = by_name(await repo.all())
    assert teams["zorg"].members == {"slack:U2", "slack:U9"}
    assert teams["zorg"].managers == {"slack:U1", "slack:U3"}  # the CSV member made manager
    assert await managers(sqlite_db) == {("zorg", "slack:U1"), ("zorg", "slack:U3")}
    await repo.replace_source([], source="config", by="config", at=NOW)  # a config without teams
    teams = by_name(await repo.all())
    assert teams["zorg"].members == {"slack:U2"} and teams["noord"].members == {"slack:U4"}
    # The CSV's row the config made manager is a CSV row: it stays as it is, grant and all.
    assert teams["zorg"].managers == {"slack:U1", "slack:U3"}
    assert await managers(sqlite_db) == {("zorg", "slack:U1"), ("zorg", "slack:U3")}
