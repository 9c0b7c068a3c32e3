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

from commands.conversations import Conversations

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


class Drafts(Conversations[Draft]):
    """In-memory drafts by person key; one per person at a time."""

    def __init__(self) -> None:
        super().__init__(TTL)
