"""``ChatPort`` for Teams: cards into stored conversations, 1:1 chats opened proactively.

Every send needs the conversation reference stored on first contact (``storage.teams``): a
conversation the bot never saw cannot be posted to, and a person can get a 1:1 message only
when the app is installed for them (personally, or in a team they belong to).
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import httpx
from microsoft_teams.api import ApiClient
from microsoft_teams.api.activities.message import MessageActivityInput
from microsoft_teams.api.clients.conversation import CreateConversationParams

from bots.teams import cards
from bots.teams.capabilities import CAPABILITIES
from bots.teams.retry import retry_after
from bots.teams.translate import PLATFORM, conversation_id_of
from commands.clock import Clock
from commands.model import Address, MessageRef, OutgoingMessage, UserRef
from commands.port import Capabilities, DeliveryError
from storage.teams import (
    ConversationRef,
    TeamsReferenceRepository,
    TeamsSentRepository,
    UserRefRow,
)

log = logging.getLogger("hartslag.teams")

_PERMANENT = {400, 401, 403, 404, 405, 413}
CACHED_CONVERSATIONS = 50_000
# Teams' message size budget, the whole activity as sent (compact JSON, UTF-8). The bot
# docs give 100 KB counted as UTF-16 (80 KB recommended; it was 40 KB), connectors and
# incoming webhooks 28 KB: 28 KB of UTF-8 is at most 56 KB of UTF-16, inside all of them.
# Sources in tests/teams/test_card_conformance.py.
MAX_ACTIVITY_BYTES = 28 * 1024
CONCURRENT_CALLS = 32


def delivery_error(exc: Exception, what: str) -> DeliveryError:
    """A connector failure as a DeliveryError: 429 carries Retry-After, 4xx is permanent."""
    if isinstance(exc, httpx.HTTPStatusError):
        status = exc.response.status_code
        return DeliveryError(f"teams {what}: HTTP {status}", retry_after=retry_after(exc.response),
                             permanent=status in _PERMANENT)
    return DeliveryError(f"teams {what}: {type(exc).__name__}")


def refused(exc: Exception) -> bool:
    """True when the connector certainly did not post: it answered with an error, or we never
    reached it. A timeout or a broken connection after sending is *not* a refusal: the post
    may exist, so the outbox must treat it as ambiguous (it gets the raw exception)."""
    return isinstance(exc, httpx.HTTPStatusError | httpx.ConnectError | httpx.ConnectTimeout)


def message_activity(card: cards.Card, *, summary: str = "") -> MessageActivityInput:
    """The activity for a card, made to fit ``MAX_ACTIVITY_BYTES``: first inline charts go
    (their alt text stays), then text is cut from the end with a note. A card that still
    does not fit (inputs or buttons alone too large) is refused here, not by Teams after
    the outbox retried it: DeliveryError, permanent."""
    def activity(content: cards.Card) -> dict[str, Any]:
        body: dict[str, Any] = {"type": "message", "attachments": [cards.attachment(content)]}
        if summary:
            body["summary"] = summary
        return body

    def size(content: cards.Card) -> int:
        return cards.json_bytes(activity(content))

    if size(card) > MAX_ACTIVITY_BYTES:
        card = copy.deepcopy(card)  # callers may hold the card (tests, invoke answers)
        if not cards.without_images(card) or size(card) > MAX_ACTIVITY_BYTES:
            cards.shortened(card, size, MAX_ACTIVITY_BYTES)
        final = size(card)
        if final > MAX_ACTIVITY_BYTES:
            raise DeliveryError(f"teams: card too large ({final} bytes > {MAX_ACTIVITY_BYTES})",
                                permanent=True)
    return MessageActivityInput.model_validate(activity(card))


def render(message: OutgoingMessage, *, execute: bool = False) -> MessageActivityInput:
    """The activity for a neutral message (``execute``: buttons as ``Action.Execute``)."""
    card = cards.message_card(message, execute=execute)
    return message_activity(card, summary=cards.plain_text(message.title or message.markdown))


class TeamsPort:
    """Outbound Teams messages through the SDK's ``ApiClient`` (with our retry middleware)."""

    def __init__(self, api: ApiClient, refs: TeamsReferenceRepository, sent: TeamsSentRepository,
                 *, clock: Clock, execute_buttons: bool = False) -> None:
        self._api = api
        self._refs = refs
        self._sent = sent
        self._clock = clock
        self._execute = execute_buttons
        self._apis: dict[str, ApiClient] = {}
        # Conversation references by conversation id: every reply needs one, and a read
        # transaction per reply was a third of a Teams vote's CPU. Bounded; the adapter keeps
        # it current from the activities it receives and drops uninstalled conversations.
        self._conversations: OrderedDict[str, ConversationRef] = OrderedDict()
        # Bot Connector calls in flight at once. httpx's connection pool matches every waiting
        # request against every connection (quadratic): with hundreds of vote replies in
        # flight that matching was 40% of the CPU. Replies wait here instead, cheaply.
        self._calls = asyncio.Semaphore(CONCURRENT_CALLS)

    def capabilities(self, platform: str) -> Capabilities:
        return CAPABILITIES

    def render(self, message: OutgoingMessage) -> MessageActivityInput:
        return render(message, execute=self._execute)

    async def render_off_loop(self, message: OutgoingMessage) -> MessageActivityInput:
        """``render``, in a worker thread when the message has a chart: re-encoding one to
        fit the card takes 0.1-0.4 s of CPU, too long to hold the event loop."""
        if message.image is None:
            return self.render(message)
        return await asyncio.to_thread(self.render, message)

    async def send(self, address: Address, message: OutgoingMessage, *,
                   delivery_id: str | None = None) -> MessageRef:
        activity = await self.render_off_loop(message)
        return await self.send_activity(address, activity, delivery_id=delivery_id)

    async def send_activity(self, address: Address, activity: MessageActivityInput, *,
                            delivery_id: str | None = None) -> MessageRef:
        """Post a prepared activity (a message or a form card) into a known conversation."""
        if delivery_id:
            found = await self.find_delivery(address, delivery_id)
            if found is not None:
                return found  # already posted: a retry of the outbox row must not post twice
        ref = await self._conversation(address)
        try:
            async with self._calls:
                sent = await self._api_for(ref.service_url).conversations.create_activity(
                    conversation_id_of(address), activity)
        except Exception as exc:
            if not refused(exc):
                raise
            raise delivery_error(exc, "send") from exc
        if delivery_id:
            await self._sent.record(delivery_id, address.channel, sent.id, at=self._clock.now())
        return MessageRef(address, sent.id)

    async def send_direct(self, user: UserRef, message: OutgoingMessage, *,
                          delivery_id: str | None = None) -> MessageRef:
        activity = await self.render_off_loop(message)
        return await self.send_direct_activity(user, activity, delivery_id=delivery_id)

    async def send_direct_activity(self, user: UserRef, activity: MessageActivityInput, *,
                                   delivery_id: str | None = None) -> MessageRef:
        person = await self._refs.user(user.id)
        if person is None:
            raise DeliveryError(
                "teams: no reference for this person (the app is not installed for them yet)",
                permanent=True)
        conversation = person.dm_conversation_id or await self._open_direct(person)
        address = Address(PLATFORM, person.tenant_id, conversation)
        return await self.send_activity(address, activity, delivery_id=delivery_id)

    async def update(self, ref: MessageRef, message: OutgoingMessage) -> None:
        await self.update_activity(ref, await self.render_off_loop(message))

    async def update_activity(self, ref: MessageRef, activity: MessageActivityInput) -> None:
        conversation = await self._conversation(ref.address)
        try:
            async with self._calls:
                await self._api_for(conversation.service_url).conversations.update_activity(
                    conversation_id_of(ref.address), ref.message_id, activity)
        except Exception as exc:
            raise delivery_error(exc, "update") from exc

    async def members(self, address: Address) -> Sequence[UserRef] | None:
        conversation = await self._conversation(address)
        try:
            async with self._calls:
                found = await self._api_for(conversation.service_url).conversations.get_members(
                    address.channel)
        except Exception as exc:
            raise delivery_error(exc, "members") from exc
        people: list[UserRef] = []
        rows: list[UserRefRow] = []
        for member in found:
            ident = member.aad_object_id or member.id
            people.append(UserRef(PLATFORM, ident, member.name or "", address.workspace))
            if member.id.startswith("29:"):
                rows.append(UserRefRow(ident, member.id, address.workspace,
                                       conversation.service_url, conversation.bot_id))
        # Knowing the members is what makes a later DM to each of them possible.
        await self._refs.save_users(rows)
        return people

    async def find_delivery(self, target: Address | UserRef,
                            delivery_id: str) -> MessageRef | None:
        """The activity an outbox row became (``target`` is the row's address or person)."""
        found = await self._sent.find(delivery_id)
        if found is None:
            return None
        conversation, activity_id = found
        if isinstance(target, Address) and target.channel == conversation:
            return MessageRef(target, activity_id)
        tenant = target.workspace
        if isinstance(target, UserRef) and not tenant:
            person = await self._refs.user(target.id)
            tenant = person.tenant_id if person else ""
        return MessageRef(Address(PLATFORM, tenant, conversation), activity_id)

    def remember(self, ref: ConversationRef) -> None:
        """A conversation reference just seen on an inbound activity (or read or stored)."""
        self._conversations[ref.conversation_id] = ref
        self._conversations.move_to_end(ref.conversation_id)
        while len(self._conversations) > CACHED_CONVERSATIONS:
            self._conversations.popitem(last=False)

    def forget(self, conversation_id: str) -> None:
        """The app was removed from this conversation."""
        self._conversations.pop(conversation_id, None)

    async def _conversation(self, address: Address) -> ConversationRef:
        ref = self._conversations.get(address.channel)
        if ref is not None:
            return ref
        ref = await self._refs.conversation(address.channel)
        if ref is None:
            raise DeliveryError(
                "teams: unknown conversation (install the app there first)", permanent=True)
        self.remember(ref)
        return ref

    async def _open_direct(self, person: UserRefRow) -> str:
        params = CreateConversationParams.model_validate({
            "isGroup": False, "bot": {"id": person.bot_id}, "members": [{"id": person.teams_id}],
            "tenantId": person.tenant_id or None,
            "channelData": {"tenant": {"id": person.tenant_id}} if person.tenant_id else None,
        })
        try:
            async with self._calls:
                created = await self._api_for(person.service_url).conversations.create(params)
        except Exception as exc:
            raise delivery_error(exc, "open 1:1 chat") from exc
        conversation = ConversationRef(created.id, person.service_url, person.tenant_id,
                                       person.bot_id, "personal")
        await self._refs.save_conversation(conversation)
        self.remember(conversation)
        await self._refs.save_user(
            UserRefRow(person.user_id, person.teams_id, person.tenant_id, person.service_url,
                       person.bot_id, created.id))
        return str(created.id)

    def _api_for(self, service_url: str) -> ApiClient:
        api = self._apis.get(service_url)
        if api is None:
            api = self._api.clone(service_url=service_url.rstrip("/"))
            self._apis[service_url] = api
        return api
