"""Runs the local chat against the full core (storage, scheduler, outbox) in this process.

The chat keeps to its own database: by default a fresh demo database in the user's state
directory (``$XDG_STATE_HOME/hartslag/chat.db``, else ``~/.local/state/hartslag``), never
the ``[storage]`` database a server uses; ``--db`` chooses another. It drives the scheduler
itself on a fake clock, so it takes the scheduler lease first and refuses a database whose
lease a live server holds. Logs go to a file next to the database; the terminal shows only
warnings (``--verbose``: everything), so the transcript stays a conversation.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

from bots.app import App
from bots.config import Config
from bots.local.adapter import LocalAdapter
from bots.local.script import ChatSession, Transcript
from bots.logs import setup_logging
from commands.clock import Clock, FakeClock, SystemClock

EXIT_REFUSED = 2
REFUSAL = (
    "hartslag chat: de database {db} is in gebruik door een draaiende server (de "
    "scheduler-lease is van {holder}). De chat draait geplande taken op zijn eigen klok en "
    "zou de berichten van die server te vroeg versturen. Laat --db weg (de chat krijgt een "
    "eigen demodatabase) of stop eerst de server.\n"
    "hartslag chat: the database {db} is in use by a running server (the scheduler lease is "
    "held by {holder}). The chat runs scheduled work on its own clock and would send that "
    "server's messages too early. Leave out --db (the chat gets its own demo database) or "
    "stop the server first."
)
LOST = ("[hartslag chat: een server heeft de scheduler-lease overgenomen ({holder}); geplande "
        "taken draaien hier niet meer / a server took over the scheduler lease ({holder}); "
        "scheduled work no longer runs here]")


def state_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where the chat keeps its demo database and log (XDG base directory spec)."""
    env = os.environ if env is None else env
    base = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "hartslag"


@dataclass
class ChatStore:
    """The chat's database (a URL) and log file; ``close()`` ends the session's claim."""

    url: str
    log: Path
    shown: str  # how a message names the database
    _lock: IO[str] | None = None
    _scratch: list[Path] = field(default_factory=list)

    def close(self) -> None:
        for path in self._scratch:
            path.unlink(missing_ok=True)
        if self._lock is not None:
            self._lock.close()


def chat_store(db: str | None, env: Mapping[str, str] | None = None) -> ChatStore:
    """``db``: a path or URL the person chose (used as it is), or None for the demo
    database, made fresh for every session so a tour always starts from the same world."""
    if db:
        if "://" in db:
            return ChatStore(db, state_dir(env) / "chat.log", db.split("@")[-1])
        path = Path(db).expanduser().resolve()
        return ChatStore(f"sqlite:///{path}", path.with_suffix(".log"), str(path))
    folder = state_dir(env)
    folder.mkdir(parents=True, exist_ok=True)
    lock = _exclusive(folder / "chat.lock")
    # A second chat at the same time gets its own scratch database instead of the shared one.
    path = folder / ("chat.db" if lock is not None else f"chat-{os.getpid()}.db")
    files = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]
    for stale in (path, *files):
        stale.unlink(missing_ok=True)
    scratch = [] if lock is not None else [path, *files]
    return ChatStore(f"sqlite:///{path}", folder / "chat.log", str(path), lock, scratch)


def _exclusive(path: Path) -> IO[str] | None:
    """An exclusive lock on ``path`` for this process's lifetime, or None when taken."""
    handle = path.open("a", encoding="utf-8")
    try:
        import fcntl

        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:
        return handle  # no flock (Windows): one chat at a time is the person's own care
    except OSError:
        handle.close()
        return None
    return handle


def chat_config(config: Config, url: str) -> Config:
    return config.model_copy(update={"storage": config.storage.model_copy(update={"url": url})})


async def run_chat(config: Config, *, user: str, place: str, start: datetime | None,
                   interactive: bool, demo: bool = False, db: str | None = None,
                   verbose: bool = False) -> int:
    store = chat_store(db)
    try:
        setup_logging(config.logging.level, fmt=config.logging.format, file=store.log,
                      stream_level=None if verbose else "WARNING")
        return await _run(chat_config(config, store.url), store, user=user, place=place,
                          start=start, interactive=interactive, demo=demo)
    finally:
        store.close()


