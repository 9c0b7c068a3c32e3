"""Property: over random teams, random membership changes and random sequences of pulses,
no two shown results of comparable questions differ by 1 .. k-1 people (in either direction),
within a round (the tree rule, on respondents) or across rounds (the time rule, on audiences).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from commands.org.tree import ROOT
from commands.pulse.history import Shown, conflict
from commands.pulse.privacy import shown_groups

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
HORIZON = timedelta(days=365)
PEOPLE = [f"p{i}" for i in range(16)]
Rule = Callable[[Shown, Sequence[Shown]], Shown | None]


@dataclass(frozen=True)
class Pulse:
    target: str  # the audience team (or ROOT: everyone)
    question: str  # a question key; equal keys are comparable
    day: int  # days after START
    moves: tuple[tuple[str, str], ...]  # (person, new team) before this pulse opens
    answering: frozenset[str]  # who of the audience answers
    groups: tuple[str, ...]  # the groups readers ask for, in this order


@dataclass(frozen=True)
class Result:
    shown: Shown
    respondents: frozenset[str]


@st.composite
def histories(draw: st.DrawFn, *, full: bool) -> tuple[dict[str, str | None], dict[str, str],
                                                       list[Pulse], int]:
    size = draw(st.integers(min_value=1, max_value=5))
    parents: dict[str, str | None] = {ROOT: None}
    for i in range(size):
        parents[f"t{i}"] = draw(st.sampled_from(sorted(parents)))
    nodes = sorted(parents)
    home = {p: draw(st.sampled_from(nodes)) for p in PEOPLE}  # most specific team (ROOT: none)
    pulses = []
    day = 0
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        day += draw(st.integers(min_value=0, max_value=200))
        moves = tuple(draw(st.lists(st.tuples(st.sampled_from(PEOPLE), st.sampled_from(nodes)),
                                    max_size=3)))
        answering = frozenset(PEOPLE) if full else frozenset(
            draw(st.lists(st.sampled_from(PEOPLE), unique=True)))
        groups = tuple(draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=4)))
        pulses.append(Pulse(draw(st.sampled_from(nodes)), draw(st.sampled_from(["q1", "q2"])),
                            day, moves, answering, groups))
    return parents, home, pulses, draw(st.integers(min_value=3, max_value=6))


def below(parents: dict[str, str | None], node: str, group: str) -> bool:
    """``node`` is ``group`` or inside it."""
    current: str | None = node
    while current is not None:
        if current == group:
            return True
        current = parents[current]
    return False


def simulate(parents: dict[str, str | None], home: dict[str, str], pulses: list[Pulse], k: int,
             rule: Rule) -> list[Result]:
    """What readers are shown, decided as the feature decides: the tree rule on the round's
    respondents, then the time rule on audiences against everything shown so far."""
    home = dict(home)
    shown: list[Result] = []
    for number, pulse in enumerate(pulses, 1):
        home.update(dict(pulse.moves))
        invited = {p for p, team in home.items() if below(parents, team, pulse.target)}
        answered = invited & pulse.answering
        atoms: dict[str, int] = {}
        for person in answered:
            atoms[home[person]] = atoms.get(home[person], 0) + 1
        in_round = shown_groups(parents, atoms, k)
        at = START + timedelta(days=pulse.day)
        for group in pulse.groups:
            if group not in in_round or any(r.shown.round_id == number and r.shown.group == group
                                            for r in shown):
                continue
            audience = frozenset(p for p in invited if below(parents, home[p], group))
            candidate = Shown(number, group, at, audience, frozenset({pulse.question}))
            if rule(candidate, [r.shown for r in shown]) is None:
                shown.append(Result(candidate, frozenset(p for p in answered if p in audience)))
    return shown


def time_rule(k: int) -> Rule:
    return lambda candidate, earlier: conflict(candidate, earlier, k=k, horizon=HORIZON)


def violations(results: list[Result], k: int, *, sets: str) -> list[tuple[str, str, int]]:
    """Every pair of comparable shown results whose difference (either way) is 1 .. k-1:
    of respondents, or of audiences (``sets``) for pairs of different rounds."""
    found = []
    for x, y in combinations(results, 2):
        if not x.shown.questions & y.shown.questions or abs(x.shown.at - y.shown.at) > HORIZON:
            continue
        same_round = x.shown.round_id == y.shown.round_id
        a, b = ((x.respondents, y.respondents) if same_round or sets == "respondents"
                else (x.shown.audience, y.shown.audience))
        for diff in (a - b, b - a):
            if 0 < len(diff) < k:
                found.append((f"{x.shown.round_id}/{x.shown.group}",
                              f"{y.shown.round_id}/{y.shown.group}", len(diff)))
    return found


@settings(max_examples=200, deadline=None)
@given(histories(full=True))
def test_everyone_answers_every_shown_difference_is_zero_or_k_respondents(
        case: tuple[dict[str, str | None], dict[str, str], list[Pulse], int]) -> None:
    # Everyone invited answers: the attacker's best case, respondents are the audiences.
    parents, home, pulses, k = case
    results = simulate(parents, home, pulses, k, time_rule(k))
    assert all(len(r.respondents) >= k for r in results)
    assert violations(results, k, sets="respondents") == []


@settings(max_examples=200, deadline=None)
@given(histories(full=False))
def test_some_answer_every_difference_is_about_zero_or_k_people(
        case: tuple[dict[str, str | None], dict[str, str], list[Pulse], int]) -> None:
    # Within a round on respondents; across rounds on the people a difference can be about.
    parents, home, pulses, k = case
    results = simulate(parents, home, pulses, k, time_rule(k))
    assert violations(results, k, sets="audiences") == []


def test_without_the_time_rule_the_property_fails() -> None:
    """The check above can fail: finding (a) with the rule switched off (as before the fix)."""
    parents: dict[str, str | None] = {ROOT: None, "t0": ROOT}
    home = {p: ("t0" if i < 5 else ROOT) for i, p in enumerate(PEOPLE)}
    everyone = frozenset(PEOPLE)
    pulses = [Pulse("t0", "q1", 0, (), everyone, ("t0",)),
              Pulse("t0", "q1", 7, (("p5", "t0"),), everyone, ("t0",))]  # one person joined
    off = simulate(parents, home, pulses, 5, lambda candidate, earlier: None)
    assert violations(off, 5, sets="respondents") == [("1/t0", "2/t0", 1)]
    on = simulate(parents, home, pulses, 5, time_rule(5))
    assert [r.shown.round_id for r in on] == [1]  # the second round is hidden
