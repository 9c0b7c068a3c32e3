"""Pulses end to end in the local chat: every question kind, answering twice, closing,
results with k, anonymity of every table, logs, named polls, channel polls, bad input."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from typing import Any

import pytest

from commands.model import FormSubmission, UserRef
from storage.pulse import PulseRepository
from tests.pulse.conftest import (
    FULL,
    TEAM_PULSE,
    ZORG,
    all_rows,
    answer_script,
    delivered,
    jump,
)

HEX64 = re.compile(r"^[0-9a-f]{64}$")
PULSE_TABLES = ("pulse_answer", "pulse_comment", "pulse_participation", "pulse_round",
                "pulse_series")


async def start(chat: Any, script: str = TEAM_PULSE) -> str:
    out = await chat.run("@anna\n" + script)
    await delivered(chat.app, "pulse:1:1:open")
    return out + chat.transcript[len(out):]


async def test_every_question_kind_is_answered_and_counted_after_close(chat: Any,
                                                                       app: Any) -> None:
    out = await start(chat)
    assert "**Peiling 1** is aangemaakt en bevestigd" in out and out.count("[1] Beantwoorden") == 9
    for person in ZORG[:5]:
        await chat.run(answer_script(person, [*FULL, f"Mening van {person}"]))
    out = await chat.run(answer_script("z6", ["1", "1", "3", "2", "4", "2"]))
    assert "Vraag 5 van 5" in out and "anoniem opgeslagen" in out
    repo = app.store.repo(PulseRepository)
    answers = await repo.answers(1)
    assert len({a.voter_key for a in answers}) == 6
    assert {a.question for a in answers} == {0, 1, 2, 3}
    assert sorted(a.value for a in answers if a.question == 3) == ["0,2"] * 5 + ["1"]
    assert len(await repo.comments(1)) == 5

    out = await chat.run("@anna\n/hartslag pulse results 1")
    assert "na het sluiten" in out  # hidden while open
    await jump(app, chat.clock, timedelta(days=2, hours=1))
    await delivered(app, "pulse:1:1:results")
    out = chat.transcript.split("[dm anna]")[-1]
    assert "Resultaten: Week pulse" in out and "Deelname: 6 van 9 (67%)" in out
    assert "Gemiddeld **3.5** (6 antwoorden)" in out  # likert: 5 x 4 + 1 x 1
    assert "eNPS: **+67**" in out  # 5 promoters (9), 1 detractor (0) of 6
    assert "Te weinig reacties om open antwoorden te tonen" in out  # 5 comments < 10
    assert "Mening van" not in out
    out = await chat.run("@anna\ndm\n/hartslag pulse results 1 --names")
    assert "anonieme peiling weet niemand" in out


async def test_answering_again_replaces_the_earlier_answer(chat: Any, app: Any) -> None:
    await start(chat)
    await chat.run(answer_script("z1", ["1"]))
    out = await chat.run("@z1\ndm\n/hartslag pulse answer 1\npress 5")
    assert "Vraag 2 van 5" in out
    answers = await app.store.repo(PulseRepository).answers(1)
    assert [(a.question, a.value) for a in answers] == [(0, "5")]


async def test_no_table_and_no_log_line_holds_who_answered_what(
        chat: Any, app: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await start(chat)
    before = await all_rows(app)
    for person in ZORG:
        await chat.run(answer_script(person, [*FULL, f"geheime tekst {person}"]))
    await chat.run(answer_script("n1", FULL[:3]))
    after = await all_rows(app)
    # Answering adds rows only to the answer tables; no outbox row, no schedule, no event.
    changed = {t for t in after if after[t] != before.get(t)}
    assert changed <= {"pulse_answer", "pulse_comment"}, changed
    people = [*ZORG, "n1"]
    for table in PULSE_TABLES:
        dump = json.dumps(after.get(table, []), default=str)
        for person in people:
            assert f"local:{person}" not in dump and f'"{person}"' not in dump, (table, person)
    for voter_key, *_ in [(r[1],) for r in after["pulse_answer"]]:
        assert HEX64.match(voter_key)
    assert {len(r) for r in after["pulse_answer"]} == {5}  # round, voter key, q, team, value
    # Free text only in pulse_comment, never next to a voter key.
    everything_else = json.dumps({t: r for t, r in after.items() if t != "pulse_comment"},
                                 default=str)
    assert "geheime tekst" not in everything_else
    # Our own loggers at DEBUG (aiosqlite's DEBUG lines echo SQL parameters of every query,
    # e.g. the locale lookup of the caller; production logs at INFO).
    logs = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records
                     if r.name.startswith("hartslag") or r.levelno >= logging.INFO)
    for person in people:
        assert f"local:{person}" not in logs
    assert "geheime tekst" not in logs


async def test_a_named_pulse_stores_the_person(chat: Any, app: Any) -> None:
    await start(chat, TEAM_PULSE.replace("--reminder off", "--reminder off --named"))
    out = await chat.run(answer_script("z2", ["2"]))
    assert "niet* anoniem" in out
    answers = await app.store.repo(PulseRepository).answers(1)
    assert [(a.voter_key, a.value) for a in answers] == [("local:z2", "2")]
    await chat.run("@anna\ndm\n/hartslag pulse close 1")
    out = await chat.run("/hartslag pulse results 1 --names")
    assert "`local:z2`: 2 Oneens" in out


async def test_a_channel_pulse_takes_answers_from_anyone_there(chat: Any, app: Any) -> None:
    script = ('/hartslag pulse create --confirm "Kanaalpeiling" --duration 1d '
              '--q1 "single: Koffie of thee? | koffie | thee"')
    await chat.run("@anna\n#algemeen\n" + script)
    await delivered(app, "pulse:1:1:open")
    assert "[1] Beantwoorden" in chat.transcript
    for person in ["bram", "tess", "joost", "sara", "lisa"]:
        out = await chat.run(f"@{person}\n#algemeen\npress 1\npress 2")
        assert f"-> {person}" in out  # answered privately in the channel
    await jump(app, chat.clock, timedelta(days=1))
    out = await chat.run("@anna\n/hartslag pulse results 1")
    assert "Deelname: 5 mensen" in out and "100% thee" in out


async def test_a_team_pulse_refuses_people_outside_the_team(chat: Any, app: Any) -> None:
    await start(chat)
    out = await chat.run("@i1\ndm\n/hartslag pulse answer 1")
    assert "(nog) niet in staat" in out
    from commands.model import Address, Interaction

    user = UserRef("local", "i1", "i1", "local")
    reply = await app.handle(Interaction(user, Address("local", "local", "@i1"), "pulse.vote",
                                         "1|0|4"))
    assert reply is not None and "(nog) niet in staat" in reply.message.markdown
    assert await app.store.repo(PulseRepository).answers(1) == []


async def test_answers_after_close_are_refused_and_not_stored(chat: Any, app: Any) -> None:
    await start(chat)
    await chat.run("@z1\ndm\npress 1")  # question 1 shown, then the round closes
    await chat.run("@anna\n/hartslag pulse close 1")
    out = await chat.run("@z1\ndm\npress 3")
    assert "is gesloten" in out
    assert await app.store.repo(PulseRepository).answers(1) == []


@pytest.mark.parametrize("script, expected", [
    ('/hartslag pulse create --confirm "X" --team zorg', "Zet de vragen"),
    ('/hartslag pulse create --confirm "X" --team nope --q1 "likert: a"', "bestaat niet"),
    ('/hartslag pulse create --confirm "X" --team zorg --q1 "vraag zonder soort"', "begin een vraag"),
    ('/hartslag pulse create --confirm "X" --team zorg --q1 "single: a | alleen"', "2 tot 10 opties"),
    ('/hartslag pulse create --confirm "X" --team zorg --q1 "text: a" --q2 "text: b"', "één open vraag"),
    ('/hartslag pulse create --confirm "X" --team zorg --q1 "likert: a" --q2 "likert: b" '
     '--q3 "likert: c" --q4 "likert: d" --q5 "likert: e" --q6 "likert: f"', "hoogstens 5"),
    ('/hartslag pulse create --confirm "X" --team zorg --q1 "likert: a" --when "gisteren"', "begrijp"),
    ('/hartslag pulse create --confirm "X" --team zorg --q1 "likert: a" --duration 5x', "duur"),
    ('/hartslag pulse create --confirm "X" --team zorg --q1 "likert: a" --live', "--named"),
    ('/hartslag pulse create --confirm "X" --team zorg --q1 "likert: a" --remind-only-missing',
     "staat uit"),
    ('/hartslag pulse create --confirm --team zorg --q1 "likert: a"', "titel"),
    ('/hartslag pulse create --confirm "X" --team zorg --q1 "likert: a" --when "elke dag 9:00"',
     "niet dagelijks"),
])
async def test_bad_input_gets_a_clear_message_and_stores_nothing(chat: Any, app: Any,
                                                                 script: str,
                                                                 expected: str) -> None:
    out = await chat.run("@anna\ndm\n" + script)
    assert expected in out, out
    rows = await all_rows(app)
    assert rows["pulse_series"] == [] and rows["pulse_round"] == []


async def test_only_comms_or_the_team_manager_may_create(chat: Any, app: Any) -> None:
    out = await chat.run('@z1\ndm\n/hartslag pulse create --confirm "X" --team zorg --q1 "likert: a"')
    assert "rol communicatie" in out
    out = await chat.run('@mila\ndm\n/hartslag pulse create --confirm "X" --team zorg --q1 "likert: a"')
    assert "**Peiling 1** is aangemaakt" in out


async def test_bad_buttons_and_long_text_store_nothing(chat: Any, app: Any) -> None:
    await start(chat)
    user = UserRef("local", "z1", "z1", "local")
    from commands.model import Address, Interaction

    address = Address("local", "local", "@z1")
    for value in ("1|0|9", "1|7|1", "x", "1|3|m999", "99|0|1"):
        reply = await app.handle(Interaction(user, address, "pulse.vote", value))
        assert reply is not None and "knop" in reply.message.markdown
    await chat.run(answer_script("z1", ["1", "1", "1", "4", "1"]))
    out = await chat.run("@z1\ndm\n" + "x" * 2001)
    assert "hoogstens 2000 tekens" in out
    assert await app.store.repo(PulseRepository).comments(1) == []


async def test_a_form_submission_answers_everything_at_once(chat: Any, app: Any) -> None:
    await start(chat)
    user = UserRef("local", "z3", "z3", "local")  # as a Slack modal or Teams card would send
    from commands.model import Address

    address = Address("local", "local", "@z3")
    bad = FormSubmission(user, address, "pulse.answer", {"q0": "9"}, json.dumps({"round": 1}))
    reply = await app.handle(bad)
    assert reply is not None and "vraag 1" in reply.message.markdown
    good = FormSubmission(user, address, "pulse.answer",
                          {"q0": "4", "q1": "10", "q2": "1", "q3": "0,2", "q4": "Prima"},
                          json.dumps({"round": 1}))
    reply = await app.handle(good)
    assert reply is not None and "anoniem opgeslagen" in reply.message.markdown
    repo = app.store.repo(PulseRepository)
    assert sorted((a.question, a.value) for a in await repo.answers(1)) == [
        (0, "4"), (1, "10"), (2, "1"), (3, "0,2")]
    assert [c.text for c in await repo.comments(1)] == ["Prima"]


async def test_platforms_with_forms_get_the_whole_pulse_as_one_form(chat: Any, app: Any) -> None:
    from dataclasses import replace

    from commands.context import Context
    from commands.model import Address, Interaction
    from commands.pulse.answer import on_start
    from tests.support.fake_port import FakeChatPort

    await start(chat)
    user = UserRef("local", "z4", "z4", "local")
    ctx = Context(replace(app.services, port=FakeChatPort()), user=user)
    reply = await on_start(Interaction(user, Address("local", "local", "@z4"), "pulse.start",
                                       "1"), ctx)
    assert reply is not None and reply.form is not None and reply.message is not None
    kinds = [(f.name, f.kind) for f in reply.form.fields]
    assert kinds == [("q0", "select"), ("q1", "select"), ("q2", "select"),
                     ("q3", "multiselect"), ("q4", "multiline")]
    assert json.loads(reply.form.state) == {"round": 1}


async def test_a_summary_before_any_closed_round_says_so(chat: Any) -> None:
    out = await chat.run("@mila\ndm\n/hartslag summary zorg\n/hartslag summary nope")
    assert "nog geen gesloten peiling" in out and "Team `nope` ken ik niet" in out


async def test_each_person_is_invited_in_their_own_language(chat: Any, app: Any) -> None:
    """Issue 20 #6: an English reader used to get a Dutch invitation, then English chrome."""
    await chat.run("@z2\ndm\n/hartslag taal en\n")
    await start(chat)
    messages = re.split(r"(?m)^(?=\[)", chat.transcript)
    to_z1 = "".join(m for m in messages if m.startswith("[dm z1] hartslag"))
    to_z2 = "".join(m for m in messages if m.startswith("[dm z2] hartslag"))
    assert "New poll: **Week pulse** (5 questions, anonymous)" in to_z2
    assert "Nieuwe peiling" not in to_z2
    assert "Nieuwe peiling: **Week pulse** (5 vragen, anoniem)" in to_z1
