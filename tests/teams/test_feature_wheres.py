""""Where do I find X" from Teams: a 1:1 question, a mention in a channel (answered in the
1:1 chat), English, and the feedback buttons on the answer card."""

from __future__ import annotations

from dataclasses import replace

from tests.teams.conftest import BRAM, TeamsHarness
from tests.wheres.conftest import sample_text


async def _load_sample(teams: TeamsHarness) -> None:
    from commands.wheres.kbfile import parse_file
    from commands.wheres.knowledge import Knowledge

    parsed = parse_file("sample-kb.yaml", sample_text())
    knowledge = Knowledge()
    for entry in parsed.entries:
        await knowledge.put(teams.app.context(), replace(entry))


async def test_question_in_1to1_chat_and_feedback_button(teams: TeamsHarness) -> None:
    await _load_sample(teams)
    await teams.post(teams.activities.personal("waar vind ik mijn loonstrook"))
    answer = (await teams.connector.wait_for(lambda c: len(c) >= 1))[0]
    assert answer.conversation_id == "a:dm-aad-anna"
    assert "ADP" in answer.text
    assert answer.card is not None
    buttons = [a for a in answer.card.get("actions", [])
               if a["data"].get("hs_action") == "wheres.feedback"]
    assert len(buttons) == 2 and all(b["type"] == "Action.Submit" for b in buttons)
    helped = next(b for b in buttons if b["data"]["hs_value"].endswith(":helped"))
    teams.connector.clear()
    await teams.post(teams.activities.submit(helped["data"], card_id=answer.result_id,
                                             personal=True))
    thanks = (await teams.connector.wait_for(lambda c: len(c) >= 1))[0]
    assert "Dank je" in thanks.text
    assert thanks.conversation_id == "a:dm-aad-anna"


async def test_mention_in_channel_is_answered_in_the_1to1_chat(teams: TeamsHarness) -> None:
    await _load_sample(teams)
    await teams.post(teams.activities.channel("wifi code voor bezoekers?", sender=BRAM))
    calls = await teams.connector.wait_for(lambda c: len(c) >= 2)
    answer = calls[-1]
    assert answer.conversation_id.startswith("a:dm-")
    assert "Gemeente-Gast" in answer.text
    assert not any(c.conversation_id.startswith("19:") for c in calls)


async def test_channel_chatter_without_mention_gets_no_answer(teams: TeamsHarness) -> None:
    await _load_sample(teams)
    await teams.post(teams.activities.channel("wifi code voor bezoekers?", mention=False))
    await teams.settle()
    assert teams.connector.sent() == []


async def test_english_question(teams: TeamsHarness) -> None:
    await _load_sample(teams)
    activity = teams.activities.personal("where is my payslip")
    activity["locale"] = "en-US"
    await teams.post(activity)
    answer = (await teams.connector.wait_for(lambda c: len(c) >= 1))[0]
    assert "ADP" in answer.text
