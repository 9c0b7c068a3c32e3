"""Anonymous signals from Teams: the form opens as a card in the 1:1 chat, the submission is
stored without the sender, and the triage team's answer reaches the sender through the relay
as a proactive 1:1 message. No Teams id of the submission is stored."""

from __future__ import annotations

import re

from sqlmodel import select

from storage.events import ProcessedEvent
from tests.teams.conftest import ANNA, TESS, TeamsHarness


async def test_signal_by_card_and_answer_through_the_relay(teams: TeamsHarness) -> None:
    await teams.post(teams.activities.channel("signaal"))
    calls = await teams.connector.wait_for(lambda c: any(x.card and _inputs(x) for x in c))
    form = next(c for c in calls if c.card and _inputs(c))
    assert form.conversation_id == "a:dm-aad-anna" or form.conversation_id.startswith("a:dm-")
    assert "Anoniem signaal" in form.text
    assert not any(c.conversation_id.startswith("19:") for c in calls)  # nothing in the channel
    names = _inputs(form)
    assert "f_text" in names
    assert form.card is not None
    data = dict(form.card["actions"][0]["data"])
    data |= {"f_text": "De werkdruk op de afdeling is al maanden te hoog.", "f_relay": "true"}
    if "f_category" in names:
        data["f_category"] = ""
    if "f_team" in names:
        data["f_team"] = ""
    teams.connector.clear()
    submission = teams.activities.submit(data, card_id=form.result_id, personal=True)
    submission["conversation"]["id"] = form.conversation_id
    await teams.post(submission)
    done = await teams.connector.wait_for(lambda c: len(c) >= 1)
    assert "Verstuurd, anoniem" in done[0].text, done[0].text

    # Nothing that points back to the sender: the submission's activity id is not stored.
    async with teams.app.db.session(readonly=True) as session:
        keys = [row.key for row in (await session.exec(select(ProcessedEvent))).all()]
    assert f"teams:{submission['id']}" not in keys

    # The triage team sees the case by its reference, never by a person.
    teams.connector.clear()
    await teams.post(teams.activities.personal("signaal inbox", sender=TESS))
    inbox = (await teams.connector.wait_for(lambda c: len(c) >= 1))[0]
    found = re.search(r"\b(S-[A-Z0-9]{6})\b", inbox.text)
    assert found, inbox.text
    assert "werkdruk" in inbox.text.lower() and ANNA.name not in inbox.text
    ref = found.group(1)

    teams.connector.clear()
    answer = teams.activities.personal(f"signaal beantwoord {ref} Dank je, we pakken het op.",
                                       sender=TESS)
    await teams.post(answer)
    calls = await teams.connector.wait_for(lambda c: len(c) >= 2)
    to_anna = [c for c in calls if c.conversation_id == form.conversation_id]
    to_tess = [c for c in calls if c.conversation_id == "a:dm-aad-tess"]
    assert to_anna and "we pakken het op" in to_anna[0].text
    assert to_tess and ref in to_tess[0].text
    assert ANNA.name not in to_tess[0].text


def _inputs(call: object) -> list[str]:
    card = getattr(call, "card", None) or {}
    return [b.get("id", "") for b in card.get("body", []) if str(b.get("type", "")).startswith(
        "Input.")]
