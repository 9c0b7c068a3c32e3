"""The real bolt app served over HTTP on 127.0.0.1 against the fake Slack Web API."""

from __future__ import annotations

import json
import time

import pytest

from bots.app import App
from bots.config import ConfigError
from commands.model import FormSubmission, Interaction
from tests.slack.conftest import AppFactory, Demo, SlackSender, slack_adapter
from tests.slack.fake_slack import FakeSlack
from tests.slack.signed import (
    block_actions,
    slash_command,
    view_submission,
)


async def test_help_in_dutch_by_default(slack_app: App, fake_slack: FakeSlack) -> None:
    sender = SlackSender(slack_app)
    response = await sender.post(slash_command("help", response_url=fake_slack.response_url()))
    assert response.status_code == 200
    await fake_slack.wait_for_response()
    _hook, body = fake_slack.responses[0]
    assert body["response_type"] == "ephemeral"
    assert "wat je hier kunt doen" in body["text"]
    assert body["blocks"][0]["type"] == "section"


async def test_help_in_english_for_an_english_slack_user(
    slack_app: App, fake_slack: FakeSlack
) -> None:
    sender = SlackSender(slack_app)
    body = slash_command("", user="U0ERIK", response_url=fake_slack.response_url())
    assert (await sender.post(body)).status_code == 200
    await fake_slack.wait_for_response()
    assert "what you can do here" in fake_slack.responses[0][1]["text"]


async def test_public_reply_with_buttons_then_a_press_updates_in_place(
    slack_app: App, fake_slack: FakeSlack, demo: Demo
) -> None:
    sender = SlackSender(slack_app)
    await sender.post(slash_command("demo", response_url=fake_slack.response_url()))
    await fake_slack.wait_for_response()
    posted = fake_slack.responses[0][1]
    assert posted["response_type"] == "in_channel"
    buttons = posted["blocks"][-1]["elements"]
    assert [b["action_id"] for b in buttons] == ["demo.vote", "demo.vote#1"]
    assert [b["value"] for b in buttons] == ["1", "2"]
    assert "*nu*" in posted["text"]

    press = block_actions("demo.vote#1", "2", message_ts="1700000000.000042",
                          response_url=fake_slack.response_url("r2"))
    assert (await sender.post(press)).status_code == 200
    calls = await fake_slack.wait_for("chat.update")
    assert calls[0].args["channel"] == "C0ALG"
    assert calls[0].args["ts"] == "1700000000.000042"
    assert "Gestemd: 2" in calls[0].args["text"]
    interaction = demo.seen[-1]
    assert isinstance(interaction, Interaction)
    assert (interaction.action, interaction.value) == ("demo.vote", "2")
    assert interaction.user.key == "slack:U0ANNA"
    assert interaction.user.display_name == "Anna"


async def test_unknown_button_is_answered_politely(slack_app: App, fake_slack: FakeSlack) -> None:
    sender = SlackSender(slack_app)
    press = block_actions("gone.action", "x", response_url=fake_slack.response_url())
    assert (await sender.post(press)).status_code == 200
    await fake_slack.wait_for_response()
    assert "werkt niet meer" in fake_slack.responses[0][1]["text"]


async def test_form_opens_a_modal_and_the_submission_reaches_the_feature(
    slack_app: App, fake_slack: FakeSlack, demo: Demo
) -> None:
    sender = SlackSender(slack_app)
    await sender.post(slash_command("demo form", trigger_id="trig-42",
                                    response_url=fake_slack.response_url()))
    opened = await fake_slack.wait_for("views.open")
    view = opened[0].args["view"]
    assert opened[0].args["trigger_id"] == "trig-42"
    assert view["callback_id"] == "demo.form"
    assert [b["block_id"] for b in view["blocks"]] == ["title", "kind"]
    assert fake_slack.responses == []  # the modal replaced the text fallback

    values = {"title": {"type": "plain_text_input", "value": "Nieuw <!channel> rooster"},
              "kind": {"type": "static_select", "selected_option": {"value": "b"}}}
    response = await sender.post(view_submission("demo.form", values,
                                                 private_metadata=view["private_metadata"]))
    assert response.status_code == 200
    ephemeral = await fake_slack.wait_for("chat.postEphemeral")
    submission = demo.seen[-1]
    assert isinstance(submission, FormSubmission)
    assert submission.values == {"title": "Nieuw <!channel> rooster", "kind": "b"}
    assert submission.state == "s-1"
    assert ephemeral[0].args["channel"] == "C0ALG"
    assert ephemeral[0].args["user"] == "U0ANNA"
    # User text is escaped: no mass mention reaches Slack.
    assert "&lt;!channel&gt;" in ephemeral[0].args["text"]
    assert "<!channel>" not in json.dumps(ephemeral[0].args)


