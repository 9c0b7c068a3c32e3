"""The differencing rule across time: results shown in different rounds (of any pulse).

Within one round, commands/pulse/privacy.py keeps every set a reader can derive from the
shown groups at 0 or at least ``k`` respondents. A reader also keeps earlier results, so this
module adds a rule between rounds:

- Two results are *comparable* when they share at least one question key (the question's
  kind, text and options, case and spacing ignored: ``question_key``) and were first shown
  within ``horizon`` of each other. Pulses, rounds and teams do not matter: a key matches
  across series, because a reader can subtract any two results of the same question.
- The *audience* of a result is the set of people it could count: the invited people of the
  round in that group (not who answered: that is never kept).
- Two comparable results of different rounds may both be shown only when both set
  differences of their audiences, ``A \\ B`` and ``B \\ A``, hold 0 or at least ``k`` people.
- Results are decided once, in the order they are first shown. A new result that breaks the
  rule against an already shown one is hidden; what was shown is never taken back.

Why audiences and not respondents: respondents of two rounds cannot be lined up without
keeping who answered (voter keys are per round and destroyed), which is what the pulse tables
promise not to keep. Respondents are a subset of the audience, so a difference of audiences
of 0 or >= k means every count a reader subtracts is about 0 or at least k *candidates*.
SECURITY.md states what this does and does not guarantee.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from commands.pulse.questions import Question


@dataclass(frozen=True)
class Shown:
    """A result that was shown: where, when, to whom it could count and what it asked."""

    round_id: int
    group: str
    at: datetime
    audience: frozenset[str]
    questions: frozenset[str]


def question_key(question: Question) -> str:
    """Kind, text and options without case or spacing: what makes two questions comparable."""
    def norm(text: str) -> str:
        return " ".join(text.casefold().split())

    data = [question.kind, norm(question.text), [norm(o) for o in question.options]]
    return hashlib.sha256(json.dumps(data).encode("utf-8")).hexdigest()[:24]


def question_keys(questions: Iterable[Question]) -> frozenset[str]:
    return frozenset(question_key(q) for q in questions)


def too_close(a: frozenset[str], b: frozenset[str], k: int) -> bool:
    """True when A \\ B or B \\ A holds 1 .. k-1 people."""
    return any(0 < len(diff) < k for diff in (a - b, b - a))


def conflict(candidate: Shown, earlier: Sequence[Shown], *, k: int,
             horizon: timedelta) -> Shown | None:
    """The first shown result that ``candidate`` may not be shown next to, or None."""
    for other in sorted(earlier, key=lambda s: (s.at, s.round_id, s.group)):
        if other.round_id == candidate.round_id:
            continue  # the same round: the tree rule on respondents applies (privacy.py)
        if abs(candidate.at - other.at) > horizon:
            continue
        if not candidate.questions & other.questions:
            continue
        if too_close(candidate.audience, other.audience, k):
            return other
    return None
