"""Where a vote benchmark keeps its data: a SQLite file in the run's temporary folder (the
default), or, with ``--postgres URL``, a fresh database on that PostgreSQL server for each
measurement (and another for the peer), dropped at the end, also on failure.

There is no sync PostgreSQL driver in the project (asyncpg only), so every read and write
here is async; SQLite keeps the plain ``sqlite3`` module (fast, and not measured).
"""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
import sys
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from benchmarks._harness import cpu_seconds

# Bounds for the admin statements: a benchmark must stop by itself even when the server
# hangs (DROP DATABASE waits for open connections without WITH (FORCE)).
ADMIN_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Store:
    """One database of a measurement: ``url`` as ``[storage] url`` and ``storage.db.Database``
    take it (``sqlite:///file`` or ``postgresql://...``; Database maps the async driver)."""

    kind: str  # "sqlite" | "postgresql"
    url: str
    path: Path | None = None  # the SQLite file

    @property
    def is_sqlite(self) -> bool:
        return self.kind == "sqlite"

    @property
    def target(self) -> str:
        """What the peer's ``--db`` takes: the SQLite file, or the PostgreSQL URL."""
        return str(self.path) if self.path is not None else self.url

    def param(self, n: int) -> str:
        """The driver's placeholder for the ``n``-th parameter (sqlite3 ``?``, asyncpg
        ``$n``)."""
        return "?" if self.is_sqlite else f"${n}"

    async def fetch(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        """All rows of one query, on a connection of its own (the check runs while nothing
        else uses this process's connections)."""
        if self.path is not None:
            with sqlite3.connect(self.path, timeout=10) as conn:
                return conn.execute(sql, args).fetchall()
        conn = await connect(self.url)
        try:
            return [tuple(row) for row in await conn.fetch(sql, *args, timeout=60)]
        finally:
            await conn.close()

    async def copy(self, table: str, columns: Sequence[str],
                   records: Iterable[Sequence[Any]]) -> None:
        """Bulk rows into ``table``: ``executemany`` on SQLite, ``COPY`` on PostgreSQL (50,000
        members in well under a second instead of one round trip each)."""
        rows = list(records)
        if self.path is not None:
            marks = ", ".join("?" for _ in columns)
            with sqlite3.connect(self.path) as conn:
                conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                                 rows)
            return
        conn = await connect(self.url)
        try:
            await conn.copy_records_to_table(table, columns=list(columns), records=rows,
                                             timeout=120)
        finally:
            await conn.close()


def plain(url: str, **parts: Any) -> str:
    """``url`` with the plain ``postgresql`` scheme (asyncpg's DSN, and what the project's
    config takes), whatever driver suffix the caller wrote, and ``parts`` replaced."""
    return make_url(url).set(drivername="postgresql", **parts).render_as_string(
        hide_password=False)


async def connect(url: str) -> Any:
    import asyncpg

    return await asyncpg.connect(plain(url), timeout=ADMIN_TIMEOUT_S)


async def _admin(server: str, statement: str) -> None:
    """One statement on the database the ``--postgres`` URL names (CREATE/DROP DATABASE
    cannot run in a transaction, and not on the database they create or drop)."""
    conn = await connect(server)
    try:
        await conn.execute(statement, timeout=ADMIN_TIMEOUT_S)
    finally:
        await conn.close()


