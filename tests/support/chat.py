"""Drive the local chat from a test with a script, as ``hartslag chat`` would."""

from __future__ import annotations

import io
from datetime import timedelta

from bots.app import App
from bots.chat import advance_clock, settle
from bots.local.adapter import LocalAdapter
from bots.local.script import ChatSession, Transcript
from commands.clock import FakeClock


class ChatDriver:
    """``await chat.run('@anna\\n/hartslag help')`` returns the transcript of that script."""

    def __init__(self, app: App, adapter: LocalAdapter, clock: FakeClock) -> None:
        self.app = app
        self.adapter = adapter
        self.clock = clock
        self._out = io.StringIO()
        adapter.world.listeners.append(Transcript(self._out))
        self.session = ChatSession(adapter, advance=self.advance, settle=lambda: settle(app),
                                   notice=self._notice)

    def _notice(self, text: str) -> None:
        self._out.write(text + "\n")

    async def advance(self, delta: timedelta) -> None:
        """Move the fake clock by ``delta``, stopping at every slot that falls due on the way
        (so each runs at its own time) and sending what the runs enqueue."""
        await advance_clock(self.app, self.clock, delta)

    async def run(self, script: str) -> str:
        start = self._out.tell()
        for line in script.splitlines():
            await self.session.run_line(line)
        return self._out.getvalue()[start:]

    @property
    def transcript(self) -> str:
        return self._out.getvalue()
