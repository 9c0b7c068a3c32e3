"""Slack payloads -> neutral requests, plus the ``Origin`` a reply is delivered to.

Only this module reads Slack's payload shapes. Every function takes the raw body bolt parsed
and returns None for a payload it cannot use (logged by the caller, answered politely).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bots.slack.blocks import action_name, form_values, read_metadata
from commands.grammar import split_command
from commands.model import (
    Address,
    CommandRequest,
    FormSubmission,
    InboundMessage,
    Interaction,
    MessageRef,
    UserRef,
)

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|[^>]*)?>")
_SPECIAL = re.compile(r"<!(?:subteam\^[A-Z0-9]+\|)?([^>|]+)(?:\|[^>]*)?>")


def plain_text(text: str, team: str, *, drop_user: str | None = None) -> str:
    """Slack's escaped text -> what the person typed, with people as ``slack:U123`` and
    channels as addresses (``slack://T1/C2``), so commands can name them neutrally."""
    if drop_user:
        text = re.sub(rf"<@{re.escape(drop_user)}(?:\|[^>]*)?>", "", text)
    text = _USER.sub(lambda m: f"slack:{m.group(1)}", text)
    text = _CHANNEL.sub(lambda m: str(Address("slack", team, m.group(1))), text)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _SPECIAL.sub(lambda m: "@" + m.group(1).lstrip("@"), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text.strip()


@dataclass(frozen=True)
class Origin:
    """Where a request came from and how to answer it natively."""

    team: str
    channel: str | None
    user: str
    response_url: str | None = None
    trigger_id: str | None = None
    message_ts: str | None = None  # the message an interaction came from
    ephemeral_source: bool = False
    thread_ts: str | None = None
    is_direct: bool = False

    def address(self) -> Address:
        return Address("slack", self.team, self.channel or self.user, self.thread_ts)


def _user(user_id: str, team: str) -> UserRef:
    return UserRef("slack", user_id, workspace=team)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def command(body: Mapping[str, Any]) -> tuple[CommandRequest, Origin] | None:
    team, user, channel = _text(body.get("team_id")), _text(body.get("user_id")), _text(
        body.get("channel_id"))
    if not (team and user and channel):
        return None
    name, args = split_command(plain_text(_text(body.get("text")), team))
    direct = channel.startswith("D") or body.get("channel_name") == "directmessage"
    origin = Origin(team, channel, user, _text(body.get("response_url")) or None,
                    _text(body.get("trigger_id")) or None, is_direct=direct)
    request = CommandRequest(_user(user, team), origin.address(), name or "", args,
                             is_direct=direct)
    return request, origin


def _team(body: Mapping[str, Any]) -> str:
    team = body.get("team") or {}
    user = body.get("user") or {}
    return _text(team.get("id") if isinstance(team, Mapping) else None) or _text(
        user.get("team_id") if isinstance(user, Mapping) else None)


def interaction(body: Mapping[str, Any]) -> tuple[Interaction, Origin] | None:
    """The first action of a ``block_actions`` payload (Slack sends one per press)."""
    actions = body.get("actions") or []
    user = body.get("user") or {}
    if not actions or not isinstance(actions[0], Mapping) or not isinstance(user, Mapping):
        return None
    action = actions[0]
    team, user_id = _team(body), _text(user.get("id"))
    container = body.get("container") or {}
    channel = _text(container.get("channel_id")) or _text((body.get("channel") or {}).get("id"))
    message_ts = _text(container.get("message_ts")) or None
    thread = _text((body.get("message") or {}).get("thread_ts")) or None
    if not (team and user_id and _text(action.get("action_id"))):
        return None
    origin = Origin(team, channel or None, user_id, _text(body.get("response_url")) or None,
                    _text(body.get("trigger_id")) or None, message_ts,
                    bool(container.get("is_ephemeral")), thread,
                    is_direct=channel.startswith("D"))
    address = origin.address()
    ref = MessageRef(address, message_ts) if message_ts and channel else None
    value = _text(action.get("value")) or _text(
        (action.get("selected_option") or {}).get("value"))
    request = Interaction(_user(user_id, team), address, action_name(action["action_id"]),
                          value, ref)
    return request, origin


def submission(body: Mapping[str, Any]) -> tuple[FormSubmission, Origin] | None:
    view, user = body.get("view") or {}, body.get("user") or {}
    if not isinstance(view, Mapping) or not isinstance(user, Mapping):
        return None
    team, user_id = _team(body), _text(user.get("id"))
    form_id = _text(view.get("callback_id"))
    if not (team and user_id and form_id):
        return None
    channel, state = read_metadata(_text(view.get("private_metadata")))
    origin = Origin(team, channel, user_id, is_direct=channel is None or channel.startswith("D"))
    values = form_values(view.get("state") or {})
    return FormSubmission(_user(user_id, team), origin.address(), form_id, values, state), origin


def message(event: Mapping[str, Any], team: str,
            bot_user: str | None = None) -> tuple[InboundMessage, Origin] | None:
    """``app_mention`` and ``message`` in a DM (``message.im``); everything else is None."""
    kind = event.get("type")
    if event.get("bot_id") or event.get("subtype") or not _text(event.get("user")):
        return None  # bots (ourselves included), edits, joins: not questions
    direct = kind == "message" and event.get("channel_type") == "im"
    if kind != "app_mention" and not direct:
        return None
    user, channel = _text(event.get("user")), _text(event.get("channel"))
    raw = _text(event.get("text"))
    if kind == "app_mention" and not bot_user:
        raw = re.sub(r"^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>", "", raw)  # the mention of us
    text = plain_text(raw, team or _text(event.get("team")), drop_user=bot_user)
    ts = _text(event.get("ts")) or None
    thread = _text(event.get("thread_ts")) or (None if direct else ts)
    origin = Origin(team or _text(event.get("team")), channel, user, thread_ts=thread,
                    is_direct=direct)
    request = InboundMessage(_user(user, origin.team), origin.address(), text,
                             is_direct=direct, mentioned=kind == "app_mention", message_id=ts)
    return request, origin
