"""Manager summaries: only for the team's managers, participation, means, eNPS, the trend
against the previous round, comments only from 10 on, a PNG chart, the weekly DM, and the
minimum group size with the differencing rule between a team and its sub-team."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from commands.charts import PNG_SIGNATURE
from tests.pulse.conftest import ZORG, answer_script, delivered, jump

WEEKLY = ('/hartslag pulse create --confirm "Week" --team zorg --when "elke maandag 10:00" '
          '--duration 2d '
          '--reminder off --q1 "likert: Ik kan mijn werk goed doen" --q2 "enps: Aanraden?" '
          '--q3 "text: Nog iets?"')
IMAGE = re.compile(r"\[image: ([^\]]+)\]")


async def two_rounds(chat: Any, app: Any) -> None:
    await chat.run("@anna\ndm\n" + WEEKLY)
    await jump(app, chat.clock, timedelta(hours=1, minutes=5))
    await delivered(app, "pulse:1:1:open")
    for person in ZORG[:5]:
        await chat.run(answer_script(person, ["4", "10", "skip-text"]))
    await chat.run(answer_script("z6", ["2", "1"]))
    await jump(app, chat.clock, timedelta(days=7))
    await delivered(app, "pulse:1:2:open")
    for person in ZORG[:6]:
        await chat.run(answer_script(person, ["5", "11"]))
    await jump(app, chat.clock, timedelta(days=2, hours=1))


async def test_summary_with_trend_and_chart_for_the_manager(chat: Any, app: Any) -> None:
    await two_rounds(chat, app)
    out = await chat.run("@mila\ndm\n/hartslag summary zorg")
    assert "Samenvatting zorg" in out and "Team **zorg**: Week, ronde 2" in out
    assert "Deelname: 6 van 9 (67%)" in out
    # Round 1: five times 4 and one 2 (mean 3.7); round 2: six times 5.
    assert "Gemiddeld **5.0** (6 antwoorden) ↑ +1.3 t.o.v. vorige ronde" in out
    # Round 1: 5 promoters and 1 detractor of 6 (+67); round 2: all promoters.
    assert "eNPS: **+100** ↑ +33.3 t.o.v. vorige ronde" in out
    assert "Open antwoorden tonen we pas vanaf 10" in out
    assert "3.7 → 5.0" in out and "66.7 → 100.0" in out  # the chart's text alternative
    path = IMAGE.search(out)
    assert path is not None
    png = await asyncio.to_thread(Path(path.group(1)).read_bytes)
    assert png.startswith(PNG_SIGNATURE)


async def test_only_managers_of_that_team_get_a_summary(chat: Any, app: Any) -> None:
    await two_rounds(chat, app)
    out = await chat.run("@z1\ndm\n/hartslag summary zorg")
    assert "rol leidinggevende" in out
    # A manager of another team is told whose team it is, not that she lacks the role.
    out = await chat.run("@omar\ndm\n/hartslag summary zorg")  # manager of ict, not zorg
    assert "Je bent leidinggevende van ict, niet van `zorg`" in out
    assert "rol leidinggevende" not in out
    out = await chat.run("@omar\ndm\n/hartslag summary zorgg")
    assert "Team `zorgg` ken ik niet. Jij bent leidinggevende van: ict." in out


async def test_a_sub_team_that_would_allow_subtraction_is_hidden(chat: Any, app: Any) -> None:
    # zorg-noord gets 5 respondents and zorg itself 1: showing both would let anyone
    # subtract zorg-noord from zorg and read that one person's answers.
    await chat.run("@anna\ndm\n/hartslag team member add zorg-noord local:n3 local:n4 local:n5")
    await chat.run("@anna\ndm\n" + WEEKLY.replace("elke maandag 10:00", "nu"))
    await delivered(app, "pulse:1:1:open")
    for person in ["n1", "n2", "n3", "n4", "n5", "z1"]:
        await chat.run(answer_script(person, ["4", "10"]))
    await jump(app, chat.clock, timedelta(days=2, hours=1))
    out = await chat.run("@mila\ndm\n/hartslag summary zorg")
    assert "Deelname: 6 van 12" in out and "Gemiddeld **4.0**" in out
    out = await chat.run("@sara\ndm\n/hartslag summary zorg-noord")
    # Five answered: the reason is the differencing rule, not the size (issue 18, finding 1c).
    assert "andere getoonde groepen" in out and "Gemiddeld" not in out
    assert "Te weinig reacties om te tonen" not in out
    out = await chat.run("@anna\ndm\n/hartslag pulse export 1 --team zorg-noord")
    assert "together with other groups" in out and "Helemaal eens" not in out


async def test_comments_from_ten_on_shuffled_without_times(chat: Any, app: Any) -> None:
    extra = [f"local:z{i}" for i in range(8, 12)]
    await chat.run("@anna\ndm\n/hartslag team member add zorg " + " ".join(extra))
    await chat.run("@anna\ndm\n" + WEEKLY.replace("elke maandag 10:00", "nu"))
    await delivered(app, "pulse:1:1:open")
    people = [*ZORG, "z8", "z9", "z10", "z11"]
    for person in people:
        await chat.run(answer_script(person, ["3", "8", "1", f"Opmerking van nummer {person}"]))
    await jump(app, chat.clock, timedelta(days=2, hours=1))
    out = await chat.run("@mila\ndm\n/hartslag summary zorg")
    shown = re.findall(r"> Opmerking van nummer (\w+)", out)
    assert sorted(shown) == sorted(people)
    assert not re.search(r"\d\d:\d\d", out.split("Nog iets?")[1].split("Verloop")[0])


async def test_weekly_summary_dm_to_each_manager(chat: Any, app: Any) -> None:
    await two_rounds(chat, app)  # now: Wednesday 2 December, round 2 closed this week
    out = await chat.run("@mila\ndm\n/hartslag summary weekly zorg on")
    assert "elke maandag om 9:00" in out
    await jump(app, chat.clock, timedelta(days=5))
    await delivered(app, "summary:zorg:2026-12-07")
    report = await app.outbox.report("summary:zorg:2026-12-07")
    assert [item.target for item in report.items] == ["local:mila"] and report.sent == 1
    out = await chat.run("@mila\ndm\n/hartslag summary weekly zorg off")
    assert "Geen wekelijkse" in out


async def test_weekly_summary_of_a_team_that_does_not_exist_is_refused(chat: Any, app: Any) -> None:
    # A manager role may name a team that pulse does not know (config, or a grant like this).
    out = await chat.run("@anna\ndm\n/hartslag rol grant manager local:joost nergens\n"
                         "@joost\ndm\n/hartslag summary weekly nergens on\n")
    assert "Team `nergens` bestaat niet." in out
    assert [s for s in await app.scheduler.list(kind_prefix="summaries.")] == []


async def test_the_summary_chart_names_its_axes_and_questions(
        chat: Any, app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 20 #9: the chart had no axis labels, and one line had no name."""
    import commands.summaries.summary as summary
    from commands.charts import trend_figure

    drawn: list[Any] = []

    async def draw(x_labels: Any, lines: Any, **options: Any) -> bytes:
        drawn.append(trend_figure(x_labels, lines, **options))
        return PNG_SIGNATURE

    monkeypatch.setattr(summary, "render_trend", draw)
    await two_rounds(chat, app)
    await chat.run("@mila\ndm\n/hartslag summary zorg")
    (figure,) = drawn
    (axes,) = figure.axes
    assert axes.get_xlabel() == "Ronde (datum)"
    assert axes.get_ylabel() == "Gemiddelde (1 = oneens, 5 = eens)"
    legend = axes.get_legend()
    assert legend is not None and legend.get_texts()[0].get_text().startswith("1. ")


