"""The FAQ entry as a value: what the knowledge base says and who keeps it current."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")
LANGS: tuple[str, ...] = ("nl", "en")
DEFAULT_REVIEW_DAYS = 180


@dataclass(frozen=True, slots=True)
class Entry:
    """One answer. ``aliases`` are confirmed paraphrases of ``question``; ``owner`` is a user
    key (``platform:id``) or empty; ``review_days`` is how long the answer stays trusted."""

    id: str
    question: str
    answer: str
    url: str = ""
    keywords: tuple[str, ...] = ()
    lang: str = "nl"
    owner: str = ""
    review_days: int = DEFAULT_REVIEW_DAYS
    aliases: tuple[str, ...] = field(default=())
    # Where the answer came from (an intranet page) and free tags, kept from imports.
    source: str = ""
    tags: tuple[str, ...] = ()
    # The id of the entry this one translates ("" = none): twins answer as one.
    twin: str = ""


@dataclass(frozen=True, slots=True)
class Match:
    """The matcher's verdict on one question.

    ``entry_id`` is None when the matcher abstains; ``candidates`` always lists the best
    entries (best first) with their confidence, so an abstention can still offer a hint.
    """

    entry_id: str | None
    score: float
    alternatives: tuple[str, ...]
    candidates: tuple[tuple[str, float], ...]
