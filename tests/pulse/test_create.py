"""Creating a pulse as comms and as a manager (issue 20 #2): the guide, the one-line form with
a preview, nothing sent before confirm, edit and cancel before the start, help per role."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from bots.cli import main
from commands.model import Address, FormSubmission, UserRef
from storage.pulse import PulseRepository
from tests.pulse.conftest import ZORG, all_rows, delivered, jump

ONE_LINE = ('/hartslag pulse new "Koffie" --team ict --duration 1d --reminder off '
            '--q1 "likert: De koffie is goed"')


def invitations(transcript: str) -> int:
    return transcript.count("Nieuwe peiling: **")


async def test_new_without_arguments_guides_step_by_step_and_stop_ends_it(chat: Any,
                                                                         app: Any) -> None:
    out = await chat.run("@anna\ndm\npulse new")
    assert "stap voor stap" in out and "Wat is de titel" in out
    out = await chat.run("Weekcheck\nnope")
    assert "Voor welk team" in out and "`zorg`" in out and "Team `nope` bestaat niet" in out
    out = await chat.run("zorg\nvraag zonder soort")
    assert "begin een vraag met" in out and "Vraag 1:" in out  # asked again, not lost
    out = await chat.run("likert: Ik kan mijn werk goed doen\nsingle: Werkdruk? | laag | hoog\n"
                         "klaar\nmorgen 9:00\n2d\nuit\nnee")
    assert "**Concept van peiling 1**" in out and "Werkdruk? (één keuze)" in out
    assert "Met namen (niet anoniem)." in out and "Geen herinnering." in out
    assert "[1] Bevestigen  [2] Wijzigen  [3] Annuleren" in out
    series = await app.store.repo(PulseRepository).series(1)
    assert series is not None and series.state == "draft" and not series.anonymous
    assert series.duration_minutes == 2 * 24 * 60
    # A new guide, stopped half-way: nothing is kept and commands work again.
    out = await chat.run("pulse new\nHalf\nstop\npulse list")
    assert "Gestopt; er is niets bewaard." in out and "Half" not in out.split("Gestopt")[1]
    assert len(await app.store.repo(PulseRepository).all_series()) == 1


async def test_the_guide_is_offered_in_a_dm_not_in_a_channel(chat: Any) -> None:
    out = await chat.run("@anna\n#algemeen\n/hartslag pulse new")
    assert "in een privébericht" in out and "--q1" in out


async def test_one_line_create_previews_and_sends_nothing_until_confirm(chat: Any,
                                                                        app: Any) -> None:
    out = await chat.run("@anna\ndm\n" + ONE_LINE)
    assert "**Concept van peiling 1**: er is nog niets verstuurd." in out
    assert "de leden van team `ict` (5 mensen, privébericht)" in out
    assert "1. De koffie is goed (schaal 1-5)" in out and "Anoniem:" in out
    assert "Wanneer: meteen na het bevestigen; elke ronde is 24 uur open." in out
    await jump(app, chat.clock, timedelta(days=2))
    assert invitations(chat.transcript) == 0
    assert (await all_rows(app))["pulse_round"] == []
    out = await chat.run("@anna\ndm\npulse list")
    assert "- 1: Koffie (ict, concept)" in out and "`peiling bevestig 1`" in out
    out = await chat.run("pulse show 1\npress 1")
    assert "is gepland: de eerste ronde gaat uit op" in out
    await delivered(app, "pulse:1:1:open")
    assert invitations(chat.transcript) == 5
    out = await chat.run("@anna\ndm\npulse show 1")
    assert "(open)" in out and "`peiling sluit 1`" in out


async def test_confirm_sends_at_the_start_not_before(chat: Any, app: Any) -> None:
    await chat.run("@anna\ndm\n" + ONE_LINE + ' --when "woensdag 10:00"\npulse confirm 1')
    out = await chat.run("pulse list")
    assert "(ict, gepland)" in out and "Eerste ronde 25-11-2026 10:00" in out
    await jump(app, chat.clock, timedelta(days=2))  # Wednesday 09:00
    assert invitations(chat.transcript) == 0
    await jump(app, chat.clock, timedelta(hours=2))
    await delivered(app, "pulse:1:1:open")
    assert invitations(chat.transcript) == 5


async def test_cancel_before_the_start_sends_nothing_ever(chat: Any, app: Any) -> None:
    await chat.run("@anna\ndm\n" + ONE_LINE + ' --when "morgen 9:00"\npulse confirm 1')
    out = await chat.run("pulse annuleer 1")
    assert "is geannuleerd; er is niets verstuurd" in out
    await jump(app, chat.clock, timedelta(days=3))
    assert invitations(chat.transcript) == 0 and (await all_rows(app))["pulse_round"] == []
    out = await chat.run("@anna\ndm\npulse list\npulse bevestig 1")
    assert "geen peilingen die je mag beheren" in out and "is al geannuleerd" in out
    # The preview's Edit button says how (no forms here); its Cancel button cancels a draft.
    out = await chat.run(ONE_LINE + "\npress 2")
    assert "Wijzig met `peiling wijzig 2`" in out
    out = await chat.run("pulse toon 2\npress 3")
    assert "Peiling 2 \"Koffie\" is geannuleerd" in out


async def test_edit_changes_the_preview_and_asks_for_confirm_again(chat: Any, app: Any) -> None:
    await chat.run("@anna\ndm\n" + ONE_LINE + ' --when "morgen 9:00"\npulse confirm 1')
    out = await chat.run('pulse wijzig 1 --titel "Thee" --wanneer "woensdag 11:00" '
                         '--q1 "single: Thee? | groen | zwart"')
    assert "**Concept van peiling 1**" in out and "> **Thee**" in out
    assert "Thee? (één keuze)" in out and "wo 25 nov 2026 11:00" in out
    series = await app.store.repo(PulseRepository).series(1)
    assert series is not None and series.state == "draft" and series.schedule_id is None
    assert series.duration_minutes == 24 * 60  # what the edit did not name stays
    await jump(app, chat.clock, timedelta(days=3))
    assert invitations(chat.transcript) == 0  # the old schedule is gone, the edit unconfirmed
    out = await chat.run("@anna\ndm\npulse wijzig 1 --wanneer nu\npress 1")
    await delivered(app, "pulse:1:1:open")
    out = await chat.run("@anna\ndm\npulse wijzig 1 --titel Later\npulse annuleer 1")
    assert "wijzigen kan alleen voor de start" in out and "`peiling sluit 1`" in out
    assert "annuleren kan alleen voor de start" in out and "`peiling stoppen 1`" in out


async def test_only_the_author_confirms_and_a_manager_creates_for_her_team(chat: Any,
                                                                           app: Any) -> None:
    out = await chat.run('@mila\ndm\n/hartslag pulse new "Zorgcheck" --team zorg '
                         '--q1 "likert: Het gaat goed"')
    assert "**Concept van peiling 1**" in out and "9 mensen" in out
    out = await chat.run("@anna\ndm\npulse bevestig 1")
    assert "Alleen wie peiling 1 maakte" in out
    out = await chat.run('@mila\ndm\n/hartslag pulse new "ICT" --team ict --q1 "likert: a"')
    assert "rol communicatie" in out
    out = await chat.run("@mila\ndm\npulse bevestig 1")
    assert "is gepland" in out
    await delivered(app, "pulse:1:1:open")
    assert invitations(chat.transcript) == len(ZORG) + 2


async def test_help_lists_management_only_to_those_who_may(chat: Any) -> None:
    out = await chat.run("@z1\ndm\nhelp")
    line = next(x for x in out.splitlines() if "`peiling" in x)
    assert "antwoord" in line and "nieuw" not in line and "resultaten" not in line
    out = await chat.run("@z1\ndm\npulse help")
    assert "peiling antwoord <ronde>" in out and "peiling nieuw" not in out
    out = await chat.run("@mila\ndm\npulse help")
    assert "Voorbeeld: `peiling nieuw \"Hoe gaat het?\" --team demo" in out
    assert "--q1 <vraag>" in out and "peiling goedkeuren" not in out  # approving: comms only
    out = await chat.run("@bram\ndm\ntaal en\npulse help")
    assert "Example: `pulse new \"How are you?\"" in out and "pulse approve <id>" in out


async def test_a_form_submission_makes_the_same_draft(chat: Any, app: Any) -> None:
    user = UserRef("local", "anna", "anna", "local")
    values = {"title": "Formpeiling", "team": "ict", "kind1": "single",
              "q1": "Lunch? | soep | brood", "kind2": "text", "q2": "Nog iets?",
              "duration": "1d", "reminder": "uit", "named": ""}
    reply = await app.handle(FormSubmission(user, Address("local", "local", "@anna"),
                                            "pulse.compose", values))
    assert reply is not None and reply.message is not None
    text = reply.message.markdown
    assert "**Concept van peiling 1**" in text and "Lunch? (één keuze)" in text
    assert "Nog iets? (open vraag)" in text and [c.action for c in reply.message.choices] == [
        "pulse.confirm", "pulse.edit", "pulse.cancel"]
    bad = await app.handle(FormSubmission(user, Address("local", "local", "@anna"),
                                          "pulse.compose", {**values, "q1": "Lunch? | soep"}))
    assert bad is not None and bad.message is not None and "2 tot 10 opties" in bad.message.markdown
    assert len(await app.store.repo(PulseRepository).all_series()) == 1


def _config_file(tmp_path: Path, db_url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\nurl = "{db_url}"\n[local]\nenabled = false\n'
                    '[pulse]\nkey = "' + "k" * 40 + '"\n[pulse.teams.ict]\n'
                    'members = ["local:i1", "local:i2"]\n', encoding="utf-8")
    return path


def test_the_cli_makes_a_draft_or_confirms_in_one_go(db_url: str, tmp_path: Path,
                                                     capsys: Any) -> None:
    config = str(_config_file(tmp_path, db_url))
    base = ["--config", config, "pulse", "create", "CLI-peiling", "--team", "ict",
            "--q1", "likert: Goed?"]
    assert main(base) == 0
    out = capsys.readouterr().out
    assert "**Concept van peiling 1**" in out and "hartslag pulse confirm 1" in out
    assert main([*base[:4], "X", "--team", "nope", "--q1", "likert: a"]) == 2
    assert "Team `nope` bestaat niet" in capsys.readouterr().err
    assert main(["--config", config, "pulse", "confirm", "1"]) == 0
    assert "is gepland" in capsys.readouterr().out
    assert main([*base, "--confirm", "--locale", "en"]) == 0
    assert "Poll 2 \"CLI-peiling\" is scheduled" in capsys.readouterr().out
