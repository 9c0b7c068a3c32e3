"""SlackPort (the outbound ChatPort) with the real AsyncWebClient against the fake Web API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.errors import SlackApiError

from bots.slack.client import build_client
from bots.slack.port import EVENT_TYPE, SlackPort
from bots.slack.settings import SlackSettings
from commands.model import Address, Choice, Image, MessageRef, OutgoingMessage, UserRef
from commands.port import DeliveryError
from tests.slack.fake_slack import FakeSlack

CHANNEL = Address("slack", "T0HART", "C0ALG")


@pytest.fixture
async def port(fake_slack: FakeSlack) -> AsyncIterator[SlackPort]:
    settings = SlackSettings(enabled=True, bot_token="xoxb-test", signing_secret="s",
                             api_base_url=fake_slack.base_url, rate_limit_retries=1,
                             server_error_retries=1)
    yield SlackPort(build_client(settings), poster=build_client(settings, posting=True),
                    workspace="T0HART")


async def test_send_posts_blocks_and_delivery_metadata(port: SlackPort, fake_slack: FakeSlack) -> None:
    message = OutgoingMessage("Hallo **allemaal**", choices=(Choice("ack", "1", "Gelezen"),),
                              title="Nieuws")
    ref = await port.send(CHANNEL, message, delivery_id="d-17")
    call = fake_slack.called("chat.postMessage")[0]
    assert call.token == "xoxb-test"
    assert call.args["metadata"] == {"event_type": EVENT_TYPE,
                                     "event_payload": {"delivery_id": "d-17"}}
    assert [b["type"] for b in call.args["blocks"]] == ["header", "section", "actions"]
    assert call.args["blocks"][1]["text"]["text"] == "Hallo *allemaal*"
    assert ref == MessageRef(CHANNEL, fake_slack.history["C0ALG"][0].ts)


async def test_rate_limit_waits_for_retry_after_then_succeeds(
    port: SlackPort, fake_slack: FakeSlack
) -> None:
    fake_slack.rate_limit("chat.postMessage", retry_after=1)
    await port.send(CHANNEL, OutgoingMessage("x"))
    first, second = fake_slack.called("chat.postMessage")
    # Retry-After is honoured: the SDK slept at least the second Slack asked for.
    assert second.at - first.at >= 0.95


async def test_rate_limit_beyond_the_retries_is_a_delivery_error_with_retry_after(
    port: SlackPort, fake_slack: FakeSlack
) -> None:
    fake_slack.rate_limit("chat.postMessage", retry_after=7, times=2)
    fake_slack.faults["chat.postMessage"][0].retry_after = 1  # keep the test short
    fake_slack.rate_limit("chat.postMessage", retry_after=7)
    with pytest.raises(DeliveryError) as caught:
        await port.send(CHANNEL, OutgoingMessage("x"))
    assert caught.value.retry_after is not None
    assert not caught.value.permanent
    assert len(fake_slack.called("chat.postMessage")) == 2


async def test_channel_not_found_is_permanent(port: SlackPort, fake_slack: FakeSlack) -> None:
    fake_slack.fail("chat.postMessage", "channel_not_found")
    with pytest.raises(DeliveryError) as caught:
        await port.send(CHANNEL, OutgoingMessage("x"))
    assert caught.value.permanent
    assert "channel_not_found" in caught.value.reason


async def test_server_errors_are_retried_then_transient(port: SlackPort, fake_slack: FakeSlack) -> None:
    fake_slack.fail("chat.update", "", status=503, times=2)
    with pytest.raises(DeliveryError) as caught:
        await port.update(MessageRef(CHANNEL, "1.1"), OutgoingMessage("x"))
    assert not caught.value.permanent
    assert len(fake_slack.called("chat.update")) == 2


async def test_a_5xx_on_post_is_ambiguous_and_not_retried(
    port: SlackPort, fake_slack: FakeSlack
) -> None:
    # Slack may have posted it: no blind retry, and no DeliveryError ("not posted"); the
    # outbox marks the row ambiguous and asks find_delivery first.
    fake_slack.fail("chat.postMessage", "", status=503)
    with pytest.raises(SlackApiError):
        await port.send(CHANNEL, OutgoingMessage("x"), delivery_id="d-9")
    assert len(fake_slack.called("chat.postMessage")) == 1


async def test_a_failed_chart_upload_does_not_undo_the_post(
    port: SlackPort, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("files.getUploadURLExternal", "missing_scope")
    image = Image(b"png", "alt")
    ref = await port.send(CHANNEL, OutgoingMessage("Uitslag", image=image), delivery_id="d-5")
    assert ref.message_id == fake_slack.history["C0ALG"][0].ts


async def test_send_direct_opens_the_dm_first(port: SlackPort, fake_slack: FakeSlack) -> None:
    ref = await port.send_direct(UserRef("slack", "U0ANNA", workspace="T0HART"),
                                 OutgoingMessage("hoi"), delivery_id="d-1")
    assert [c.method for c in fake_slack.calls] == ["conversations.open", "chat.postMessage"]
    assert ref.address.channel == "D0ANNA"


async def test_members_follows_every_page(port: SlackPort, fake_slack: FakeSlack) -> None:
    fake_slack.members["C0ALG"] = [f"U{i:04d}" for i in range(450)]
    fake_slack.members["C0ALG"].insert(7, "U0BOT")
    port.bot_user = "U0BOT"
    people = await port.members(CHANNEL)
    assert people is not None
    assert [p.id for p in people] == [m for m in fake_slack.members["C0ALG"] if m != "U0BOT"]
    assert len(fake_slack.called("conversations.members")) == 3
    assert people[0].key == "slack:U0000"


async def test_find_delivery_uses_message_metadata(port: SlackPort, fake_slack: FakeSlack) -> None:
    await port.send(CHANNEL, OutgoingMessage("een"), delivery_id="d-1")
    sent = await port.send(CHANNEL, OutgoingMessage("twee"), delivery_id="d-2")
    await port.send(CHANNEL, OutgoingMessage("zonder id"))
    assert await port.find_delivery(CHANNEL, "d-2") == sent
    assert await port.find_delivery(CHANNEL, "d-3") is None
    anna = UserRef("slack", "U0ANNA", workspace="T0HART")
    direct = await port.send_direct(anna, OutgoingMessage("dm"), delivery_id="d-4")
    assert await port.find_delivery(anna, "d-4") == direct
    history = fake_slack.called("conversations.history")[0]
    assert history.args["include_all_metadata"] in (True, "true", "1", 1)


async def test_chart_is_uploaded_with_files_upload_v2(port: SlackPort, fake_slack: FakeSlack) -> None:
    image = Image(b"\x89PNG fake", "Staafdiagram: 60% ja", filename="pulse.png")
    await port.send(CHANNEL, OutgoingMessage("Uitslag", image=image))
    methods = [c.method for c in fake_slack.calls]
    assert methods == ["chat.postMessage", "files.getUploadURLExternal", "upload",
                       "files.completeUploadExternal"]
    assert list(fake_slack.uploads.values()) == [b"\x89PNG fake"]
    complete = fake_slack.called("files.completeUploadExternal")[0]
    assert complete.args["channel_id"] == "C0ALG"


async def test_capabilities(port: SlackPort) -> None:
    caps = port.capabilities("slack")
    assert caps.buttons and caps.forms and caps.images and caps.private_commands


async def test_find_user_by_email(port: SlackPort, fake_slack: FakeSlack) -> None:
    fake_slack.add_user("U0SARA", "Sara", email="sara@gemeente.example")
    found = await port.find_user_by_email("Sara@gemeente.example")
    assert found is not None and (found.key, found.display_name) == ("slack:U0SARA", "Sara")
    assert await port.find_user_by_email("nobody@gemeente.example") is None
    fake_slack.fail("users.lookupByEmail", "missing_scope")
    with pytest.raises(DeliveryError) as caught:
        await port.find_user_by_email("sara@gemeente.example")
    assert caught.value.permanent


async def test_reaction_count_sums_every_emoji(port: SlackPort, fake_slack: FakeSlack) -> None:
    ref = await port.send(CHANNEL, OutgoingMessage("Nieuw rooster"))
    assert await port.reaction_count(ref) == 0
    fake_slack.react("C0ALG", ref.message_id, "+1", "U0ANNA", "U0BRAM")
    fake_slack.react("C0ALG", ref.message_id, "tada", "U0ANNA")
    assert await port.reaction_count(ref) == 3
    call = fake_slack.called("reactions.get")[-1]
    assert call.args["channel"] == "C0ALG" and call.args["timestamp"] == ref.message_id
    with pytest.raises(DeliveryError):
        await port.reaction_count(MessageRef(CHANNEL, "1.000000"))  # message_not_found