async def test_bad_signature_is_401_without_side_effects(
    slack_app: App, fake_slack: FakeSlack, demo: Demo
) -> None:
    sender = SlackSender(slack_app)
    before = len(fake_slack.calls)  # auth.test at start
    body = slash_command("demo", response_url=fake_slack.response_url())
    response = await sender.post(body, secret="not-the-secret")
    assert response.status_code == 401
    tampered = await sender.post(body, headers={"X-Slack-Signature": "v0=" + "0" * 64})
    assert tampered.status_code == 401
    await slack_adapter(slack_app).drain()
    assert demo.seen == []
    assert len(fake_slack.calls) == before
    assert fake_slack.responses == []


async def test_old_timestamp_is_401_without_side_effects(
    slack_app: App, fake_slack: FakeSlack, demo: Demo
) -> None:
    sender = SlackSender(slack_app)
    before = len(fake_slack.calls)
    body = slash_command("demo", response_url=fake_slack.response_url())
    response = await sender.post(body, timestamp=int(time.time()) - 6 * 60)
    assert response.status_code == 401
    await slack_adapter(slack_app).drain()
    assert len(fake_slack.calls) == before
    assert demo.seen == []
    assert fake_slack.responses == []


async def test_malformed_payload_does_not_crash_the_app(
    slack_app: App, fake_slack: FakeSlack
) -> None:
    sender = SlackSender(slack_app)
    response = await sender.post("payload=%7Bnot-json")
    assert response.status_code in (400, 404)
    again = await sender.post(slash_command("help", response_url=fake_slack.response_url()))
    assert again.status_code == 200
    await fake_slack.wait_for_response()


async def test_replace_falls_back_to_the_response_url(
    slack_app: App, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.update", "cant_update_message")
    press = block_actions("demo.vote", "1", response_url=fake_slack.response_url("r9"))
    assert (await SlackSender(slack_app).post(press)).status_code == 200
    await fake_slack.wait_for_response()
    hook, body = fake_slack.responses[0]
    assert hook == "r9" and body["replace_original"] is True
    assert "Gestemd: 1" in body["text"]


async def test_the_ack_comes_before_the_work(slack_app: App, fake_slack: FakeSlack) -> None:
    # Slack retries what is not acknowledged within 3 s: the answer must not wait for work.
    fake_slack.slow("users.info", 1.0)
    response = await SlackSender(slack_app).post(
        slash_command("help", user="U0MILA", response_url=fake_slack.response_url()))
    assert response.status_code == 200
    assert fake_slack.responses == []  # acknowledged while the work was still running
    await fake_slack.wait_for_response()
    assert "wat je hier kunt doen" in fake_slack.responses[0][1]["text"]


async def test_a_rejected_token_is_reported_naming_the_key(
    make_slack_app: AppFactory, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("auth.test", "invalid_auth")
    app = await make_slack_app.start()  # the other platforms keep running
    adapter = slack_adapter(app)
    problems = await app.health()
    assert any("slack.bot_token: rejected by Slack (invalid_auth)" in p for p in problems)
    fake_slack.fail("auth.test", "invalid_auth")
    with pytest.raises(ConfigError, match=r"^slack\.bot_token: rejected by Slack"):
        await adapter.start(app.handle)


async def test_a_command_without_a_user_is_answered_politely(
    slack_app: App, demo: Demo
) -> None:
    body = slash_command("demo").replace("user_id=U0ANNA&", "")
    response = await SlackSender(slack_app).post(body)
    assert response.status_code == 200
    assert "iets mis" in response.text  # Slack shows a plain-text ack to the caller only
    await slack_adapter(slack_app).drain()
    assert demo.seen == []


async def test_a_press_is_acknowledged_after_its_handler_ran(
    slack_app: App, fake_slack: FakeSlack, demo: Demo
) -> None:
    # Slack never resends a press: the ack waits (within a budget) until the vote is handled.
    press = block_actions("demo.vote", "2", response_url=fake_slack.response_url())
    assert (await SlackSender(slack_app).post(press)).status_code == 200
    assert [type(r).__name__ for r in demo.seen] == ["Interaction"]
    await fake_slack.wait_for("chat.update")
