"""Deliver a handler's Reply natively: modal, ephemeral, update in place, or a post.

- ``form``: views.open with the request's trigger id (valid ~3 s and once, so the modal is
  opened as soon as the handler answers); the text fallback is used when that fails.
- ``replace``: chat.update of the source message (an ephemeral source via its response_url).
- ``private``: the response_url as an ephemeral reply, else chat.postEphemeral; in the bot's
  DM an ordinary post (a DM is private already).
- otherwise the response_url ``in_channel`` or a post in the channel (in a mention's thread).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest as RetryRequest
from slack_sdk.http_retry.response import HttpResponse as RetryResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.internal_utils import get_user_agent

from bots.slack.blocks import message_blocks, message_text, modal
from bots.slack.client import error_code
from bots.slack.port import SlackPort
from bots.slack.translate import Origin
from commands.model import Address, MessageRef, OutgoingMessage, Reply, UserRef
from commands.port import DeliveryError

log = logging.getLogger("hartslag.slack")

# What slack_sdk's AsyncWebhookClient sends, computed once (it built both per answer).
_HEADERS = {"Content-Type": "application/json;charset=utf-8", "User-Agent": get_user_agent()}
_MAX_TRIES = 20  # a bound of our own besides the retry handlers' counts
_BODIES = 128  # rendered response_url bodies kept (see ReplyDeliverer._body)


class ReplyDeliverer:
    def __init__(self, port: SlackPort) -> None:
        self._port = port
        self._session: aiohttp.ClientSession | None = None
        self._bodies: dict[tuple[Any, ...], bytes] = {}

    def _http(self) -> aiohttp.ClientSession:
        """One HTTP session (and connection pool) for every response_url answer. Without it
        slack_sdk opened a session and a new TLS connection per answer: a vote burst's
        replies cost more CPU than the votes themselves (benchmarks/votes.py). No cookie
        jar: response_urls set none, and the jar was matched against every answer's URL."""
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(total=self._port.client.timeout)
            self._session = aiohttp.ClientSession(timeout=timeout,
                                                  cookie_jar=aiohttp.DummyCookieJar())
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
        status = await post_json(self._http(), url, self._body(message, extra),
                                 self._port.client.retry_handlers)
        if status >= 400:
            raise DeliveryError(f"slack response_url: http_{status}")

    def _body(self, message: OutgoingMessage, extra: dict[str, Any]) -> bytes:
        """The JSON of a response_url answer, rendered once per distinct message: a burst of
        votes gets the same thanks (or the same next question) thousands of times, and
        rendering it (Markdown to mrkdwn twice, blocks, JSON) was about 5% of the server's
        samples per vote. Keyed by what the body is made of, never by who gets it."""
        key = (message.markdown, message.title, message.choices, *sorted(extra.items()))
        found = self._bodies.get(key)
        if found is None:
            body = {"text": message_text(message), "blocks": message_blocks(message), **extra}
            found = json.dumps(body).encode()
            if len(self._bodies) >= _BODIES:
                self._bodies.clear()
            self._bodies[key] = found
        return found

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


async def post_json(session: aiohttp.ClientSession, url: str, data: bytes,
                    handlers: Sequence[AsyncRetryHandler]) -> int:
    """POST the JSON ``data`` to a response_url; the final HTTP status. What slack_sdk's
    ``AsyncWebhookClient.send`` does, with the same retry handlers (429 after Retry-After,
    5xx, dropped connections), without its per-answer costs: a client object per URL, the
    proxy read from the environment and the user agent built on every answer, and a debug
    line formatted with the whole body whether or not debug logging is on (the reply was
    13-24% of the server's py-spy samples at 300 votes/s). A connection that fails after
    the retries is a ``DeliveryError`` (its type only)."""
    state = RetryState()
    for _ in range(_MAX_TRIES):
        response: RetryResponse | None = None
        error: Exception | None = None
        try:
            async with session.post(url, data=data, headers=_HEADERS) as answer:
                content = await answer.read()
                if answer.status < 400:
                    return answer.status
                response = RetryResponse(status_code=answer.status,
                                         headers=dict(answer.headers), data=content)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            error = exc
        if not await _retry(handlers, state, url, data, response, error):
            if response is not None:
                return response.status_code
            raise DeliveryError(f"slack response_url: {type(error).__name__}") from None
    raise DeliveryError("slack response_url: too many retries")


async def _retry(handlers: Sequence[AsyncRetryHandler], state: RetryState, url: str,
                 data: bytes, response: RetryResponse | None,
                 error: Exception | None) -> bool:
    """Whether a handler takes this failure (it sleeps as it sees fit), as slack_sdk asks."""
    request = RetryRequest(method="POST", url=url, headers=dict(_HEADERS), data=data)
    state.next_attempt_requested = False
    for handler in handlers:
        if await handler.can_retry_async(state=state, request=request, response=response,
                                         error=error):
            await handler.prepare_for_next_attempt_async(state=state, request=request,
                                                         response=response, error=error)
            return state.next_attempt_requested
    return False
