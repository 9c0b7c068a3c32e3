"""``hartslag chat``: the local chat from a terminal, or from a script (one action a line).

Lines (leading spaces ignored; ``#`` followed by a space starts a comment):

    @anna              be anna from now on (any name)
    #algemeen          go to channel #algemeen (you join it)
    dm                 go to your direct conversation with the bot
    press 2            press choice 2 of the latest message with choices you see here
    press 2 on 7       press choice 2 of message 7
    wait 2h            let time pass (m, h, d); scheduled work that falls due runs
    anything else      a message: "/hartslag help", "!hartslag help", or plain text

The transcript prints every message once, as ``[place] author: text``; the bot's messages
carry their number (``hartslag #7``), a private reply names its reader (``-> anna``) and
choices are listed as ``[1] label``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TextIO

from bots.local.adapter import LocalAdapter
from bots.local.world import BOT, LocalMessage

_WAIT = re.compile(r"^(?:wait|wacht)\s+(\d+)\s*(m|min|h|u|d)$", re.IGNORECASE)
_PRESS = re.compile(r"^(?:press|druk)\s+(\d+)(?:\s+(?:on|op)\s+#?(\d+))?$", re.IGNORECASE)
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "u": "hours", "d": "days"}

Advance = Callable[[timedelta], Awaitable[None]]


class Transcript:
    """Writes each message of the local world once, as it appears or changes."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def __call__(self, message: LocalMessage) -> None:
        self._out.write(format_message(message))
        self._out.flush()


def format_message(message: LocalMessage) -> str:
    place = f"dm {message.place[1:]}" if message.place.startswith("@") else message.place
    if message.author != BOT:
        return f"[{place}] {message.author}: {message.text}\n"
    head = f"[{place}] {BOT} #{message.number}"
    if message.only_for:
        head += f" -> {message.only_for}"
    if message.edited:
        head += " (edited)"
    lines = [head + ":"] + [f"    {line}" if line else "" for line in message.text.splitlines()]
    if message.image_path:
        lines.append(f"    [image: {message.image_path}]")
    if message.choices:
        lines.append("    " + "  ".join(f"[{i}] {c.label}" for i, c in enumerate(message.choices, 1)))
    return "\n".join(lines) + "\n"


class ChatSession:
    """The state of one chat driver: who you are and where you are."""

    def __init__(self, adapter: LocalAdapter, *, advance: Advance, settle: Callable[[], Awaitable[object]],
                 notice: Callable[[str], None], user: str = "anna", place: str = "#algemeen") -> None:
        self.adapter = adapter
        self.user = user
        self.place = place
        self._advance = advance
        self._settle = settle
        self._notice = notice

    @property
    def prompt(self) -> str:
        where = "dm" if self.place.startswith("@") else self.place
        return f"{self.user} {where}> "

    async def run_line(self, raw: str) -> None:
        line = raw.strip()
        if not line or line.startswith("# ") or line == "#":
            return
        if line.startswith("@") and " " not in line and len(line) > 1:
            self.user = line[1:]
            if self.place.startswith("@"):
                self.place = f"@{self.user}"
        elif line.startswith("#") and " " not in line and len(line) > 1:
            self.place = line
            self.adapter.world.join(line, self.user)
        elif line.lower() in ("dm", "direct", "prive", "privé"):
            self.place = f"@{self.user}"
        elif match := _PRESS.match(line):
            await self._press(int(match.group(1)), int(match.group(2)) if match.group(2) else None)
        elif match := _WAIT.match(line):
            unit = _UNITS[match.group(2).lower()]
            await self._advance(timedelta(**{unit: int(match.group(1))}))
        else:
            await self.adapter.say(self.user, self.place, line)
        await self._settle()

    async def _press(self, choice: int, message: int | None) -> None:
        self._notice(f"[{self.user} presses {choice}" + (f" on #{message}]" if message else "]"))
        problem = await self.adapter.press(self.user, self.place, choice, message=message)
        if problem:
            self._notice(f"[not pressed: {problem}]")
