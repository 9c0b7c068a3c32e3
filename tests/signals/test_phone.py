"""Signals on a phone: refusals before typing, topics as buttons, no echo of a stray text,
and English all the way for a person who chose English."""

from __future__ import annotations

from typing import Any

from tests.signals.conftest import all_rows, code_and_ref

SEND = "/hartslag signaal\ngeen\ngeen\n{text}\nja\n"


async def test_the_rate_limit_is_told_before_the_text_is_typed(chat: Any, app: Any) -> None:
    for n in range(3):
        await code_and_ref(app, await chat.run(
            "@joost\ndm\n" + SEND.format(text=f"Signaal nummer {n} van deze week.")))
    out = await chat.run("@joost\ndm\n/hartslag signaal\n")
    assert "al 3 signalen gestuurd" in out
    assert "Waar gaat het over" not in out  # no question is asked that leads nowhere
    assert len((await all_rows(app))["signal_case"]) == 3


async def test_topics_are_buttons_and_a_press_is_the_same_as_the_number(
        chat: Any, app: Any) -> None:
    out = await chat.run("@sara\ndm\n/hartslag signaal\n")
    assert "[1] werkdruk" in out and "[5] geen" in out
    out = await chat.run("@sara\ndm\npress 3\ngeen\nDe wifi op de derde valt steeds weg.\n"
                         "ja\n")
    await code_and_ref(app, out)
    (case,) = (await all_rows(app))["signal_case"]
    assert "ICT" in repr(case)


async def test_a_text_typed_at_the_topic_step_is_not_echoed(chat: Any) -> None:
    text = "Mijn leidinggevende schreeuwt elke ochtend tegen de nieuwe collega's"
    out = await chat.run(f"@omar\ndm\n/hartslag signaal\n{text}\n")
    assert "Dat is geen onderwerp" in out and "je tekst vraag ik hierna" in out
    assert out.count("schreeuwt") == 1  # only the person's own line, never repeated back


async def test_english_topics_and_whistleblower_line(chat: Any, app: Any) -> None:
    await chat.run("@lisa\ndm\n/hartslag taal en\n")
    out = await chat.run("@lisa\ndm\n/hartslag signal\n")
    assert "[1] workload" in out and "[2] social safety" in out and "werkdruk" not in out
    out = await chat.run("@lisa\ndm\nIT\nnone\nThe printers on floor 2 are broken.\nyes\n")
    assert "Topic: IT" in out
    await code_and_ref(app, out)
    (case,) = (await all_rows(app))["signal_case"]
    assert "ICT" in repr(case)  # stored under its configured name, whatever the language
    info = await chat.run("@lisa\ndm\n/hartslag signal info\n")
    assert "Whistleblowers Authority" in info and "Vermoeden" not in info
