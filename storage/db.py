"""The async engine and sessions.

SQLite (default) runs in WAL mode with a busy timeout, and write sessions start with
``BEGIN IMMEDIATE``: measured here, several writers on one file otherwise fail with
"database is locked" despite the busy timeout. Read-only sessions use a deferred BEGIN so
readers never wait for writers (WAL). PostgreSQL (asyncpg) needs none of this.

``write(fn)`` runs a whole write transaction in ONE hop to a worker thread (SQLite) instead
of one event-loop round trip per statement. SQLite's write lock is held from ``BEGIN
IMMEDIATE`` to ``COMMIT``; through the async driver that spans several event-loop turns, and
under a burst a busy loop turned that into 100 ms-1 s lock holds, for which the other
processes' writers (HTTP workers) waited in SQLite's busy handler. The burst writers (the
vote writer, the Teams references) use it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import Any, BinaryIO, TypeVar

try:
    import fcntl
except ImportError:  # not on Windows: SQLite's busy handler alone
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

BUSY_TIMEOUT_MS = 30_000
_READONLY = "hartslag_readonly"
T = TypeVar("T")
M = TypeVar("M", bound=SQLModel)


def async_url(url: str) -> str:
    """Accept plain URLs (``sqlite:///x.db``, ``postgresql://...``) and pick the async driver."""
    parsed = make_url(url)
    driver = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg",
              "postgres": "postgresql+asyncpg"}.get(parsed.drivername, parsed.drivername)
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


class Database:
    """One engine per process; ``session()`` for writes, ``session(readonly=True)`` for reads."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = async_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        # hide_parameters: a failing statement's message must not quote the values it carried
        # (an anonymous signal's text, a voter key) into a log line.
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if not self.is_sqlite:
            kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=10)
        else:
            kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_MS / 1000}
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        self._kwargs = kwargs
        self._sync: Engine | None = None
        self._sync_lock = threading.Lock()
        self._turn = threading.Lock()  # one write() transaction at a time in this process
        database = make_url(self.url).database if self.is_sqlite else None
        self._lock_path = f"{database}.writer-lock" if database and database != ":memory:" \
            else None
        self._lock_file: BinaryIO | None = None
        if self.is_sqlite:
            _configure_sqlite(self.engine.sync_engine)

    @asynccontextmanager
    async def session(self, *, readonly: bool = False) -> AsyncIterator[AsyncSession]:
        """A session in one transaction, committed on success and rolled back on error."""
        bind = self.engine.execution_options(**{_READONLY: True}) if readonly else self.engine
        async with AsyncSession(bind, expire_on_commit=False) as session, session.begin():
            yield session

    # -- one row by primary key: the repositories' most common transactions ---------------
    async def get(self, model: type[M], key: Any) -> M | None:
        """The row with this primary key, read in a read-only session."""
        async with self.session(readonly=True) as session:
            return await session.get(model, key)

    async def insert(self, row: M) -> M:
        """Add ``row`` in its own transaction; returned with its generated key and every
        column as the database stored it."""
        async with self.session() as session:
            session.add(row)
            await session.flush()
            await session.refresh(row)
            return row

    async def insert_once(self, row: SQLModel) -> bool:
        """Add ``row`` in its own transaction; False when a unique key already holds one (a
        retried job, a second press, a replayed event): then nothing is written."""
        try:
            async with self.session() as session:
                session.add(row)
        except IntegrityError:
            return False
        return True

    async def change(self, model: type[M], key: Any, values: Mapping[str, Any], *,
                     when: Callable[[M], bool] | None = None) -> M | None:
        """Set ``values`` (column -> value) on the row with this primary key, only if
        ``when(row)`` holds, checked in the same transaction. The changed row as the
        database stored it (like ``insert``), or None when there is no such row or ``when``
        refused it."""
        async with self.session() as session:
            row = await session.get(model, key)
            if row is None or (when is not None and not when(row)):
                return None
            for name, value in values.items():
                setattr(row, name, value)
            session.add(row)
            await session.flush()
            await session.refresh(row)
            return row

    async def delete(self, model: type[M], key: Any) -> bool:
        """Delete the row with this primary key; False when there was none."""
        async with self.session() as session:
            row = await session.get(model, key)
            if row is None:
                return False
            await session.delete(row)
            return True

    async def write(self, fn: Callable[[Connection], T]) -> T:
        """``fn(connection)`` in one write transaction (Core statements), committed when it
        returns. SQLite: the whole transaction runs in a worker thread in one go (see the
        module docstring); PostgreSQL: on the async connection (``run_sync``)."""
        if not self.is_sqlite or self._lock_path is None:  # PostgreSQL, or SQLite in memory
            async with self.engine.begin() as conn:  # (a second engine would see another db)
                return await conn.run_sync(fn)
        return await asyncio.to_thread(self._write_sync, fn)

    def _write_sync(self, fn: Callable[[Connection], T]) -> T:
        with self._sync_lock:  # two writers' first calls may race to create the engine
            if self._sync is None:
                self._sync = create_engine(self.url.replace("+aiosqlite", "", 1),
                                           **self._kwargs)
                _configure_sqlite(self._sync)
        with self._turn, self._file_turn(), self._sync.begin() as conn:
            return fn(conn)

    @contextmanager
    def _file_turn(self) -> Iterator[None]:
        """Writers of several processes (HTTP workers) take turns through ``flock`` on a
        file next to the database: the kernel wakes a waiting writer the moment the lock is
        free. SQLite's own busy handler polls with growing sleeps (up to 100 ms each), which
        under a burst left writers waiting 100-450 ms for a lock held for a few ms."""
        if fcntl is None or self._lock_path is None:
            yield
            return
        if self._lock_file is None:
            self._lock_file = open(self._lock_path, "a+b")  # noqa: SIM115 (kept open)
        fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_UN)

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._sync is not None:
            self._sync.dispose()
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (the driver's implicit BEGIN is DEFERRED).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        readonly = connection.get_execution_options().get(_READONLY, False)
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")