async def _run(config: Config, store: ChatStore, *, user: str, place: str,
               start: datetime | None, interactive: bool, demo: bool) -> int:
    fake = FakeClock(start or datetime.now(UTC).replace(second=0, microsecond=0))
    clock: Clock = fake if (start is not None or not interactive) else SystemClock()
    adapter = LocalAdapter(config.local)
    app = App(config, clock=clock, adapters=[adapter])
    await app.open_storage()
    holder = await app.scheduler.hold_lease()
    if holder is not None:
        await app.db.dispose()
        print(REFUSAL.format(db=store.shown, holder=holder), file=sys.stderr)
        return EXIT_REFUSED
    lease = LeaseKeeper(app, run_slots=clock is not fake)
    try:
        await app.start(serve_http=False, scheduler_timer=False)
        if demo:
            from bots.demo import seed

            await seed(app.context())
            # The demo's past posted an announcement in #algemeen: it goes out now, before
            # the transcript starts, so the conversation opens with the person's first line.
            await settle(app)
        adapter.world.listeners.append(Transcript(sys.stdout))
        lease.start()
        await _converse(app, fake if clock is fake else None, lease, user=user, place=place,
                        interactive=interactive, log=store.log)
    finally:
        await lease.stop()
        await app.scheduler.release_lease()
        await app.stop()
    return 0


async def _converse(app: App, fake: FakeClock | None, lease: LeaseKeeper, *, user: str,
                    place: str, interactive: bool, log: Path) -> None:
    adapter = app.adapters[0]
    assert isinstance(adapter, LocalAdapter)

    async def advance(delta: timedelta) -> None:
        if fake is None:
            print("[wait only works with a script or --start: the clock is real]")
            return
        await lease.renew()  # a slow pipe may have kept the keeper from renewing in time
        if lease.held:
            await advance_clock(app, fake, delta)
        else:
            fake.advance(delta)

    async def settled() -> None:
        await lease.renew()
        if lease.held:
            await settle(app)

    session = ChatSession(adapter, advance=advance, settle=settled, notice=print, user=user,
                          place=place)
    if interactive:
        await _interactive(session, log)
    else:
        for line in sys.stdin:
            await session.run_line(line)


class LeaseKeeper:
    """Renews the chat's scheduler lease every ``refresh_seconds`` of real time, and with a
    real clock also runs what fell due (the timer's job in a server). When a server takes
    the lease over (the chat stalled past it), scheduled work and sending stop here for
    good; the conversation goes on."""

    def __init__(self, app: App, *, run_slots: bool) -> None:
        self._app = app
        self._run_slots = run_slots
        self._task: asyncio.Task[None] | None = None
        self._renewed = time.monotonic()  # the lease was just taken, before the keeper
        self.held = True

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="hartslag.chat.lease")

    async def _loop(self) -> None:
        every = self._app.config.scheduler.refresh_seconds
        while self.held:
            await asyncio.sleep(every)
            await self.renew(force=True)
            if self.held and self._run_slots:
                await settle(self._app)

    async def renew(self, *, force: bool = False) -> None:
        """Renew unless done less than ``refresh_seconds`` ago (the lease lasts
        ``lease_seconds``, so it is still ours then; a write per script line cost 4 ms)."""
        every = self._app.config.scheduler.refresh_seconds
        if not self.held or (not force and time.monotonic() - self._renewed < every):
            return
        holder = await self._app.scheduler.hold_lease()
        self._renewed = time.monotonic()
        if holder is not None:
            # A server leads this database now: its outbox is its own to send, too.
            self.held = False
            print(LOST.format(holder=holder), file=sys.stderr)
            await self._app.outbox.stop()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task


async def _interactive(session: ChatSession, log: Path) -> None:
    print("hartslag chat: '@naam' wissel van persoon, '#kanaal' of 'dm' wissel van plek, "
          f"'press N' druk op een knop, Ctrl-D stopt. Begin met /hartslag help. Log: {log}")
    loop = asyncio.get_running_loop()
    while True:
        try:
            line = await loop.run_in_executor(None, input, session.prompt)
        except EOFError:
            return
        await session.run_line(line)


async def advance_clock(app: App, clock: FakeClock, delta: timedelta) -> None:
    """Let ``delta`` pass on a fake clock: jump from due slot to due slot (each runs at its
    own time, as it would for real), then to the end, sending what the runs enqueue."""
    end = clock.now() + delta
    while True:
        await app.scheduler.run_due()
        await app.outbox.drain()
        upcoming = await app.scheduler.next_due()
        if clock.now() >= end:
            return
        target = end if upcoming is None else max(clock.now(), min(end, upcoming))
        if target == clock.now():
            target = min(end, clock.now() + timedelta(minutes=1))  # a slot that cannot run yet
        clock.set(target)


async def settle(app: App) -> None:
    """After each line: what fell due at this moment runs, and what it enqueued is sent, so
    a script reads like a conversation (a pulse created "now" is in the DMs on the next line)."""
    await app.scheduler.run_due()
    await app.outbox.drain()
