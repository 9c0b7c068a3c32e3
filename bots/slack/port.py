"""SlackPort: the ChatPort for Slack (chat.postMessage, chat.update, conversations.*), plus
the optional extras ``find_user_by_email``, ``find_delivery`` and ``reaction_count``.

Every post carries message metadata ``hartslag_delivery`` with the outbox row id, because
Slack has no idempotency key: after a crash or a timeout ``find_delivery`` looks the delivery
id up in the channel's recent history before the outbox decides to post again.

A public channel posted to without an invite (chat:write.public) answers ``not_in_channel``
to conversations.history: the lookup then joins it (conversations.join, scope channels:join)
and reads again. Joining happens only for such a lookup, never before a post. Lookups use a
client without 429 retries: a 429 goes up at once so the outbox blocks only lookups.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bots.slack.blocks import message_blocks, message_text
from bots.slack.capabilities import CAPABILITIES
from bots.slack.client import delivery_error, error_code, lookup_client, refused
from bots.slack.groups import open_group
from commands.model import Address, MessageRef, OutgoingMessage, UserRef
from commands.port import Capabilities, DeliveryError

log = logging.getLogger("hartslag.slack")

EVENT_TYPE = "hartslag_delivery"


def metadata(message: OutgoingMessage, delivery_id: str | None) -> dict[str, Any] | None:
    payload: dict[str, Any] = {str(k): str(v) for k, v in message.metadata.items()}
    if delivery_id:
        payload["delivery_id"] = delivery_id
    if not payload:
        return None
    return {"event_type": EVENT_TYPE, "event_payload": payload}


class SlackPort:
    """Outbound Slack. ``workspace`` names the team of the bot token (one token, one team)."""

    def __init__(self, client: AsyncWebClient, *, poster: AsyncWebClient | None = None,
                 workspace: str = "", history_lookback: int = 200) -> None:
        self.client = client
        self._poster = poster or client  # retries 429 only (see bots.slack.client)
        self._lookup = lookup_client(client)  # no 429 retries (the outbox blocks the scope)
        self.workspace = workspace
        self.bot_user: str | None = None  # left out of member lists (set from auth.test)
        self._lookback = history_lookback

    def capabilities(self, platform: str) -> Capabilities:
        return CAPABILITIES if platform == "slack" else Capabilities()

    async def _call(self, method: str, **kwargs: Any) -> Any:
        try:
            return await self.client.api_call(method, json=kwargs)
        except (SlackApiError, SlackClientError, OSError, TimeoutError) as exc:
            error = delivery_error(exc, method=method)
            log.warning("slack call failed", extra={"method": method, "reason": error.reason,
                                                    "permanent": error.permanent})
            raise error from exc

    async def _post_message(self, **kwargs: Any) -> Any:
        """chat.postMessage. ``DeliveryError`` only when Slack refused; after a 5xx or a lost
        connection the original error propagates: the outbox treats that as ambiguous."""
        try:
            return await self._poster.api_call("chat.postMessage", json=kwargs)
        except SlackApiError as exc:
            if refused(exc):
                raise delivery_error(exc, method="chat.postMessage") from exc
            raise

    async def _get(self, method: str, **params: Any) -> Any:
        try:
            return await self.client.api_call(method, http_verb="GET", params=params)
        except (SlackApiError, SlackClientError, OSError, TimeoutError) as exc:
            raise delivery_error(exc, method=method) from exc

    async def send(
        self, address: Address, message: OutgoingMessage, *, delivery_id: str | None = None
    ) -> MessageRef:
        """Post to a channel (or thread); a chart follows as an uploaded file."""
        args: dict[str, Any] = {"channel": address.channel, "text": message_text(message),
                                "blocks": message_blocks(message), "unfurl_links": False}
        if address.thread:
            args["thread_ts"] = address.thread
        meta = metadata(message, delivery_id)
        if meta:
            args["metadata"] = meta
        result = await self._post_message(**args)
        channel = str(result.get("channel") or address.channel)
        ref = MessageRef(Address("slack", address.workspace or self.workspace, channel,
                                 address.thread), str(result["ts"]))
        if message.image is not None:
            try:
                await self.upload(ref.address, message.image.png,
                                  filename=message.image.filename,
                                  alt_text=message.image.alt_text)
            except DeliveryError as exc:
                # The post exists: raising would make the outbox post it again.
                log.warning("slack chart upload failed", extra={"reason": exc.reason})
        return ref

    async def upload(self, address: Address, data: bytes, *, filename: str, alt_text: str) -> str:
        """files.getUploadURLExternal + upload + files.completeUploadExternal (upload v2)."""
        try:
            result = await self.client.files_upload_v2(
                channel=address.channel, thread_ts=address.thread, content=data,
                filename=filename, title=alt_text[:250], alt_txt=alt_text[:1000],
            )
        except (SlackApiError, SlackClientError, OSError, TimeoutError) as exc:
            raise delivery_error(exc, method="files.upload") from exc
        files = result.get("files") or [{}]
        return str(files[0].get("id", ""))

    async def open_direct(self, user: UserRef) -> str:
        result = await self._call("conversations.open", users=user.id)
        return str(result["channel"]["id"])

    async def send_direct(
        self, user: UserRef, message: OutgoingMessage, *, delivery_id: str | None = None
    ) -> MessageRef:
        channel = await self.open_direct(user)
        address = Address("slack", user.workspace or self.workspace, channel)
        return await self.send(address, message, delivery_id=delivery_id)

    async def update(self, ref: MessageRef, message: OutgoingMessage) -> None:
        await self._call("chat.update", channel=ref.address.channel, ts=ref.message_id,
                         text=message_text(message), blocks=message_blocks(message))

    async def post_ephemeral(self, address: Address, user_id: str,
                             message: OutgoingMessage) -> None:
        args: dict[str, Any] = {"channel": address.channel, "user": user_id,
                                "text": message_text(message), "blocks": message_blocks(message)}
        if address.thread:
            args["thread_ts"] = address.thread
        await self._call("chat.postEphemeral", **args)

    async def members(self, address: Address) -> Sequence[UserRef] | None:
        """Every member of the channel (conversations.members, followed page by page)."""
        people: list[UserRef] = []
        cursor = ""
        for _ in range(1000):  # 200 per page: far beyond any real channel, never endless
            params: dict[str, Any] = {"channel": address.channel, "limit": 200}
            if cursor:
                params["cursor"] = cursor
            result = await self._get("conversations.members", **params)
            workspace = address.workspace or self.workspace
            people += [UserRef("slack", str(m), workspace=workspace)
                       for m in result.get("members") or [] if m != self.bot_user]
            cursor = str((result.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                break
        return people

    async def reaction_count(self, ref: MessageRef) -> int | None:
        """All emoji reactions on a posted message (reactions.get, scope reactions:read), for
        the announcement reach report. Each person counts once per emoji."""
        result = await self._get("reactions.get", channel=ref.address.channel,
                                 timestamp=ref.message_id, full="true")
        message = result.get("message") or {}
        return sum(int(r.get("count") or 0) for r in message.get("reactions") or [])

    async def open_group(self, users: Sequence[UserRef], *, name: str) -> Address:
        """The group DM of ``users`` (commands.port.GroupPort; verbinden introductions)."""
        return await open_group(self.client, users, workspace=self.workspace)

    async def find_user_by_email(self, email: str) -> UserRef | None:
        """users.lookupByEmail (scope users:read.email): the person behind a work e-mail, for
        the notices directory. None when Slack knows no such (active) person."""
        try:
            result = await self.client.api_call("users.lookupByEmail", http_verb="GET",
                                                params={"email": email})
        except SlackApiError as exc:
            if refused(exc) and error_code(exc) in ("users_not_found", "user_not_found"):
                return None
            raise delivery_error(exc, method="users.lookupByEmail") from exc
        except (SlackClientError, OSError, TimeoutError) as exc:
            raise delivery_error(exc, method="users.lookupByEmail") from exc
        user = result.get("user") or {}
        if not user.get("id") or user.get("deleted") or user.get("is_bot"):
            return None
        profile = user.get("profile") or {}
        name = str(profile.get("display_name") or profile.get("real_name") or user.get("name")
                   or "")
        return UserRef("slack", str(user["id"]), name,
                       workspace=str(user.get("team_id") or self.workspace))

    async def find_delivery(self, target: Address | UserRef,
                            delivery_id: str) -> MessageRef | None:
        """The message posted for ``delivery_id`` in the recent history, if any (crash
        reconciliation). A person's DM is opened first (conversations.open is idempotent)."""
        if isinstance(target, UserRef):
            opened = await self._lookup_call("conversations.open", "POST", users=target.id)
            address = Address("slack", target.workspace or self.workspace,
                              str(opened["channel"]["id"]))
        else:
            address = target
        channel = address.channel
        method = "conversations.replies" if address.thread else "conversations.history"
        params: dict[str, Any] = {"channel": channel, "include_all_metadata": True,
                                  "limit": min(self._lookback, 200)}
        if address.thread:
            params["ts"] = address.thread
        seen, cursor = 0, ""
        while seen < self._lookback:
            if cursor:
                params["cursor"] = cursor
            result = await self._history(method, params)
            messages = result.get("messages") or []
            for item in messages:
                meta = item.get("metadata") or {}
                payload = meta.get("event_payload") or {}
                if meta.get("event_type") == EVENT_TYPE and payload.get("delivery_id") == delivery_id:
                    found = Address("slack", address.workspace or self.workspace, channel,
                                    address.thread)
                    return MessageRef(found, str(item["ts"]))
            seen += len(messages)
            cursor = str((result.get("response_metadata") or {}).get("next_cursor") or "")
            if not messages or not cursor:
                return None
        return None


    async def _lookup_call(self, method: str, verb: str, **params: Any) -> Any:
        try:
            if verb == "GET":
                return await self._lookup.api_call(method, http_verb="GET", params=params)
            return await self._lookup.api_call(method, json=params)
        except (SlackApiError, SlackClientError, OSError, TimeoutError) as exc:
            raise delivery_error(exc, method=method) from exc

    async def _history(self, method: str, params: dict[str, Any]) -> Any:
        """One page of history; a public channel the bot is not in is joined first."""
        try:
            return await self._lookup_call(method, "GET", **params)
        except DeliveryError as exc:
            if not exc.reason.endswith(": not_in_channel"):
                raise
        await self._lookup_call("conversations.join", "POST", channel=params["channel"])
        log.info("joined a public channel to look a delivery up")
        return await self._lookup_call(method, "GET", **params)


__all__ = ["CAPABILITIES", "EVENT_TYPE", "DeliveryError", "SlackPort"]
