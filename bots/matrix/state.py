"""Small files the adapter keeps next to nio's crypto store in the data directory.

- ``session.json``: user id, device id and access token of a password login, so a restart
  restores the same device (a new login would make a new device and lose the keys).
- ``direct.json``: the DM room of each person.
- ``choices.json``: the choices of the bot's recent messages, so a reaction or a numbered
  reply maps back to the Choice it picks. Bounded: the oldest entries go first.

Writes are atomic (temporary file + rename) and run off the event loop.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from commands.model import Choice

MAX_CHOICE_MESSAGES = 5000


class JsonFile:
    """One JSON document on disk, written atomically and privately (mode 0600)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = asyncio.Lock()

    def load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise RuntimeError(f"matrix.data_dir: cannot read {self.path} ({exc})") from None
        return data if isinstance(data, dict) else {}

    async def save(self, data: Mapping[str, Any]) -> None:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        async with self._lock:
            await asyncio.to_thread(self._write, text)

    def _write(self, text: str) -> None:
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)


class DirectRooms:
    """Person -> DM room, both ways."""

    def __init__(self, file: JsonFile) -> None:
        self._file = file
        self._by_user: dict[str, str] = {}

    def load(self) -> None:
        rooms = self._file.load().get("rooms", {})
        self._by_user = {str(k): str(v) for k, v in rooms.items()}

    def room_of(self, user_id: str) -> str | None:
        return self._by_user.get(user_id)

    def user_of(self, room_id: str) -> str | None:
        for user_id, room in self._by_user.items():
            if room == room_id:
                return user_id
        return None

    def is_direct(self, room_id: str) -> bool:
        return room_id in self._by_user.values()

    async def set(self, user_id: str, room_id: str) -> None:
        if self._by_user.get(user_id) == room_id:
            return
        self._by_user[user_id] = room_id
        await self._file.save({"rooms": self._by_user})

    async def forget(self, room_id: str) -> None:
        users = [u for u, r in self._by_user.items() if r == room_id]
        for user_id in users:
            del self._by_user[user_id]
        if users:
            await self._file.save({"rooms": self._by_user})


class ChoiceBook:
    """The choices of the bot's messages by event id, newest last."""

    def __init__(self, file: JsonFile, *, limit: int = MAX_CHOICE_MESSAGES) -> None:
        self._file = file
        self._limit = limit
        self._messages: dict[str, tuple[str, tuple[Choice, ...]]] = {}

    def load(self) -> None:
        self._messages = {}
        for event_id, room_id, choices in self._file.load().get("messages", []):
            self._messages[event_id] = (room_id, tuple(Choice(*c) for c in choices))

    def get(self, event_id: str) -> tuple[str, tuple[Choice, ...]] | None:
        return self._messages.get(event_id)

    @property
    def messages(self) -> Mapping[str, tuple[str, tuple[Choice, ...]]]:
        """Event id -> (room id, choices), read-only."""
        return MappingProxyType(self._messages)

    def latest(self, room_id: str) -> tuple[str, tuple[Choice, ...]] | None:
        """The newest bot message with choices in ``room_id`` (numbered replies in a DM)."""
        for event_id in reversed(self._messages):
            room, choices = self._messages[event_id]
            if room == room_id:
                return event_id, choices
        return None

    async def remember(self, event_id: str, room_id: str, choices: tuple[Choice, ...]) -> None:
        self._messages.pop(event_id, None)
        if not choices:
            await self._save()
            return
        self._messages[event_id] = (room_id, choices)
        while len(self._messages) > self._limit:
            del self._messages[next(iter(self._messages))]
        await self._save()

    async def _save(self) -> None:
        rows = [
            [event_id, room_id, [[c.action, c.value, c.label, c.style] for c in choices]]
            for event_id, (room_id, choices) in self._messages.items()
        ]
        await self._file.save({"messages": rows})
