"""Results of one round for one group, with the minimum group size and the differencing
rule of commands/pulse/privacy.py applied. Every output (chat, summaries, CSV, CLI) is built
from ``round_results``: there is no other way to read answers out of hartslag.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from commands.org.tree import ROOT, TeamTree
from commands.pulse.privacy import shown_groups
from commands.pulse.questions import Question
from storage.pulse import AnswerRow, CommentRow


@dataclass(frozen=True)
class QuestionResult:
    index: int
    question: Question
    n: int
    counts: dict[str, int]  # stored value -> how many chose it (multi: per option)
    mean: float | None = None  # likert and enps
    enps: float | None = None  # % promoters - % detractors

    def share(self, value: str) -> float:
        return self.counts.get(value, 0) / self.n if self.n else 0.0


@dataclass(frozen=True)
class GroupResult:
    """What may be shown of ``group``; None marks a hidden part. When the whole group is
    hidden, ``reason`` says which rule hid it: "size" (fewer than k respondents), "tree"
    (differencing within the round) or "time" (differencing against the earlier shown result
    ``against``, see commands/pulse/history.py)."""

    group: str
    respondents: int | None
    invited: int | None
    questions: list[QuestionResult | None] = field(default_factory=list)
    comments: list[str] | None = None
    reason: str = ""
    against: tuple[str, str, int] | None = None  # (group, pulse title, round number)


def question_result(index: int, question: Question, values: Sequence[str]) -> QuestionResult:
    counts: Counter[str] = Counter()
    for value in values:
        if question.kind == "multi":
            counts.update(value.split(","))
        else:
            counts[value] += 1
    mean = enps = None
    if question.kind in ("likert", "enps") and values:
        numbers = [int(v) for v in values]
        mean = sum(numbers) / len(numbers)
        if question.kind == "enps":
            promoters = sum(n >= 9 for n in numbers)
            detractors = sum(n <= 6 for n in numbers)
            enps = 100.0 * (promoters - detractors) / len(numbers)
    return QuestionResult(index, question, len(values), dict(counts), mean, enps)


def _in_group(tree: TeamTree, group: str) -> frozenset[str] | None:
    """Team tags inside ``group``; None for ROOT (everything)."""
    return None if group == ROOT else tree.subtree(group)


def _tag(tree: TeamTree, team: str) -> str:
    return team if team in tree.teams else ROOT


def round_results(
    group: str,
    *,
    questions: Sequence[Question],
    answers: Sequence[AnswerRow],
    comments: Sequence[CommentRow],
    tree: TeamTree,
    invited: Mapping[str, int],
    k: int,
    k_text: int,
    rng: random.Random | None = None,
) -> GroupResult:
    """The shown part of one round's results for ``group`` (a team name or ROOT)."""
    parents = tree.parent_map()
    inside = _in_group(tree, group)

    def member(team: str) -> bool:
        return inside is None or _tag(tree, team) in inside

    voters: dict[str, set[str]] = {}
    for row in answers:
        voters.setdefault(_tag(tree, row.team), set()).add(row.voter_key)
    shown = shown_groups(parents, {t: len(v) for t, v in voters.items()}, k)
    inside_count = len({row.voter_key for row in answers if member(row.team)})
    respondents = inside_count if group in shown else None
    reason = "" if group in shown else "size" if inside_count < k else "tree"
    invited_total = (sum(n for t, n in invited.items() if member(t)) if invited else 0) or None

    results: list[QuestionResult | None] = []
    for index, question in enumerate(questions):
        if question.kind == "text":
            results.append(None)
            continue
        rows = [r for r in answers if r.question == index]
        per_team = Counter(_tag(tree, r.team) for r in rows)
        visible = shown_groups(parents, dict(per_team), k)
        results.append(question_result(index, question, [r.value for r in rows if member(r.team)])
                       if group in visible else None)

    per_team_text = Counter(_tag(tree, c.team) for c in comments)
    text_visible = shown_groups(parents, dict(per_team_text), k_text)
    shown_comments: list[str] | None = None
    if group in text_visible:
        shown_comments = [c.text for c in comments if member(c.team)]
        (rng or random.SystemRandom()).shuffle(shown_comments)
    if respondents is None:
        # A hidden group shows nothing at all (no question, no comment, no trend point).
        return GroupResult(group, None, None, [None] * len(questions), None, reason)
    return GroupResult(group, respondents, invited_total, results, shown_comments)
