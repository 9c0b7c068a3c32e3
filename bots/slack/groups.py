"""Group conversations on Slack: ``conversations.open`` with several users opens (or finds)
the multi-person DM of those people and the bot. Slack allows up to eight people in one; a
verbinden group has two or three. The conversation has no name on Slack; ``name`` is kept
for the port's signature (Matrix rooms take one)."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.client import delivery_error
from commands.model import Address, UserRef
from commands.port import DeliveryError

MAX_PEOPLE = 8


async def open_group(client: AsyncWebClient, users: Sequence[UserRef], *,
                     workspace: str) -> Address:
    ids = sorted({u.id for u in users if u.platform == "slack"})
    if not 2 <= len(ids) <= MAX_PEOPLE or len(ids) != len(users):
        raise DeliveryError(f"a Slack group DM takes 2 to {MAX_PEOPLE} Slack users",
                            permanent=True)
    try:
        result = await client.api_call("conversations.open", json={"users": ",".join(ids)})
    except (SlackApiError, SlackClientError, OSError, TimeoutError) as exc:
        raise delivery_error(exc, method="conversations.open") from exc
    channel = str(result["channel"]["id"])
    return Address("slack", users[0].workspace or workspace, channel)
