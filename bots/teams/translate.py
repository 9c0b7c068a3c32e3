"""Teams activities (Bot Framework JSON, camelCase) -> neutral requests and references.

Works on the activity as a plain dict (``model_dump(by_alias=True)``) so recorded payloads
can be fed straight in. Mapping:

- a message in a 1:1 chat, or one that @mentions the bot -> ``InboundMessage`` with the
  mention stripped (the router turns "help" into the help command);
- a message with ``value`` from ``Action.Submit`` -> ``Interaction`` (button) or
  ``FormSubmission`` (form card);
- an ``adaptiveCard/action`` invoke (``Action.Execute``) -> the same, from ``value.action.data``.

Addresses: ``teams://<tenant>/<conversation id>``, and a channel thread's root message id
(the ``;messageid=`` suffix) as ``Address.thread``. People: their Entra object id.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from bots.teams import cards
from commands.model import (
    Address,
    FormSubmission,
    InboundMessage,
    Interaction,
    MessageRef,
    Request,
    UserRef,
)
from storage.teams import ConversationRef, UserRefRow

PLATFORM = "teams"
CARD_ACTION_INVOKE = "adaptiveCard/action"
_AT = re.compile(r"<at[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")

Activity = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Scope:
    """Where an activity happened, in our terms."""

    address: Address
    conversation_id: str  # full id, with ";messageid=" for a channel thread
    kind: str  # personal | channel | groupChat

    @property
    def is_direct(self) -> bool:
        return self.kind == "personal"


def split_thread(conversation_id: str) -> tuple[str, str | None]:
    base, sep, rest = conversation_id.partition(";messageid=")
    return base, (rest or None) if sep else None


def conversation_id_of(address: Address) -> str:
    """The Bot Connector conversation id for an address (a thread posts into the thread)."""
    return f"{address.channel};messageid={address.thread}" if address.thread else address.channel


def tenant_of(activity: Activity) -> str:
    conversation = activity.get("conversation") or {}
    channel_data = activity.get("channelData") or {}
    return str(conversation.get("tenantId") or (channel_data.get("tenant") or {}).get("id") or "")


def scope_of(activity: Activity) -> Scope:
    conversation = activity.get("conversation") or {}
    full = str(conversation.get("id") or "")
    base, thread = split_thread(full)
    kind = str(conversation.get("conversationType") or "personal")
    return Scope(Address(PLATFORM, tenant_of(activity), base, thread), full, kind)


def user_of(activity: Activity) -> UserRef:
    sender = activity.get("from") or {}
    ident = str(sender.get("aadObjectId") or sender.get("id") or "")
    return UserRef(PLATFORM, ident, str(sender.get("name") or ""), tenant_of(activity))


def locale_hint(activity: Activity) -> str | None:
    """The Teams client's language when we speak it (``nl-NL`` -> ``nl``)."""
    language = str(activity.get("locale") or "").split("-")[0].lower()
    return language if language in ("nl", "en") else None


def conversation_ref(activity: Activity) -> ConversationRef | None:
    scope = scope_of(activity)
    service_url = activity.get("serviceUrl")
    bot = (activity.get("recipient") or {}).get("id")
    if not scope.address.channel or not service_url or not bot:
        return None
    team = ((activity.get("channelData") or {}).get("team") or {}).get("id")
    return ConversationRef(scope.address.channel, str(service_url), scope.address.workspace,
                           str(bot), scope.kind, team)


def user_refs(activity: Activity) -> list[UserRefRow]:
    """People an activity tells us about: the sender, and members added to a conversation."""
    service_url = str(activity.get("serviceUrl") or "")
    bot = str((activity.get("recipient") or {}).get("id") or "")
    if not service_url or not bot:
        return []
    tenant = tenant_of(activity)
    scope = scope_of(activity)
    people = [activity.get("from") or {}]
    people += [m for m in activity.get("membersAdded") or [] if m.get("id") != bot]
    rows = []
    for person in people:
        teams_id = str(person.get("id") or "")
        if not teams_id.startswith("29:"):
            continue  # bots ("28:"), and non-Teams callers have no 1:1 chat
        ident = str(person.get("aadObjectId") or teams_id)
        dm = scope.address.channel if scope.is_direct and person is people[0] else None
        rows.append(UserRefRow(ident, teams_id, tenant, service_url, bot, dm))
    return rows


def strip_mentions(activity: Activity) -> tuple[str, bool]:
    """The text without the bot's ``<at>`` mention, and whether the bot was mentioned."""
    text = str(activity.get("text") or "")
    bot = (activity.get("recipient") or {}).get("id")
    mentioned = False
    for entity in activity.get("entities") or []:
        if entity.get("type") != "mention":
            continue
        if (entity.get("mentioned") or {}).get("id") == bot:
            mentioned = True
            text = text.replace(str(entity.get("text") or ""), " ")
    if mentioned:
        text = _AT.sub(" ", text)
    text = html.unescape(_TAGS.sub("", text)).replace("\xa0", " ")
    return " ".join(text.split()), mentioned


def is_card_submit(activity: Activity) -> bool:
    """An ``Action.Submit`` from one of our cards: a message whose ``value`` carries our kind."""
    value = activity.get("value")
    return activity.get("type") == "message" and isinstance(value, dict) and bool(
        value.get(cards.KIND))


def card_action(activity: Activity) -> str | None:
    """The router action of a card submit (``Action.Submit`` button), else None."""
    if not is_card_submit(activity):
        return None
    value = activity["value"]
    if value.get(cards.KIND) == "form":
        return None
    action = value.get(cards.ACTION)
    return str(action) if action else None


def to_request(activity: Activity) -> Request | None:
    """The neutral request for an activity, or None when it is nothing for the router."""
    kind = activity.get("type")
    if kind == "invoke" and activity.get("name") == CARD_ACTION_INVOKE:
        action = ((activity.get("value") or {}).get("action") or {})
        data = dict(action.get("data") or {})
        data.setdefault(cards.ACTION, action.get("verb"))
        return _from_card_data(activity, data)
    if kind != "message":
        return None
    if is_card_submit(activity):
        return _from_card_data(activity, activity["value"])
    scope = scope_of(activity)
    text, mentioned = strip_mentions(activity)
    if not text:
        return None
    return InboundMessage(
        user_of(activity), scope.address, text, is_direct=scope.is_direct,
        mentioned=mentioned, message_id=activity.get("id"), locale=locale_hint(activity),
    )


def _from_card_data(activity: Activity, data: dict[str, Any]) -> Request | None:
    scope = scope_of(activity)
    user = user_of(activity)
    card_id = activity.get("replyToId")
    message = MessageRef(scope.address, str(card_id)) if card_id else None
    locale = locale_hint(activity)
    if data.get(cards.KIND) == "form" and data.get(cards.FORM_ID):
        return FormSubmission(user, scope.address, str(data[cards.FORM_ID]),
                              cards.form_values(data), state=str(data.get(cards.FORM_STATE) or ""),
                              locale=locale)
    action = data.get(cards.ACTION)
    if not action:
        return None
    return Interaction(user, scope.address, str(action), str(data.get(cards.VALUE) or ""),
                       message=message, locale=locale)
