"""Messages the bot cannot decrypt, and what to tell the person who sent them.

A sender's client may keep the room key from the bot on purpose and say so with a to-device
``m.room_key.withheld``: ``m.unverified`` (it only shares with verified sessions) or
``m.blacklisted`` (the bot's session is blocked). Then nothing that person writes reaches the
bot until they change that setting, so the bot says what to change. A message without a
key and without such a notice may be a key that is late; the bot asks for it and, in a DM
only, asks the person to send the message again.

Nothing here is logged or stored: only which session was withheld with which code (kept in
memory, bounded) and when a room last got a notice (so a person typing on does not get the
same notice for every message).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

WITHHELD = "m.room_key.withheld"
NOTICE_KEYS = {"m.unverified": "crypto.unverified", "m.blacklisted": "crypto.blacklisted"}
GENERIC_KEY = "crypto.undecryptable"
COOLDOWN = 3600.0  # seconds between two notices to the same person in the same room
MAX_REMEMBERED = 2000


class Unreadable:
    """Which catalog text an undecryptable message gets, if any."""

    def __init__(self, *, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self._withheld: OrderedDict[str, str] = OrderedDict()  # session id -> code
        self._told: OrderedDict[tuple[str, str], float] = OrderedDict()

    def withheld(self, content: Mapping[str, Any]) -> None:
        """Record an ``m.room_key.withheld`` to-device event (its content)."""
        session_id, code = content.get("session_id"), content.get("code")
        if not isinstance(session_id, str) or code not in NOTICE_KEYS:
            return
        self._withheld[session_id] = str(code)
        self._withheld.move_to_end(session_id)
        while len(self._withheld) > MAX_REMEMBERED:
            self._withheld.popitem(last=False)

    def code_of(self, session_id: str) -> str | None:
        return self._withheld.get(session_id)

    def notice(self, room_id: str, sender: str, session_id: str, *,
               direct: bool) -> str | None:
        """The catalog key to answer with, or None (nothing to say, or said recently).
        A withheld key is worth a word in any room (the person can fix it); a plain missing
        key only in a DM (in a room the message may not have been meant for the bot)."""
        code = self._withheld.get(session_id)
        key = NOTICE_KEYS[code] if code else GENERIC_KEY if direct else None
        if key is None or not self._due(room_id, sender):
            return None
        return key

    def _due(self, room_id: str, sender: str) -> bool:
        now = self._clock()
        last = self._told.get((room_id, sender))
        if last is not None and now - last < COOLDOWN:
            return False
        self._told[(room_id, sender)] = now
        self._told.move_to_end((room_id, sender))
        while len(self._told) > MAX_REMEMBERED:
            self._told.popitem(last=False)
        return True
