""""Where do I find X" from Slack: a DM question answered in the DM with feedback buttons, a
mention in a channel answered privately, English, and channel chatter left alone."""

from __future__ import annotations

from dataclasses import replace

from tests.slack.conftest import SlackHarness, buttons
from tests.slack.signed import event, mention
from tests.wheres.conftest import sample_text


async def _load_sample(slack: SlackHarness) -> None:
    from commands.wheres.kbfile import parse_file
    from commands.wheres.knowledge import Knowledge

    parsed = parse_file("sample-kb.yaml", sample_text())
    knowledge = Knowledge()
    for entry in parsed.entries:
        await knowledge.put(slack.app.context(), replace(entry))


async def test_question_in_a_dm_and_feedback_button(slack: SlackHarness) -> None:
    await _load_sample(slack)
    await slack.dm("waar vind ik mijn loonstrook")
    answer = slack.posts("D0ANNA")[-1].args
    assert "ADP" in answer["text"]
    feedback = [b for b in buttons(answer["blocks"]) if b["action_id"].startswith(
        "wheres.feedback")]
    assert len(feedback) == 2
    helped = next(b for b in feedback if b["value"].endswith(":helped"))
    hook = await slack.press(helped, channel="D0ANNA")
    thanks = slack.answers(hook)
    assert thanks and "Dank je" in thanks[0]["text"]
    assert thanks[0]["response_type"] == "ephemeral"


async def test_mention_in_a_channel_is_answered_privately(slack: SlackHarness) -> None:
    await _load_sample(slack)
    body = event(mention("wifi code voor bezoekers?", user="U0BRAM"), event_id="EvW1")
    assert (await slack.sender.post(body, json_body=True)).status_code == 200
    await slack.settle()
    ephemeral = slack.fake.called("chat.postEphemeral")
    assert ephemeral and "Gemeente-Gast" in ephemeral[-1].args["text"]
    assert ephemeral[-1].args["user"] == "U0BRAM"
    assert slack.posts("C0ALG") == []


async def test_english_question(slack: SlackHarness) -> None:
    await _load_sample(slack)
    await slack.dm("where is my payslip", user="U0ERIK")
    assert "ADP" in slack.posts("D0ERIK")[-1].args["text"]
