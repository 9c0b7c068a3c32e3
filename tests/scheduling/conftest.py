"""Fixtures of the scheduler and outbox tests: a migrated SQLite database (``db_url`` from
tests/conftest.py), a FakeClock, a recording runner."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

import storage.outbox
import storage.scheduling
from commands.metrics import Metrics
from storage.base import metadata
from storage.db import Database

PG_ENV = "HARTSLAG_TEST_POSTGRES_URL"
assert storage.outbox and storage.scheduling  # their tables are in ``metadata``
MY_TABLES = ("schedule", "schedule_run", "scheduler_lease", "outbox", "outbox_batch",
             "outbox_message", "installation", "delivery_budget")


class RecordingRunner:
    """The ``runner`` seam: records (kind, payload); can fail on purpose for a kind."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.fail_kinds: set[str] = set()

    async def __call__(self, kind: str, payload: Mapping[str, Any]) -> None:
        self.calls.append((kind, dict(payload)))
        if kind in self.fail_kinds:
            raise RuntimeError("job failed on purpose")

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.calls]

    def slots(self, kind: str | None = None) -> list[str]:
        return [p["_schedule"]["slot"] for k, p in self.calls
                if "_schedule" in p and (kind is None or k == kind)]


def _run(coroutine: Any) -> None:
    """asyncio.run in a thread: session fixtures may be first asked for inside a test's loop."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coroutine).result()


async def _admin(url: str, statement: str) -> None:
    import asyncpg

    admin = make_url(url).set(drivername="postgresql")
    conn = await asyncpg.connect(admin.render_as_string(hide_password=False))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session (dropped afterwards)."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set: PostgreSQL tests skipped")
    name = f"hartslag_sched_{uuid.uuid4().hex[:10]}"
    url = make_url(base).set(drivername="postgresql", database=name)
    rendered = url.render_as_string(hide_password=False)

    async def create() -> None:
        await _admin(base, f'CREATE DATABASE "{name}"')
        await create_tables(rendered)

    _run(create())
    try:
        yield rendered
    finally:
        _run(_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def create_tables(url: str) -> None:
    """Only the scheduler's and outbox's tables (as migration 0002_scheduling makes them;
    tests/scheduling/test_migration.py checks the migration itself), so these tests do not
    depend on other features' work in progress."""
    database = Database(url)
    async with database.engine.begin() as conn:
        await conn.run_sync(lambda c: metadata.create_all(c, tables=my_tables()))
    await database.dispose()


def my_tables() -> list[Any]:
    return [metadata.tables[name] for name in MY_TABLES]


@pytest.fixture(scope="session")
def sched_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sched") / "template.db"
    _run(create_tables(f"sqlite:///{path}"))
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, sched_template: Path) -> str:
    target = tmp_path / "sched.db"
    shutil.copy(sched_template, target)
    return f"sqlite:///{target}"


async def truncate(url: str) -> None:
    database = Database(url)
    async with database.session() as session:
        await session.exec(text(f"TRUNCATE {', '.join(MY_TABLES)} RESTART IDENTITY"))  # type: ignore[call-overload]
    await database.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
async def db(request: pytest.FixtureRequest, sqlite_url: str) -> AsyncIterator[Database]:
    """The test's database: a migrated SQLite copy, and PostgreSQL when configured."""
    if request.param == "postgres":
        url = request.getfixturevalue("pg_url")
        await truncate(url)
        database = Database(url)
    else:
        database = Database(sqlite_url)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def runner() -> RecordingRunner:
    return RecordingRunner()


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()