async def _drop(server: str, name: str) -> None:
    """Drop a benchmark database, bounded; a failure is reported, not raised, so it does not
    hide the measurement's own error (the name says what to drop by hand)."""
    try:
        # FORCE: a server process SIGKILLed after its grace may have left connections open.
        await asyncio.wait_for(
            _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'), ADMIN_TIMEOUT_S)
    except Exception as exc:  # any failure: report it and go on
        print(f"could not drop benchmark database {name}: {type(exc).__name__}: {exc}",
              file=sys.stderr, flush=True)


@asynccontextmanager
async def fresh_store(postgres: str | None, tmp: Path, name: str) -> AsyncIterator[Store]:
    """A new, empty database for one measurement: ``tmp/<name>.db``, or, with a PostgreSQL
    server URL, ``hartslag_bench_<random>`` created on it and dropped when the block ends."""
    if not postgres:
        path = tmp / f"{name}.db"
        yield Store("sqlite", f"sqlite:///{path}", path)
        return
    database = f"hartslag_bench_{name}_{secrets.token_hex(4)}"
    await asyncio.wait_for(_admin(postgres, f'CREATE DATABASE "{database}"'), ADMIN_TIMEOUT_S)
    try:
        yield Store("postgresql", plain(postgres, database=database))
    finally:
        await _drop(postgres, database)


# What in a server's (or the peer's) output means storage trouble. hartslag's own log lines
# carry the exception text; a library's only the exception's type (bots/logs.py withholds
# its message), hence both the PostgreSQL phrases and asyncpg's class names.
SQLITE_FAILURES = ("database is locked",)
POSTGRES_FAILURES = ("deadlock detected", "DeadlockDetectedError", "could not serialize",
                     "SerializationError", "too many connections", "TooManyConnectionsError")
# Either database: the pool running dry (the naive peer's failure on SQLite), a constraint
# broken by a race, and any error at all: a traceback (the peer prints them) or an error
# line of hartslag's JSON log.
ANY_FAILURES = ("QueuePool limit", "IntegrityError", "Traceback", '"level": "error"',
                '"level": "critical"', "ERROR")
_CHAINED = ("The above exception was the direct cause", "During handling of the above")


def log_records(text: str) -> list[str]:
    """The output as records: a traceback (with the exceptions chained to it) is one record,
    every other line another, so one failure counts once however many lines it prints."""
    records: list[str] = []
    in_traceback = chained = False
    for line in text.splitlines():
        starts = line.startswith("Traceback (most recent call last)")
        # A JSON log line always ends a traceback; another traceback ends it unless the last
        # one said it is chained to this one.
        if in_traceback and not line.startswith("{") and (not starts or chained):
            records[-1] += "\n" + line
            chained = (chained and not starts) or line.startswith(_CHAINED)
            continue
        records.append(line)
        in_traceback, chained = starts, False
    return records


def log_failures(log: Path, store: Store) -> dict[str, Any]:
    """``database_locked``: "database is locked" occurrences (as before); ``database_errors``:
    failures (log records) that match a failure of this database or are errors at all;
    ``database_error_kinds``: how many failures matched each pattern."""
    text = log.read_text(errors="replace") if log.exists() else ""
    patterns = (SQLITE_FAILURES if store.is_sqlite else POSTGRES_FAILURES) + ANY_FAILURES
    failed = [r for r in log_records(text) if any(p in r for p in patterns)]
    kinds = {p: sum(p in r for r in failed) for p in patterns}
    return {"database_locked": text.count("database is locked"), "database_errors": len(failed),
            "database_error_kinds": {k: n for k, n in kinds.items() if n}}


@dataclass(frozen=True)
class Backends:
    """The PostgreSQL backends of one database at one moment: CPU seconds per pid, and the
    sessions ever opened to it (``pg_stat_database.sessions``)."""

    cpu: dict[int, float]
    sessions: int


async def backend_cpu(store: Store) -> Backends | None:
    """The backends serving ``store``'s database now (None on SQLite, which runs inside the
    server's own processes, already counted). The server's CPU per vote leaves the database
    server out; this is the other half, read from /proc (the server is on this machine)."""
    if store.is_sqlite:
        return None
    # One query, so a snapshot is one session of its own.
    rows = await store.fetch(
        "SELECT a.pid, d.sessions FROM pg_stat_database d LEFT JOIN pg_stat_activity a "
        "ON a.datname = d.datname AND a.pid <> pg_backend_pid() "
        "WHERE d.datname = current_database()")
    return Backends({pid: cpu_seconds(pid) for pid, _ in rows if pid is not None},
                    int(rows[0][1] or 0))


async def backend_cpu_since(store: Store, before: Backends | None) -> dict[str, Any]:
    """``cpu``: CPU seconds the backends used since ``before`` (a new one, the pool grew,
    counts from its start); ``sessions_ended``: sessions opened meanwhile that are gone again,
    whose CPU is missed, so with any the figure is a lower bound (a pool's overflow
    connections close when returned). About: the snapshots are sessions too, and the
    statistics lag by up to a second."""
    now = await backend_cpu(store)
    if before is None or now is None:
        return {"cpu": None, "sessions_ended": None}
    new = [pid for pid in now.cpu if pid not in before.cpu]
    ended = max(0, now.sessions - before.sessions - 1 - len(new))
    return {"cpu": sum(max(0.0, cpu - before.cpu.get(pid, 0.0)) for pid, cpu in now.cpu.items()),
            "sessions_ended": ended}
