"""Manager summaries on Slack: after a pulse round closes, a manager asks for the summary and
gets it privately (the chart uploaded as a file where it is posted), others are refused, and
the weekly summary arrives as a DM."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.pulse.conftest import PULSE_KEY
from tests.slack.conftest import SlackHarness
from tests.slack.test_feature_pulse import PEOPLE, create_and_invite, invite_and_open


@pytest.fixture
def slack_sections() -> dict[str, Any]:
    teams = {"zorg": {"members": [f"slack:{p}" for p in PEOPLE], "managers": ["slack:U0MILA"]}}
    return {"roles": {"admin": ["slack:U0ANNA"], "comms": ["slack:U0ANNA"], "triage": [],
                      "managers": {}},
            "pulse": {"key": PULSE_KEY, "teams": teams}}


async def _closed_round_with_answers(slack: SlackHarness) -> None:
    from tests.slack.conftest import fill

    await create_and_invite(slack)
    for number, person in enumerate(PEOPLE):
        _, view = await invite_and_open(slack, person)
        likert = view["blocks"][0]["element"]["options"][number % 5]["value"]
        single = view["blocks"][1]["element"]["options"][0]["value"]
        await slack.submit(view, fill(view, q0=likert, q1=single), user=person)
    await slack.advance(timedelta(days=2, hours=1))


async def test_manager_gets_the_summary_others_are_refused(slack: SlackHarness) -> None:
    await _closed_round_with_answers(slack)
    hook = await slack.command("summary zorg", user="U0MILA")
    await slack.settle_outbox()
    answers = slack.answers(hook)
    texts = [a["text"] for a in answers] + [c.args["text"] for c in slack.posts("D0MILA")]
    assert any("Samenvatting zorg" in t for t in texts), texts
    charts = slack.fake.called("files.completeUploadExternal")
    # An ephemeral answer carries no file: the trend chart goes to Mila's DM as an upload.
    assert charts and charts[-1].args["channel_id"] == "D0MILA"

    refused = await slack.command("summary zorg", user="U0BRAM")
    assert "leidinggevende" in slack.answers(refused)[0]["text"]


async def test_weekly_summary_is_a_dm_with_the_chart_as_a_file(slack: SlackHarness) -> None:
    await _closed_round_with_answers(slack)
    await slack.command("summary weekly zorg on", user="U0MILA")
    uploads = len(slack.fake.called("files.completeUploadExternal"))
    await slack.advance(timedelta(days=5))  # to Monday 09:00 and past
    to_mila = slack.posts("D0MILA")
    assert to_mila and "Samenvatting zorg" in to_mila[-1].args["text"]
    completed = slack.fake.called("files.completeUploadExternal")[uploads:]
    # The trend chart travels as an uploaded file in the same DM.
    assert completed and completed[0].args["channel_id"] == "D0MILA"
