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
                   interactive: bool) -> int:
    fake = FakeClock(start or datetime.now(UTC).replace(second=0, microsecond=0))
    clock: Clock = fake if (start is not None or not interactive) else SystemClock()
    adapter = LocalAdapter(config.local)
    adapter.world.listeners.append(Transcript(sys.stdout))
    app = App(config, clock=clock, adapters=[adapter])
    await app.start(serve_http=False)

    async def advance(delta: timedelta) -> None:
        if clock is not fake:
            print("[wait only works with a script or --start: the clock is real]")
            return
        from bots.cli import step_for

        end, step = fake.now() + delta, step_for(delta)
        while fake.now() < end:
            fake.set(min(end, fake.now() + step))
            await app.scheduler.run_due()
            await app.outbox.drain()

    def notice(text: str) -> None:
        print(text)

    session = ChatSession(adapter, advance=advance, settle=app.outbox.drain, notice=notice,
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
