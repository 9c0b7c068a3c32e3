"""Slack behind the real delivery engine: a fan-out to a channel and a person goes through the
outbox and the Slack port once per row (429 honoured), and a post whose answer got lost is
found again by its delivery metadata instead of being posted twice."""

from __future__ import annotations

from datetime import timedelta

from commands.delivery import Delivery
from commands.model import Address, OutgoingMessage, UserRef
from tests.slack.conftest import SlackHarness

CHANNEL = Address("slack", "T0HART", "C0ALG")
BRAM = UserRef("slack", "U0BRAM", workspace="T0HART")


async def test_fan_out_through_the_outbox(slack: SlackHarness) -> None:
    message = OutgoingMessage("**Mededeling**: nieuwe huisregels")
    slack.fake.rate_limit("chat.postMessage", retry_after=1)
    await slack.app.outbox.enqueue([Delivery(message, address=CHANNEL),
                                    Delivery(message, user=BRAM)], batch="b-1")
    await slack.settle_outbox()
    report = await slack.app.outbox.report("b-1")
    assert (report.total, report.sent, report.failed) == (2, 2, 0)
    landed = [m for channel in ("C0ALG", "D0BRAM") for m in slack.fake.history[channel]]
    assert len(landed) == 2  # the 429 was retried after Retry-After, nothing twice
    assert len(slack.posts()) == 3
    ids = {m.metadata["event_payload"]["delivery_id"] for m in landed if m.metadata}
    assert ids == {item.delivery_id for item in report.items}
    for item in report.items:
        target: Address | UserRef = CHANNEL if item.target.startswith("slack://") else BRAM
        found = await slack.adapter.port.find_delivery(target, item.delivery_id)
        assert found is not None and item.message is not None
        assert found.message_id == item.message.message_id


async def test_a_post_whose_answer_was_lost_is_not_posted_twice(slack: SlackHarness) -> None:
    # Slack posted it, but the answer was a 503: the row is ambiguous, and reconciliation
    # finds the post by its delivery metadata.
    slack.fake.fail("chat.postMessage", "", status=503, lands=True)
    await slack.app.outbox.enqueue([Delivery(OutgoingMessage("Eenmalig"), address=CHANNEL)],
                                   batch="b-2")
    await slack.settle_outbox()
    for _ in range(10):
        report = await slack.app.outbox.report("b-2")
        if report.sent:
            break
        await slack.advance(timedelta(minutes=2))
    assert report.sent == 1, report
    assert len(slack.fake.history["C0ALG"]) == 1
    assert slack.fake.called("conversations.history")


async def test_a_missing_channel_fails_the_row_for_good(slack: SlackHarness) -> None:
    slack.fake.fail("chat.postMessage", "channel_not_found")
    await slack.app.outbox.enqueue([Delivery(OutgoingMessage("x"),
                                             address=Address("slack", "T0HART", "C0GONE"))],
                                   batch="b-3")
    await slack.settle_outbox()
    report = await slack.app.outbox.report("b-3")
    assert (report.sent, report.failed) == (0, 1)
    assert len(slack.fake.called("chat.postMessage")) == 1  # not retried
