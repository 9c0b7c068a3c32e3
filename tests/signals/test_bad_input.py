"""Bad input always gets a clear message and stores nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.model import Address, CommandRequest, InboundMessage, UserRef
from commands.signals.send import YES, YES_NO_REPLY
from tests.signals.conftest import all_rows, code_and_ref

APOLOGY = "ging iets mis"
SIGNAL_TABLES = ("signal_case", "signal_entry", "signal_relay", "signal_rate", "signal_block")


async def stored(app: Any) -> int:
    rows = await all_rows(app)
    return sum(len(rows[t]) for t in SIGNAL_TABLES)


async def test_the_conversation_explains_every_wrong_answer(chat: Any, app: Any) -> None:
    out = await chat.run("@joost\ndm\n/hartslag signaal\n9\nkantine\n")
    assert out.count("geen onderwerp") == 2 and "nummer van 1 tot 4" in out
    out = await chat.run("2\n" + "t" * 61 + "\ngeen\n")
    assert "hooguit 60 tekens" in out and "Schrijf nu je signaal" in out
    out = await chat.run("x" * 2001 + "\nhoi\n")
    assert "2001 tekens; het maximum is 2000" in out and "minstens 5 tekens" in out
    out = await chat.run("Een tekst die goed is.\nmisschien\n")
    assert "Antwoord `ja`, `ja zonder antwoord` of `nee`" in out
    out = await chat.run("nee\n")
    assert "Er is niets opgeslagen" in out
    out = await chat.run("/hartslag signaal\nstop\n")
    assert "Afgebroken" in out
    assert await stored(app) == 0


async def test_a_forgotten_draft_expires_from_memory(chat: Any, app: Any, clock: Any) -> None:
    await chat.run("@joost\ndm\n/hartslag signaal\n1\ngeen\n")
    clock.advance(timedelta(minutes=31))
    out = await chat.run("Dit komt te laat.\n")
    assert "te lang onaf" in out
    assert await stored(app) == 0


async def test_started_in_a_channel_it_continues_in_the_dm(chat: Any, app: Any) -> None:
    out = await chat.run("@joost\n#algemeen\n/hartslag signaal\n")
    assert "privébericht gestuurd" in out and "[dm joost] hartslag" in out
    out = await chat.run("dm\ngeen\ngeen\nIn het DM verder geschreven.\nja\n")
    await code_and_ref(app, out)


async def test_codes_references_and_roles(chat: Any, app: Any) -> None:
    code, ref = await code_and_ref(app, await chat.run("@joost\ndm\n/hartslag signaal\ngeen\ngeen\n"
                                            "Een signaal om mee te testen.\nja\n"))
    out = await chat.run("/hartslag signaal bekijk xyz\n/hartslag signaal bekijk ABCDE-FGHJK\n"
                         "/hartslag signaal antwoord\n/hartslag signaal vlieg\n"
                         f"/hartslag signaal inbox\n/hartslag signaal dossier {ref}\n")
    assert "geen geldige code" in out and "Ik ken geen signaal met die code" in out
    assert "Er ontbreekt <code>. Gebruik: `signaal antwoord <code> [<tekst...>]`" in out
    assert "`signaal vlieg` ken ik niet" in out and "`signaal bekijk <code>`" in out
    unknown = out.split("signaal vlieg\n")[1].split("/hartslag signaal inbox")[0]
    assert "`signaal inbox" not in unknown  # the list shows joost only what he may do
    assert out.count("rol signalen-team") == 2 and "Een signaal om mee te testen" not in out.split(
        "inbox")[-1]
    before = await stored(app)
    out = await chat.run("@tess\ndm\n/hartslag signaal dossier S-1\n/hartslag signaal dossier "
                         "S-ABCDEF\n"
                         f"/hartslag signaal status {ref} misschien\n"
                         f"/hartslag signaal beantwoord {ref}\n"
                         f"/hartslag signaal wijs {ref} local:joost\n"
                         f"/hartslag signaal publiceer {ref} #algemeen --citaat \"niet gezegd\" "
                         "Wat we deden.\n"
                         f"/hartslag signaal publiceer {ref}\n")
    assert "geen dossiernummer" in out and "bestaat niet (meer)" in out
    assert "geen status" in out and "Er ontbreekt <tekst...>. Gebruik: `signaal beantwoord" in out
    assert "heeft de rol signalen-team niet" in out
    assert "staat niet letterlijk in het signaal" in out
    assert "Er ontbreekt <kanaal>. Gebruik: `signaal publiceer <dossier> <kanaal>" in out
    assert APOLOGY not in out
    assert await stored(app) == before
    assert not [m for m in chat.adapter.world.messages if m.place == "#algemeen"]
    # A triage member typing `sluit <case>` closes it; the sender's code then only reads.
    out = await chat.run(f"/hartslag signaal sluit {ref}\n@joost\ndm\n"
                         f"/hartslag signaal antwoord {code} Nog iets.\n/hartslag signaal bekijk {code}\n")
    assert "status gesloten" in out and "Dit signaal is gesloten; reageren kan niet meer" in out


async def test_info_is_honest_about_what_is_stored(chat: Any) -> None:
    out = await chat.run("@joost\ndm\n/hartslag signaal info\n")
    assert "niet het wettelijke meldkanaal" in out and "huisvoorklokkenluiders.nl" in out
    assert "12 maanden" in out and "3 signalen per 7 dagen" in out
    out = await chat.run("/hartslag taal en\n/hartslag signal info\n")
    assert "not the legal whistleblower channel" in out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=st.text(max_size=80),
       reply=st.text(max_size=80).filter(lambda s: s.strip().lower() not in YES | YES_NO_REPLY))
async def test_fuzzed_arguments_never_crash_or_store(app: Any, args: str, reply: str) -> None:
    user = UserRef("local", "fuzzer", "fuzzer", "local")
    dm = Address("local", "local", "@fuzzer")
    for request in (CommandRequest(user, dm, "signal", args, is_direct=True),
                    InboundMessage(user, dm, reply, is_direct=True)):
        answer = await app.handle(request)
        if answer is not None and answer.message is not None:
            assert APOLOGY not in answer.message.markdown
    rows = await all_rows(app)
    assert rows["signal_case"] == [] and rows["signal_entry"] == []


async def test_a_code_typed_in_a_channel_is_refused(chat: Any, app: Any) -> None:
    code, _ = await code_and_ref(app, await chat.run("@joost\ndm\n/hartslag signaal\ngeen\ngeen\n"
                                          "Een code hoort in een DM.\nja\n"))
    out = await chat.run(f"#algemeen\n/hartslag signaal antwoord {code} Dit is zichtbaar.\n")
    assert "Doe dit in een privébericht" in out
    assert len((await all_rows(app))["signal_entry"]) == 0
