"""Differencing across time: two shown results of comparable questions never differ by
1 .. k-1 people (issue 18, finding 1), driven through the real feature path."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bots.config import Config
from tests.pulse.conftest import all_rows, delivered, jump, pulse_config

A = [f"a{i}" for i in range(1, 6)]  # 5 people
EXTRA = "x1"  # the one person team "b" has on top of team "a"


def flat_and_tree_teams() -> dict[str, Any]:
    people = [f"local:{p}" for p in A]
    return {
        # (a) flat teams: "b" is "a" plus one person.
        "a": {"members": people, "managers": ["local:mila"]},
        "b": {"members": [*people, f"local:{EXTRA}"], "managers": ["local:mila"]},
        # (b) a tree: "ouder" has the five of "kind" plus one person directly.
        "ouder": {"members": [f"local:{EXTRA}"], "managers": ["local:mila"]},
        "kind": {"parent": "ouder", "members": people, "managers": ["local:mila"]},
    }


@pytest.fixture
def config(db_url: str, tmp_path: Path) -> Config:
    return pulse_config(db_url, tmp_path, teams=flat_and_tree_teams())


def pulse_for(team: str) -> str:
    return (f'/hartslag pulse create --confirm "Werkdruk" --team {team} --duration 1d --reminder off '
            '--q1 "likert: Ik kan mijn werk goed doen"')


async def run_pulse(chat: Any, app: Any, team: str, number: int, people: list[str],
                    press: str = "4") -> str:
    """Anna creates a pulse for ``team``; ``people`` answer; it closes; the results DM."""
    await chat.run("@anna\ndm\n" + pulse_for(team))
    await delivered(app, f"pulse:{number}:1:open")
    for person in people:
        await chat.run(f"@{person}\ndm\n/hartslag pulse answer {number}\npress {press}")
    await jump(app, chat.clock, timedelta(days=1, hours=1))
    await delivered(app, f"pulse:{number}:1:results")
    return chat.transcript.split("[dm anna]")[-1]


async def test_flat_teams_a_team_one_person_bigger_is_hidden(chat: Any, app: Any) -> None:
    first = await run_pulse(chat, app, "a", 1, A)
    assert "Gemiddeld **4.0** (5 antwoorden)" in first
    # x1 answers 1; the other five answer 4 again. Shown, 6 - 5 would give x1's answer.
    second = await run_pulse(chat, app, "b", 2, [*A, EXTRA], press="1")
    assert "(6 antwoorden)" not in second and "Deelname: 6" not in second
    assert "minder dan 5 mensen" in second and "team a" in second, second
    assert "Te weinig reacties" not in second  # the reason is differencing, not the size
    # The manager summary and the CSV export keep the same decision.
    out = await chat.run("@mila\ndm\n/hartslag summary b 2")
    assert "6 mensen" not in out and "minder dan 5 mensen" in out
    out = await chat.run("@anna\ndm\n/hartslag pulse export 2")
    assert ",6," not in out and "fewer than 5 people" in out
    # What was shown stays shown.
    out = await chat.run("@anna\ndm\n/hartslag pulse results 1")
    assert "Gemiddeld **4.0** (5 antwoorden)" in out
    await no_person_in_the_snapshots(app)


async def no_person_in_the_snapshots(app: Any) -> None:
    """Snapshots hold keyed hashes of who was invited, never a person or a voter key."""
    rows = await all_rows(app)
    dump = json.dumps(rows.get("pulse_shown", []), default=str)
    assert rows.get("pulse_shown") and "local:" not in dump
    assert not any(f'"{p}"' in dump for p in [*A, EXTRA])
    voters = {r[1] for r in rows["pulse_answer"]}
    hashes = [h for r in rows["pulse_shown"] for h in json.loads(r[4])]
    assert hashes and all(len(h) == 32 and h not in voters for h in hashes)


async def test_tree_a_later_pulse_to_the_child_alone_is_hidden(chat: Any, app: Any) -> None:
    first = await run_pulse(chat, app, "ouder", 1, [*A, EXTRA])
    assert "(6 antwoorden)" in first
    out = await chat.run("@anna\ndm\n/hartslag pulse results 1 --team kind")
    assert "(5 antwoorden)" not in out  # hidden inside the round (tree rule), as before
    assert "andere getoonde groepen" in out
    second = await run_pulse(chat, app, "kind", 2, A, press="2")
    assert "(5 antwoorden)" not in second and "Deelname: 5" not in second
    assert "minder dan 5 mensen" in second and "team ouder" in second, second


async def test_the_same_team_again_is_shown_and_too_few_says_so(chat: Any, app: Any) -> None:
    await run_pulse(chat, app, "a", 1, A)
    second = await run_pulse(chat, app, "a", 2, A, press="2")
    assert "Gemiddeld **2.0** (5 antwoorden)" in second  # same audience: difference 0
    third = await run_pulse(chat, app, "a", 3, A[:3])
    assert "Te weinig reacties" in third and "minder dan 5" in third
