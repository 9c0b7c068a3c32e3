"""Issue 18 against the real slack_sdk and the fake Web API: a post to a public channel the
bot is not in is reconciled (joined, then looked up), one that cannot be looked up is
settled by rule and its author told; a 429 on chat.postMessage holds every channel of the
workspace; a 429 on conversations.history holds lookups only and is not slept off."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import timedelta
from typing import Any

import pytest

from commands.delivery import Delivery
from commands.model import Address, OutgoingMessage
from storage.outbox import OutboxRepository
from tests.slack.conftest import AppFactory, SlackHarness
from tests.slack.fake_slack import FakeSlack, _ApiError


class MembershipSlack(FakeSlack):
    """Channel membership as Slack has it: history of a public channel the bot was not
    invited to answers ``not_in_channel`` until conversations.join; private channels
    cannot be joined."""

    def __init__(self) -> None:
        super().__init__()
        self.public: set[str] = set()
        self.private: set[str] = set()
        self.joined: set[str] = set()

    def _m_conversations_history(self, args: Mapping[str, Any]) -> dict[str, Any]:
        name = str(args["channel"])
        if name in self.private or (name in self.public and name not in self.joined):
            raise _ApiError("not_in_channel")
        return super()._m_conversations_history(args)

    def _m_conversations_join(self, args: Mapping[str, Any]) -> dict[str, Any]:
        name = str(args["channel"])
        if name in self.private:
            raise _ApiError("method_not_supported_for_channel_type")
        self.joined.add(name)
        return {"channel": {"id": name}}


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with MembershipSlack() as slack:
        slack.add_user("U0ANNA", "Anna", locale="nl-NL")
        yield slack


@pytest.fixture
async def slack(make_slack_app: AppFactory, fake_slack: FakeSlack) -> SlackHarness:
    # No 429 retries inside the SDK: the outbox honours Retry-After per scope.
    return SlackHarness(await make_slack_app.start(rate_limit_retries=0), fake_slack)


def to(name: str) -> Delivery:
    return Delivery(OutgoingMessage(f"Mededeling voor {name}"),
                    address=Address("slack", "T0HART", name))


async def settle_over(slack: SlackHarness, batch: str, minutes: int = 30) -> None:
    for _ in range(minutes // 2):
        report = await slack.app.outbox.report(batch)
        if not report.pending:
            return
        await slack.advance(timedelta(minutes=2))


async def test_a_lost_answer_in_a_public_channel_is_found_after_joining(
    slack: SlackHarness,
) -> None:
    fake = slack.fake
    assert isinstance(fake, MembershipSlack)
    fake.public.add("C0PUB")
    fake.fail("chat.postMessage", "", status=503, lands=True)  # posted; the answer was lost
    await slack.app.outbox.enqueue([to("C0PUB")], batch="pub")
    await slack.settle_outbox()
    await settle_over(slack, "pub")
    report = await slack.app.outbox.report("pub")
    assert (report.sent, report.uncertain) == (1, 0), report
    assert len(fake.history["C0PUB"]) == 1  # found again, not posted twice
    assert len(fake.called("conversations.join")) == 1


async def test_a_row_that_cannot_be_looked_up_is_settled_and_the_author_told(
    slack: SlackHarness,
) -> None:
    fake = slack.fake
    assert isinstance(fake, MembershipSlack)
    fake.private.add("C0PRIV")
    fake.fail("chat.postMessage", "", status=503, lands=True)
    await slack.app.outbox.enqueue([to("C0PRIV")], batch="priv", owner="slack:U0ANNA")
    await slack.settle_outbox()
    await settle_over(slack, "priv", minutes=120)
    report = await slack.app.outbox.report("priv")
    assert (report.sent, report.uncertain, report.pending) == (0, 1, 0), report
    assert len(fake.history["C0PRIV"]) == 1  # not resent
    [row] = await OutboxRepository(slack.app.db).rows("priv")
    assert row.attempts == 1 and row.lookups >= 1
    [notice] = fake.history["D0ANNA"]
    assert "priv" in notice.text and "onzeker" in notice.text


async def test_a_429_on_chat_post_message_holds_the_whole_workspace(
    slack: SlackHarness,
) -> None:
    fake = slack.fake
    fake.rate_limit("chat.postMessage", retry_after=2)
    await slack.app.outbox.enqueue([to("C0A")], batch="first")
    await slack.settle_outbox()
    await slack.app.outbox.enqueue([to("C0B"), to("C0C")], batch="others")
    await slack.settle_outbox()
    assert len(slack.posts()) == 1  # only the refused one: C0B and C0C wait out Retry-After
    await slack.advance(timedelta(seconds=4))
    assert {c.args["channel"] for c in slack.posts()} == {"C0A", "C0B", "C0C"}
    assert len(slack.posts()) == 4


async def test_a_429_on_history_holds_lookups_only(slack: SlackHarness) -> None:
    fake = slack.fake
    fake.fail("chat.postMessage", "", status=503, lands=True)
    await slack.app.outbox.enqueue([to("C0A")], batch="old")
    await slack.settle_outbox()
    fake.rate_limit("conversations.history", retry_after=3)
    await slack.advance(timedelta(minutes=5))  # the lookup gets the 429
    await slack.app.outbox.enqueue([to(f"C0N{i}") for i in range(3)], batch="new")
    await slack.settle_outbox()
    assert (await slack.app.outbox.report("new")).sent == 3
    assert len(fake.called("conversations.history")) == 1  # not slept off and retried
    [row] = await OutboxRepository(slack.app.db).rows("old")
    assert (row.state, row.attempts, row.lookups) == ("ambiguous", 1, 0)
    await slack.advance(timedelta(seconds=5))
    assert (await slack.app.outbox.report("old")).sent == 1
    assert len(fake.history["C0A"]) == 1
