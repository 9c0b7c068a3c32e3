"""Four-eyes approval of pulses (issue 20 #2): asked by the settings or the audience, the
author never approves their own, a rejection names its way forward."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bots.config import Config
from storage.pulse import PulseRepository
from tests.pulse.conftest import all_rows, delivered, jump, pulse_config


@pytest.fixture
def config(db_url: str, tmp_path: Path) -> Config:
    # ict asks for four eyes by name; zorg (9 people) by its size; zorg-noord (2) does not.
    return pulse_config(db_url, tmp_path, approval_teams=["ict"], approval_min_people=8)


def line(team: str) -> str:
    return (f'/hartslag pulse new "Check {team}" --team {team} --duration 1d --reminder off '
            '--q1 "likert: Het gaat goed"')


async def test_the_author_cannot_approve_and_another_comms_member_can(chat: Any,
                                                                      app: Any) -> None:
    out = await chat.run("@anna\ndm\n" + line("ict"))
    assert "Vier ogen:" in out and "[1] Ter goedkeuring sturen" in out
    out = await chat.run("press 1")
    assert "ter goedkeuring gestuurd naar 1 ander lid van communicatie" in out
    assert "[dm bram]" in out and "**Goedkeuring gevraagd: peiling 1** van `local:anna`" in out
    assert "[1] Goedkeuren  [2] Afwijzen" in out
    out = await chat.run("pulse goedkeuren 1")
    assert "Je eigen peiling kun je niet goedkeuren" in out
    out = await chat.run("pulse list")
    assert "(ict, wacht op goedkeuring)" in out and "door een van: bram" in out
    await jump(app, chat.clock, timedelta(hours=2))
    assert (await all_rows(app))["pulse_round"] == []  # nothing before the approval
    out = await chat.run("@bram\ndm\npress 1")
    assert "Peiling 1 is goedgekeurd" in out and "is gepland" in out
    await delivered(app, "pulse:1:1:open")
    assert chat.transcript.count("Nieuwe peiling: **Check ict**") == 5
    assert "goedgekeurd door bram" in chat.transcript.split("[dm anna]")[-1]
    series = await app.store.repo(PulseRepository).series(1)
    assert series is not None and series.decided_by == "local:bram"


async def test_a_rejection_tells_the_author_how_to_go_on(chat: Any, app: Any) -> None:
    await chat.run("@anna\ndm\n" + line("zorg") + "\npulse bevestig 1")
    out = await chat.run("@bram\ndm\npulse afwijzen 1 vraag is te vaag")
    assert "Peiling 1 is afgewezen" in out
    told = chat.transcript.split("[dm anna]")[-1]
    assert "afgewezen door bram: vraag is te vaag" in told and "`peiling wijzig 1 ...`" in told
    out = await chat.run("@anna\ndm\npulse list")
    assert "(zorg, afgewezen)" in out and "`peiling wijzig 1 ...`" in out
    out = await chat.run('pulse wijzig 1 --q1 "likert: Ik kan mijn werk goed doen"\npress 1')
    assert "**Concept van peiling 1**" in out and "ter goedkeuring gestuurd" in out
    out = await chat.run("@bram\ndm\npulse goedkeuren 1")
    assert "is gepland" in out
    await delivered(app, "pulse:1:1:open")


async def test_a_small_team_needs_no_approval_and_a_button_press_twice_does_nothing(
        chat: Any, app: Any) -> None:
    out = await chat.run("@anna\ndm\n" + line("zorg-noord"))
    assert "Vier ogen" not in out and "[1] Bevestigen" in out
    out = await chat.run("press 1")
    assert "is gepland" in out
    out = await chat.run("pulse bevestig 1")
    assert "is al gepland; er is niets veranderd" in out
    await delivered(app, "pulse:1:1:open")
    rounds = await app.store.repo(PulseRepository).rounds(1)
    assert len(rounds) == 1
