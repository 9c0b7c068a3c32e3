"""A file-backed fake platform for crash tests: every post is a row in its own SQLite file,
committed before the call returns (so a ``kill -9`` of the sender never loses a post that
"reached the platform").

Per platform, as the real ones behave: Matrix is idempotent per transaction id (the delivery
id); Slack and Teams are not, but ``find_delivery`` finds a post by its delivery id (Slack
message metadata, Teams stored activity id). A small random delay before and after the post
widens the window in which a crash leaves the outcome unknown.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from commands.model import Address, MessageRef, OutgoingMessage, UserRef
from commands.port import Capabilities

SCHEMA = """
CREATE TABLE IF NOT EXISTS post (
    id INTEGER PRIMARY KEY, platform TEXT, target TEXT, delivery_id TEXT, pid INTEGER
);
CREATE INDEX IF NOT EXISTS post_delivery ON post (delivery_id);
"""


def open_record(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.executescript(SCHEMA)
    return conn


class RecordingPlatform:
    def __init__(self, path: Path, *, pid: int, delay: float = 0.002) -> None:
        self._conn = open_record(path)
        self._pid = pid
        self._delay = delay

    def capabilities(self, platform: str) -> Capabilities:
        return Capabilities()

    async def send(self, address: Address, message: OutgoingMessage, *,
                   delivery_id: str | None = None) -> MessageRef:
        return await self._post(address.platform, str(address), address, delivery_id)

    async def send_direct(self, user: UserRef, message: OutgoingMessage, *,
                          delivery_id: str | None = None) -> MessageRef:
        address = Address(user.platform, user.workspace or "w", f"@{user.id}")
        return await self._post(user.platform, user.key, address, delivery_id)

    async def _post(self, platform: str, target: str, address: Address,
                    delivery_id: str | None) -> MessageRef:
        await asyncio.sleep(random.uniform(0, self._delay))
        if platform == "matrix" and delivery_id:
            found = self._conn.execute("SELECT id FROM post WHERE delivery_id = ?",
                                       (delivery_id,)).fetchone()
            if found:
                return MessageRef(address, f"p{found[0]}")
        cursor = self._conn.execute(
            "INSERT INTO post (platform, target, delivery_id, pid) VALUES (?, ?, ?, ?)",
            (platform, target, delivery_id, self._pid),
        )
        await asyncio.sleep(random.uniform(0, self._delay))
        return MessageRef(address, f"p{cursor.lastrowid}")

    async def find_delivery(self, target: Address | UserRef, delivery_id: str
                            ) -> MessageRef | None:
        found = self._conn.execute("SELECT id FROM post WHERE delivery_id = ?",
                                   (delivery_id,)).fetchone()
        if not found:
            return None
        address = target if isinstance(target, Address) else Address(
            target.platform, target.workspace or "w", f"@{target.id}")
        return MessageRef(address, f"p{found[0]}")

    async def update(self, ref: MessageRef, message: OutgoingMessage) -> None:
        return None

    async def members(self, address: Address) -> Sequence[UserRef] | None:
        return None
