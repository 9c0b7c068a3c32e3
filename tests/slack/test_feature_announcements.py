"""Announcements from Slack: compose by slash command, preview as an ephemeral message with
buttons, send, the post reaches the channel through the outbox (with delivery metadata), a
colleague acknowledges with the post's button, and the compose form opens as a modal."""

from __future__ import annotations

from typing import Any

import pytest

from bots.slack.port import EVENT_TYPE
from tests.slack.conftest import SlackHarness, button, fill


@pytest.fixture
def slack_sections() -> dict[str, Any]:
    return {"announcements": {"workspaces": {"slack": "T0HART"}}}


async def test_compose_confirm_post_and_acknowledge(slack: SlackHarness) -> None:
    hook = await slack.command(
        'announce new --title "Nieuw rooster" --body "Vanaf **maandag**." --to slack:C0ALG --ack')
    await slack.fake.wait_for_response()
    preview = slack.answers(hook)[0]
    assert preview["response_type"] == "ephemeral"
    assert "Voorbeeld van aankondiging" in preview["text"], preview["text"]
    assert slack.posts("C0ALG") == []

    await slack.press(button(preview["blocks"], "Versturen"))
    await slack.settle_outbox()
    posted = slack.posts("C0ALG")
    assert len(posted) == 1
    post = posted[0].args
    assert "Nieuw rooster" in post["text"] and "Vanaf *maandag*." in post["text"]
    assert post["metadata"]["event_type"] == EVENT_TYPE
    assert post["metadata"]["event_payload"]["delivery_id"]
    read = button(post["blocks"], "Gelezen")

    ts = slack.fake.history["C0ALG"][0].ts
    thanks_hook = await slack.press(read, user="U0BRAM", message_ts=ts)
    thanks = slack.answers(thanks_hook)
    assert thanks and "gelezen hebt" in thanks[0]["text"], slack.fake.responses
    assert thanks[0]["response_type"] == "ephemeral"  # only Bram sees it
    assert len(slack.posts("C0ALG")) == 1


async def test_compose_form_as_modal(slack: SlackHarness) -> None:
    await slack.command("announce form", trigger_id="trig-form")
    opened = await slack.fake.wait_for("views.open")
    assert opened[0].args["trigger_id"] == "trig-form"
    view = opened[0].args["view"]
    names = {b["block_id"] for b in view["blocks"] if b["type"] == "input"}
    assert {"title", "body", "targets"} <= names, names
    values = fill(view, title="Kantine dicht", body="Vrijdag is de kantine dicht.",
                  targets="slack:C0ALG")
    await slack.submit(view, values)
    ephemeral = await slack.fake.wait_for("chat.postEphemeral")
    assert "Voorbeeld van aankondiging" in ephemeral[0].args["text"]
    assert "Kantine dicht" in ephemeral[0].args["text"]
    assert ephemeral[0].args["channel"] == "C0ALG" and ephemeral[0].args["user"] == "U0ANNA"


async def test_people_without_the_comms_role_are_refused(slack: SlackHarness) -> None:
    hook = await slack.command('announce new --title "x" --body "y" --to slack:C0ALG',
                               user="U0TESS")
    await slack.fake.wait_for_response()
    assert "communicatie" in slack.answers(hook)[0]["text"]


async def test_reach_report_counts_the_reactions_in_slack(slack: SlackHarness) -> None:
    hook = await slack.command(
        'announce new --title "Borrel" --body "Vrijdag om vier." --to slack:C0ALG')
    await slack.fake.wait_for_response()
    await slack.press(button(slack.answers(hook)[0]["blocks"], "Versturen"))
    await slack.settle_outbox()
    ts = slack.fake.history["C0ALG"][0].ts
    slack.fake.react("C0ALG", ts, "tada", "U0BRAM", "U0TESS")
    slack.fake.react("C0ALG", ts, "+1", "U0BRAM")

    stats = await slack.command("announce stats 1")
    await slack.fake.wait_for_response(2)
    text = slack.answers(stats)[0]["text"]
    row = next(line for line in text.splitlines() if line.startswith("slack:"))
    assert row.split()[-1] == "3", text
    assert "Reacties (emoji): 3 in totaal." in text
    assert slack.fake.called("reactions.get")[0].args["timestamp"] == ts
