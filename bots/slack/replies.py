"""Deliver a handler's Reply natively: modal, ephemeral, update in place, or a post.

- ``form``: views.open with the request's trigger id (valid ~3 s and once, so the modal is
  opened as soon as the handler answers); the text fallback is used when that fails.
- ``replace``: chat.update of the source message (an ephemeral source via its response_url).
- ``private``: the response_url as an ephemeral reply, else chat.postEphemeral; in the bot's
  DM an ordinary post (a DM is private already).
- otherwise the response_url ``in_channel`` or a post in the channel (in a mention's thread).
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bots.slack.blocks import message_blocks, message_text, modal
from bots.slack.client import error_code
from bots.slack.port import SlackPort
from bots.slack.translate import Origin
from commands.model import Address, MessageRef, OutgoingMessage, Reply, UserRef
from commands.port import DeliveryError

log = logging.getLogger("hartslag.slack")


class ReplyDeliverer:
    def __init__(self, port: SlackPort) -> None:
        self._port = port
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        """One HTTP session for every response_url answer. Without it slack_sdk opened a
        session and a new TLS connection per answer: a vote burst's replies cost more CPU
        than the votes themselves (benchmarks/votes.py)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def deliver(self, reply: Reply, origin: Origin) -> None:
        """Never raises: a reply that cannot be delivered is logged (no text, no user id)."""
        try:
            await self._deliver(reply, origin)
        except (DeliveryError, SlackApiError, SlackClientError, OSError, TimeoutError) as exc:
            reason = getattr(exc, "reason", type(exc).__name__)
            log.warning("slack reply not delivered", extra={"reason": reason})

    async def _deliver(self, reply: Reply, origin: Origin) -> None:
        if reply.form is not None and origin.trigger_id and await self._open_form(reply, origin):
            return
        message = reply.message
        if message is None:
            return
        if reply.replace and origin.message_ts and origin.channel:
            await self._replace(message, origin)
            await self._chart(message, origin, private=True)
        elif reply.private:
            await self._ephemeral(message, origin)
            await self._chart(message, origin, private=True)
        elif origin.response_url:
            # Works in any channel the command came from, bot member or not.
            await self._respond(origin.response_url, message, response_type="in_channel",
                                replace_original=False)
            await self._chart(message, origin, private=False)
        else:
            await self._post(message, origin)  # the port uploads the chart itself

    async def _chart(self, message: OutgoingMessage, origin: Origin, *, private: bool) -> None:
        """Ephemeral messages and response_url answers carry no files: a chart goes to the
        person's DM with the bot (private) or the channel, as an uploaded file."""
        image = message.image
        if image is None:
            return
        if private and not origin.is_direct:
            user = UserRef("slack", origin.user, workspace=origin.team)
            address = Address("slack", origin.team, await self._port.open_direct(user))
        else:
            address = origin.address()
        await self._port.upload(address, image.png, filename=image.filename,
                                alt_text=image.alt_text)

    async def _open_form(self, reply: Reply, origin: Origin) -> bool:
        assert reply.form is not None and origin.trigger_id is not None
        try:
            await self._port.client.views_open(trigger_id=origin.trigger_id,
                                               view=modal(reply.form, channel=origin.channel))
            return True
        except (SlackApiError, SlackClientError) as exc:
            # expired_trigger_id and friends: fall back to the text the feature gave.
            log.warning("slack modal not opened", extra={"reason": error_code(exc)})
            return False

    async def _respond(self, url: str, message: OutgoingMessage, **extra: Any) -> None:
        webhook = AsyncWebhookClient(url, retry_handlers=self._port.client.retry_handlers,
                                     session=self._http())
        response = await webhook.send(text=message_text(message), blocks=message_blocks(message),
                                      **extra)
        if response.status_code >= 400:
            raise DeliveryError(f"slack response_url: http_{response.status_code}")

    async def _replace(self, message: OutgoingMessage, origin: Origin) -> None:
        if origin.ephemeral_source and origin.response_url:
            await self._respond(origin.response_url, message, replace_original=True)
            return
        assert origin.channel is not None and origin.message_ts is not None
        ref = MessageRef(Address("slack", origin.team, origin.channel), origin.message_ts)
        try:
            await self._port.update(ref, message)
        except DeliveryError as exc:
            # Messages posted through a response_url cannot always be edited with
            # chat.update (cant_update_message); their own response_url can replace them.
            if not (exc.permanent and origin.response_url):
                raise
            await self._respond(origin.response_url, message, replace_original=True)

    async def _ephemeral(self, message: OutgoingMessage, origin: Origin) -> None:
        if origin.response_url:
            await self._respond(origin.response_url, message, response_type="ephemeral",
                                replace_original=False)
        elif origin.is_direct and origin.channel:
            await self._port.send(origin.address(), message)  # the bot's DM is private already
        elif origin.channel:
            await self._port.post_ephemeral(origin.address(), origin.user, message)
        else:
            await self._port.send_direct(UserRef("slack", origin.user, workspace=origin.team),
                                         message)

    async def _post(self, message: OutgoingMessage, origin: Origin) -> None:
        if origin.channel:
            await self._port.send(origin.address(), message)
        else:
            await self._port.send_direct(UserRef("slack", origin.user, workspace=origin.team),
                                         message)
