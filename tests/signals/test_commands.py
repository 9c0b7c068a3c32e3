"""The ``signal`` command on the declared tree (issues 20 #4 and 21): each person's help shows
their part of it, usage errors come from the tree, and whether a code may be typed in a
channel is a capability the port reports, not a platform's name."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from commands.model import Address, CommandRequest, UserRef
from tests.signals.conftest import all_rows, code_and_ref
from tests.support.fake_port import FULL, FakeChatPort

SENDER = "signaal nieuw|gesprek|info|bekijk|antwoord|sluit"
TRIAGE = "inbox|dossier|beantwoord|notitie|status|wijs|blokkeer|publiceer|overzicht"


async def test_help_shows_the_triage_officer_her_commands_and_employees_theirs(chat: Any) -> None:
    employee = await chat.run("@joost\ndm\nhelp\n")
    assert f"`{SENDER}`" in employee and "inbox" not in employee
    officer = await chat.run("@tess\ndm\nhelp\n")
    assert f"`{SENDER}|{TRIAGE}`" in officer


async def test_command_help_gives_each_person_their_usage_with_examples(chat: Any) -> None:
    officer = await chat.run("@tess\ndm\nsignaal help\n")
    assert "- `signaal beantwoord <dossier> <tekst...>`" in officer
    assert "Voorbeeld: `signaal inbox`" in officer and "Voorbeeld: `signaal nieuw`" in officer
    employee = await chat.run("@joost\ndm\nhelp signaal\n")
    assert "Voorbeeld: `signaal bekijk K7QX2-MPD4R`" in employee
    assert "beantwoord" not in employee and "blokkeer" not in employee
    english = await chat.run("taal en\nsignal help\n")
    assert "- `signal reply <code> [<text...>]`" in english and "Example: `signal info`" in english


async def test_old_words_still_work(chat: Any) -> None:
    out = await chat.run("@tess\ndm\nsignalen postvak\nsignals lijst alle\nsignaal toewijzen\n")
    assert "Geen signalen (open)." in out and "Geen signalen (nieuw, in behandeling," in out
    assert "Er ontbreekt <dossier>. Gebruik: `signaal wijs <dossier> <persoon>`" in out
    assert "Voorbeeld: `signaal wijs S-K7QX2M mij`" in out
    out = await chat.run("@joost\ndm\nsignaal meld\n")
    assert "**Anoniem signaal**" in out


async def test_triage_errors_name_what_is_wrong(chat: Any, app: Any) -> None:
    _, ref = await code_and_ref(app, await chat.run(
        "@joost\ndm\n/hartslag signaal\ngeen\ngeen\nEen signaal voor de foutmeldingen.\nja\n"))
    out = await chat.run(f"@tess\ndm\nsignaal wijs {ref} sara\nsignaal overzicht soms\n"
                         f"signaal notitie {ref}\nsignaal publiceer\nsignaal blokkeer {ref}\n"
                         f"signaal status {ref} in behandeling\n")
    assert "`sara` is geen persoon. Schrijf `mij`, `niemand` of platform:id" in out
    assert "`soms` past hier niet: kies `nu`, `aan`, `uit`" in out
    assert "Er ontbreekt <tekst...>. Gebruik: `signaal notitie <dossier> <tekst...>`" in out
    assert "Er ontbreekt <dossier>. Gebruik: `signaal publiceer" in out
    assert "Er ontbreekt <dagen>" in out
    assert f"Dossier {ref} heeft nu status in behandeling" in out


async def test_free_text_keeps_apostrophes_and_quotes(chat: Any, app: Any) -> None:
    code, ref = await code_and_ref(app, await chat.run(
        "@joost\ndm\n/hartslag signaal\ngeen\ngeen\nDe roosters komen te laat.\nja\n"))
    await chat.run(f"@tess\ndm\nsignaal beantwoord {ref} Dat klopt, 's ochtends pas. \"Sorry\".\n")
    out = await chat.run(f"@joost\ndm\nsignaal antwoord {code} Foto's volgen.\n"
                         f"signaal bekijk {code}\n")
    assert "Dat klopt, 's ochtends pas. \"Sorry\"." in out and "Foto's volgen." in out


class PrivateCommands(FakeChatPort):
    """A platform whose commands in a channel only their sender sees (Slack's slash commands)."""


async def _in_channel(app: Any, platform: str, args: str) -> str:
    user = UserRef(platform, "U0JOOST", "joost", "T1")
    answer = await app.handle(CommandRequest(user, Address(platform, "T1", "C0ALG"), "signal",
                                             args, is_direct=False))
    assert answer is not None and answer.message is not None
    return str(answer.message.markdown)


async def test_a_code_in_a_channel_depends_on_what_the_port_reports(chat: Any, app: Any) -> None:
    code, _ = await code_and_ref(app, await chat.run(
        "@joost\ndm\n/hartslag signaal\ngeen\ngeen\nEen signaal met een code.\nja\n"))
    app.port.add("slack", PrivateCommands(capabilities_=replace(FULL, private_commands=True)))
    app.port.add("teams", FakeChatPort(capabilities_=replace(FULL, private_commands=False)))
    assert "**Je signaal**" in await _in_channel(app, "slack", f"show {code}")
    assert "Doe dit in een privébericht" in await _in_channel(app, "teams", f"show {code}")
    refused = await _in_channel(app, "teams", f"reply {code} Zichtbaar voor iedereen.")
    assert "Doe dit in een privébericht" in refused
    assert len((await all_rows(app))["signal_entry"]) == 0
    # Where the channel is private, a reply without text cannot go step by step (no DM draft).
    assert "Er ontbreekt <tekst...>" in await _in_channel(app, "slack", f"reply {code}")