async def test_help_lists_the_summary_only_for_managers(chat: Any) -> None:
    employee = await chat.run("@z1\ndm\nhelp")
    assert "`samenvatting" not in employee
    manager = await chat.run("@mila\ndm\nhelp")
    assert "- `samenvatting [wekelijks]`" in manager
    usage = await chat.run("samenvatting help")
    assert "`samenvatting <team> [<peiling>]`" in usage
    assert "`samenvatting wekelijks <team> <aan|uit>`" in usage
    assert "Voorbeeld: `samenvatting demo`" in usage
    assert "Voorbeeld: `samenvatting wekelijks demo aan`" in usage


async def test_summary_arguments_are_checked_with_the_declared_usage(chat: Any) -> None:
    out = await chat.run("@mila\ndm\nsamenvatting")
    assert "Er ontbreekt <team>" in out and "Voorbeeld: `samenvatting demo`" in out
    out = await chat.run("samenvatting zorg vorige")
    assert "`vorige` is geen nummer van een peiling" in out
    assert "Gebruik: `samenvatting <team> [<peiling>]`" in out
    out = await chat.run("samenvatting wekelijks zorg misschien")
    assert "`misschien` past hier niet: kies `aan`, `uit`" in out
    out = await chat.run("samenvatting wekelijks zorg")
    assert "Er ontbreekt <aan|uit>" in out
    out = await chat.run("summary weekly zorg on")
    assert "elke maandag om 9:00 de samenvatting van team `zorg`" in out


async def test_a_config_manager_may_ask_before_anything_synced_the_teams(chat: Any) -> None:
    # omar manages ict only in the config's teams: his role grant is written when the teams
    # are synced, which the command does before the tree checks his role.
    out = await chat.run("@omar\ndm\nsamenvatting ict")
    assert "Er is nog geen gesloten peiling voor team `ict`" in out
