"""Conversations in progress in a DM, held in memory only, by person key.

A feature that asks one thing at a time (a signal being written, a pulse being put together)
keeps the answers so far here: one conversation per person, forgotten after ``ttl`` of
silence and on a restart (the person starts again; nothing was stored). What a person is in
the middle of writing must never reach a table or a log, so this is a dict and nothing more.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Generic, Literal, Protocol, TypeVar


class Open(Protocol):
    """The state of one conversation; ``touched`` is when the person last wrote."""

    touched: datetime


S = TypeVar("S", bound=Open)


class Conversations(Generic[S]):
    """Open conversations by person key; one per person at a time."""

    def __init__(self, ttl: timedelta) -> None:
        self.ttl = ttl
        self._open: dict[str, S] = {}

    def __repr__(self) -> str:  # a count only: never what people wrote, in a traceback or dump
        return f"{type(self).__name__}({len(self._open)} open)"

    def get(self, key: str, now: datetime) -> S | Literal["expired"] | None:
        """The person's conversation, touched now; "expired" once (then it is forgotten) when
        the person was silent longer than ``ttl``; None when there is none."""
        found = self._open.get(key)
        if found is None:
            return None
        if now - found.touched > self.ttl:
            del self._open[key]
            return "expired"
        found.touched = now
        return found

    def start(self, key: str, state: S) -> None:
        self._open[key] = state

    def drop(self, key: str) -> None:
        self._open.pop(key, None)

    def sweep(self, now: datetime) -> int:
        """Forget expired conversations (called as people talk; no timer needed)."""
        old = [key for key, state in self._open.items() if now - state.touched > self.ttl]
        for key in old:
            del self._open[key]
        return len(old)
