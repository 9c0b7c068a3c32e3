"""Runs the local chat against the full core (storage, scheduler, outbox) in this process."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta

from bots.app import App
from bots.config import Config
from bots.local.adapter import LocalAdapter
from bots.local.script import ChatSession, Transcript
from commands.clock import Clock, FakeClock, SystemClock


async def run_chat(config: Config, *, user: str, place: str, start: datetime | None,
                   interactive: bool, demo: bool = False) -> int:
    fake = FakeClock(start or datetime.now(UTC).replace(second=0, microsecond=0))
    clock: Clock = fake if (start is not None or not interactive) else SystemClock()
    adapter = LocalAdapter(config.local)
    adapter.world.listeners.append(Transcript(sys.stdout))
    app = App(config, clock=clock, adapters=[adapter])
    await app.start(serve_http=False)
    if demo:
        from bots.demo import seed

        await seed(app.context())

    async def advance(delta: timedelta) -> None:
        if clock is not fake:
            print("[wait only works with a script or --start: the clock is real]")
            return
        await advance_clock(app, fake, delta)

    def notice(text: str) -> None:
        print(text)

    session = ChatSession(adapter, advance=advance, settle=lambda: settle(app), notice=notice,
                          user=user, place=place)
    try:
        if interactive:
            await _interactive(session)
        else:
            for line in sys.stdin:
                await session.run_line(line)
    finally:
        await app.stop()
    return 0


async def _interactive(session: ChatSession) -> None:
    print("hartslag chat: '@naam' wissel van persoon, '#kanaal' of 'dm' wissel van plek, "
          "'press N' druk op een knop, Ctrl-D stopt. Begin met /hartslag help.")
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
