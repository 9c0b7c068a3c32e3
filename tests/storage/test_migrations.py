"""Migrations from empty, from each older head and back down, models and migrations in step,
refusing an older schema, and each branch's migrations in its own directory (issue 21)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, create_engine, inspect, text

import storage.revision
from storage.db import Database
from storage.migrate import (
    MIGRATIONS,
    SchemaError,
    SchemaState,
    alembic_config,
    ensure_current,
    state,
    upgrade,
)
from storage.schema import metadata, migration_branches
from tests.support.db import fresh_database

# Every revision released before the migrations moved into one directory per branch, with
# what it revises: databases out there are stamped with these ids, so they never change.
RELEASED = {
    "0001_core": None, "0002_scheduling": "0001_core", "0003_announcements": "0001_core",
    "0004_pulse": "0001_core", "0005_signals": "0001_core", "0006_wheres": "0001_core",
    "0008_teams": "0001_core", "0010_notices": "0001_core",
    "0011_scheduling_notify": "0002_scheduling", "0012_pulse_audience": "0004_pulse",
    "0013_verbinden": "0001_core", "0014_scheduling_budget": "0011_scheduling_notify",
    "0015_wheres_vectors": "0006_wheres", "0017_pulse_state": "0012_pulse_audience",
}
_SCRIPT = ScriptDirectory.from_config(alembic_config())
# Where a database made by an older release can stand: every revision that is not a head.
OLD_HEADS = sorted(rev.revision for rev in _SCRIPT.walk_revisions()
                   if rev.revision not in _SCRIPT.get_heads())


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with fresh_database(request.param, tmp_path, migrate=False) as db:
        yield db


def _diff(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), metadata))


async def _alembic(db: Database, action: Callable[[Config], None]) -> None:
    """Run an Alembic command on the test database's connection (SQLite or PostgreSQL)."""
    def run(connection: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        action(cfg)

    async with db.engine.begin() as conn:
        await conn.run_sync(run)


async def _matches_the_models(db: Database) -> bool:
    async with db.engine.connect() as conn:
        return await conn.run_sync(_diff) == []


async def test_empty_database_is_migrated_and_matches_the_models(empty_db: Database) -> None:
    assert await state(empty_db) is SchemaState.EMPTY
    assert await ensure_current(empty_db) is SchemaState.CURRENT
    assert await state(empty_db) is SchemaState.CURRENT
    async with empty_db.engine.connect() as conn:
        assert await conn.run_sync(_diff) == []


async def test_an_older_schema_is_refused_with_what_to_run(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    cfg = alembic_config()
    cfg.set_main_option("sqlalchemy.url", f"sqlite:///{path}")
    command.upgrade(cfg, "0001_core")
    db = Database(f"sqlite:///{path}")
    try:
        if await state(db) is SchemaState.CURRENT:
            pytest.skip("only the core migration exists")
        with pytest.raises(SchemaError, match="hartslag db upgrade"):
            await ensure_current(db)
    finally:
        await db.dispose()


async def test_foreign_tables_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with create_engine(f"sqlite:///{path}").begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
    db = Database(f"sqlite:///{path}")
    try:
        with pytest.raises(SchemaError, match="does not recognise"):
            await ensure_current(db)
    finally:
        await db.dispose()


@pytest.mark.parametrize("old_head", OLD_HEADS)
async def test_a_database_at_an_older_head_upgrades_to_the_models(
        empty_db: Database, old_head: str) -> None:
    await _alembic(empty_db, lambda cfg: command.upgrade(cfg, old_head))
    assert await state(empty_db) is SchemaState.BEHIND
    await upgrade(empty_db)
    assert await state(empty_db) is SchemaState.CURRENT
    assert await _matches_the_models(empty_db)


async def test_every_migration_downgrades_to_empty_and_upgrades_again(
        empty_db: Database) -> None:
    await upgrade(empty_db)
    await _alembic(empty_db, lambda cfg: command.downgrade(cfg, "base"))
    async with empty_db.engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    assert tables - {"alembic_version"} == set()
    assert await state(empty_db) is SchemaState.EMPTY
    await upgrade(empty_db)
    assert await _matches_the_models(empty_db)


def _graph(cfg: Config) -> dict[str, object]:
    return {rev.revision: rev.down_revision
            for rev in ScriptDirectory.from_config(cfg).walk_revisions()}


def _one_directory_layout(tmp_path: Path) -> Config:
    """The layout before issue 21: every migration in versions/, no version_locations."""
    root = tmp_path / "old"
    (root / "versions").mkdir(parents=True)
    for name in ("env.py", "script.py.mako"):
        shutil.copy(MIGRATIONS / name, root / name)
    for path in MIGRATIONS.glob("versions/*/*.py"):
        shutil.copy(path, root / "versions" / path.name)
    cfg = Config()
    cfg.set_main_option("script_location", str(root))
    return cfg


async def test_a_database_migrated_in_the_one_directory_layout_is_current(
        tmp_path: Path) -> None:
    assert RELEASED.items() <= _graph(alembic_config()).items()
    old = _one_directory_layout(tmp_path)
    assert _graph(old) == _graph(alembic_config())
    old.set_main_option("sqlalchemy.url", f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(old, "heads")
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        assert await state(db) is SchemaState.CURRENT
        assert await _matches_the_models(db)
    finally:
        await db.dispose()


def test_a_new_features_migrations_go_into_its_own_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``python -m storage.revision`` (docs/developer/architecture.md, "Adding a feature"),
    on a copy of the migrations: a declared new branch gets a directory of its own, a later
    migration of it lands there too, and an undeclared branch is refused."""
    root = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, root, ignore=shutil.ignore_patterns("__pycache__"))
    branches = (*migration_branches(), "toy")  # as a manifest with migrations="toy" adds
    monkeypatch.setattr(storage.revision, "alembic_config",
                        lambda: alembic_config(branches, root=root))
    toy = root / "versions" / "toy"

    assert storage.revision.main(["0099_toy", "toy tables"]) == 0
    assert [p.name for p in toy.glob("*.py")] == ["0099_toy_toy_tables.py"]
    cfg = alembic_config(branches, root=root)
    first = ScriptDirectory.from_config(cfg).get_revision("0099_toy")
    assert first is not None and first.branch_labels == {"toy"}
    assert first.down_revision == "0001_core"

    assert storage.revision.main(["0100_toy_more", "more", "--on", "toy"]) == 0
    later = ScriptDirectory.from_config(cfg).get_revision("0100_toy_more")
    assert later is not None and later.down_revision == "0099_toy"
    assert sorted(p.name for p in toy.glob("*.py")) == ["0099_toy_toy_tables.py",
                                                        "0100_toy_more_more.py"]

    with pytest.raises(CommandError, match=r"branch kudos: no manifest names it"):
        storage.revision.main(["0101_kudos", "kudos tables"])
    assert not (root / "versions" / "kudos").exists()
    assert not list((root / "versions" / "core").glob("0101_*"))
