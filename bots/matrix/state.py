"""Small files the adapter keeps next to nio's crypto store in the data directory.

- ``session.json``: user id, device id and access token of a password login, so a restart
  restores the same device (a new login would make a new device and lose the keys).
- ``direct.json``: the DM room of each person.
- ``choices.sqlite3``: the choices of the bot's recent messages, so a reaction or a numbered
  reply maps back to the Choice it picks. Bounded: the oldest entries go first.

Writes are atomic (temporary file + rename) and run off the event loop.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import threading
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
    """The choices of the bot's messages by event id, newest last.

    Kept in memory (bounded) and written through to a small SQLite file, one row per message:
    a fan-out to hundreds of rooms writes hundreds of rows, not hundreds of whole files.
    """

    def __init__(self, path: Path, *, limit: int = MAX_CHOICE_MESSAGES) -> None:
        self._path = path
        self._limit = limit
        self._messages: dict[str, tuple[str, tuple[Choice, ...]]] = {}
        self._latest: dict[str, str] = {}  # room id -> newest event id with choices
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()  # one writer at a time across to_thread workers
        self._writes = 0

    def load(self) -> None:
        """Open the file and read the newest ``limit`` messages (blocking: use to_thread)."""
        db = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
        os.chmod(self._path, 0o600)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS choices (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                   " event_id TEXT NOT NULL UNIQUE, room_id TEXT NOT NULL, choices TEXT NOT NULL)")
        rows = db.execute("SELECT event_id, room_id, choices FROM choices ORDER BY seq DESC"
                          " LIMIT ?", (self._limit,)).fetchall()
        self._db = db
        self._messages, self._latest = {}, {}
        for event_id, room_id, text in reversed(rows):
            self._keep(event_id, room_id, tuple(Choice(*c) for c in json.loads(text)))

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def get(self, event_id: str) -> tuple[str, tuple[Choice, ...]] | None:
        return self._messages.get(event_id)

    @property
    def messages(self) -> Mapping[str, tuple[str, tuple[Choice, ...]]]:
        """Event id -> (room id, choices), read-only."""
        return MappingProxyType(self._messages)

    def latest(self, room_id: str) -> tuple[str, tuple[Choice, ...]] | None:
        """The newest bot message with choices in ``room_id`` (numbered replies in a DM)."""
        event_id = self._latest.get(room_id)
        found = self._messages.get(event_id) if event_id else None
        return (event_id, found[1]) if event_id and found else None

    async def remember(self, event_id: str, room_id: str, choices: tuple[Choice, ...]) -> None:
        """Record (or, with no choices, forget) the choices of one bot message."""
        self._forget(event_id)
        if choices:
            self._keep(event_id, room_id, choices)
        text = json.dumps([[c.action, c.value, c.label, c.style] for c in choices])
        await asyncio.to_thread(self._write, event_id, room_id, text if choices else None)

    def _keep(self, event_id: str, room_id: str, choices: tuple[Choice, ...]) -> None:
        self._messages[event_id] = (room_id, choices)
        self._latest[room_id] = event_id
        while len(self._messages) > self._limit:
            self._forget(next(iter(self._messages)))

    def _forget(self, event_id: str) -> None:
        found = self._messages.pop(event_id, None)
        if found is None or self._latest.get(found[0]) != event_id:
            return
        del self._latest[found[0]]
        for other in reversed(self._messages):  # rare: the newest message lost its choices
            if self._messages[other][0] == found[0]:
                self._latest[found[0]] = other
                break

    def _write(self, event_id: str, room_id: str, text: str | None) -> None:
        with self._lock:
            if self._db is None:
                return
            if text is None:
                self._db.execute("DELETE FROM choices WHERE event_id = ?", (event_id,))
                return
            self._db.execute("INSERT OR REPLACE INTO choices (event_id, room_id, choices)"
                             " VALUES (?, ?, ?)", (event_id, room_id, text))
            self._writes += 1
            if self._writes % 500 == 0:
                self._db.execute("DELETE FROM choices WHERE seq <= (SELECT MAX(seq) FROM choices)"
                                 " - ?", (self._limit,))
