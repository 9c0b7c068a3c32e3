"""Signals being written in a DM conversation, held in memory only.

A draft is keyed by the person (that is the point of a conversation) and holds the text until
the person confirms; then the draft is dropped and only the anonymous case is stored. Drafts
are never written to the database or a log, expire after ``TTL`` of silence and are lost on a
restart (the person starts again; nothing was stored).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

Step = Literal["category", "team", "text", "confirm", "reply_text", "reply_confirm"]
TTL = timedelta(minutes=30)


@dataclass
class Draft:
    step: Step
    touched: datetime
    category: str = ""
    team: str = ""
    text: str = ""
    # For a reply in an existing case: its reference and the sender's code (both in memory).
    ref: str = ""
    code: str = field(default="", repr=False)

    def __repr__(self) -> str:  # never show the text or code in a traceback or debugger dump
        return f"Draft(step={self.step!r})"


class Drafts:
    """In-memory drafts by person key; one per person at a time."""

    def __init__(self) -> None:
        self._drafts: dict[str, Draft] = {}

    def __repr__(self) -> str:
        return f"Drafts({len(self._drafts)} open)"

    def get(self, key: str, now: datetime) -> Draft | Literal["expired"] | None:
        draft = self._drafts.get(key)
        if draft is None:
            return None
        if now - draft.touched > TTL:
            del self._drafts[key]
            return "expired"
        draft.touched = now
        return draft

    def start(self, key: str, draft: Draft) -> None:
        self._drafts[key] = draft

    def drop(self, key: str) -> None:
        self._drafts.pop(key, None)

    def sweep(self, now: datetime) -> int:
        """Forget expired drafts (called as people talk; no timer needed)."""
        old = [k for k, d in self._drafts.items() if now - d.touched > TTL]
        for key in old:
            del self._drafts[key]
        return len(old)
