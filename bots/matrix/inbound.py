"""Matrix events -> neutral requests. Pure functions: no I/O, easy to test.

- ``!hartslag <command>`` in any room or DM -> ``CommandRequest``.
- Plain text in a DM -> ``InboundMessage(is_direct=True)`` (the router sends questions to the
  "where do I find X" feature), unless it is a number answering a bot message with choices.
- A mention of the bot in a room -> ``InboundMessage(mentioned=True)``: a pill
  (``m.mentions``), or one of the bot's names typed at the start (``hartslag: waar ...``,
  ``@hartslag waar ...``, ``Hartslag, ...``); other room chatter is none of the bot's business.
- A reaction on a bot message with choices -> ``Interaction``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bots.matrix.render import choice_for_key, choice_for_number
from commands.grammar import parse_root
from commands.model import (
    Address,
    Choice,
    CommandRequest,
    InboundMessage,
    Interaction,
    MessageRef,
    Request,
    UserRef,
)

ChoiceLookup = Mapping[str, tuple[str, tuple[Choice, ...]]]


@dataclass(frozen=True)
class Text:
    """What the adapter knows about one ``m.room.message`` with text."""

    sender: UserRef
    address: Address
    event_id: str
    body: str
    content: Mapping[str, Any]
    direct: bool


@dataclass(frozen=True)
class OutOfRange:
    """A number in a DM that picks no choice: the adapter says which numbers exist."""

    count: int


def relation(content: Mapping[str, Any]) -> Mapping[str, Any]:
    found = content.get("m.relates_to")
    return found if isinstance(found, Mapping) else {}


def reply_target(content: Mapping[str, Any]) -> str | None:
    in_reply_to = relation(content).get("m.in_reply_to")
    if isinstance(in_reply_to, Mapping) and isinstance(in_reply_to.get("event_id"), str):
        return str(in_reply_to["event_id"])
    return None


def is_edit(content: Mapping[str, Any]) -> bool:
    return relation(content).get("rel_type") == "m.replace"


def strip_reply_fallback(body: str) -> str:
    """Older clients quote the message they answer (``> <@bot> ...``) above the answer."""
    lines = body.splitlines()
    if not lines or not lines[0].startswith("> "):
        return body
    while lines and lines[0].startswith(">"):
        lines.pop(0)
    return "\n".join(lines).strip()


def mentions(content: Mapping[str, Any], body: str, bot_id: str) -> bool:
    found = content.get("m.mentions")
    if isinstance(found, Mapping):
        user_ids = found.get("user_ids")
        if isinstance(user_ids, list) and bot_id in user_ids:
            return True
    return bot_id in body


def addressed(body: str, names: Iterable[str]) -> str | None:
    """What follows one of the bot's names typed at the very start of ``body`` (optionally
    with ``@``, any case, then ``:``, ``,`` or a space), or None when it does not start so.

    Only the start counts and the name must end there: "hartslagen", "de hartslag:" and
    "hartslag-team" are chatter, not a question. A name with nothing after it is no question.
    """
    forms = sorted({n.strip().lstrip("@") for n in names if n.strip().lstrip("@")},
                   key=len, reverse=True)  # longest first: "@hartslag:server" before "hartslag"
    if not forms:
        return None
    pattern = r"\s*@?(?:" + "|".join(re.escape(f) for f in forms) + r")(?:[:,]\s*|\s+)"
    found = re.match(pattern, body, re.IGNORECASE)
    if found is None:
        return None
    rest = body[found.end():].strip()
    return rest or None


def without_mention(body: str, names: tuple[str, ...]) -> str:
    text = body.strip()
    for name in names:
        if name and text.lower().startswith(name.lower()):
            text = text[len(name):].lstrip(" :,")
            break
    return text


def translate_text(
    text: Text,
    *,
    bot_id: str,
    bot_names: tuple[str, ...],
    choices: ChoiceLookup,
    latest: tuple[str, tuple[Choice, ...]] | None,
) -> Request | OutOfRange | None:
    """The request for a text message, ``OutOfRange`` for a bad number, None to ignore."""
    if is_edit(text.content):
        return None  # an edited command must not run twice
    reply_to = reply_target(text.content)
    body = strip_reply_fallback(text.body) if reply_to else text.body.strip()
    parsed = parse_root(body)
    if parsed.explicit:
        return CommandRequest(text.sender, text.address, parsed.name or "", parsed.args,
                              is_direct=text.direct)
    if text.direct:
        target = latest
        if reply_to is not None and reply_to in choices:
            target = (reply_to, choices[reply_to][1])
        if target is not None:
            picked = choice_for_number(body, target[1])
            if isinstance(picked, Choice):
                ref = MessageRef(text.address, target[0])
                return Interaction(text.sender, text.address, picked.action, picked.value, ref)
            if isinstance(picked, int):
                return OutOfRange(picked)
        question = addressed(body, (bot_id, *bot_names)) or body
        return InboundMessage(text.sender, text.address, question, is_direct=True,
                              message_id=text.event_id, reply_to=reply_to)
    typed = addressed(body, (bot_id, *bot_names))
    if typed is not None:
        return InboundMessage(text.sender, text.address, typed, mentioned=True,
                              message_id=text.event_id, reply_to=reply_to)
    if mentions(text.content, body, bot_id):
        clean = without_mention(body, (bot_id, *bot_names))
        return InboundMessage(text.sender, text.address, clean, mentioned=True,
                              message_id=text.event_id, reply_to=reply_to)
    return None


def translate_reaction(
    sender: UserRef, address: Address, reacts_to: str, key: str, choices: ChoiceLookup
) -> Interaction | None:
    """A reaction picks a choice of the bot message it reacts to (in that same room)."""
    found = choices.get(reacts_to)
    if found is None or found[0] != address.channel:
        return None
    picked = choice_for_key(key, found[1])
    if picked is None:
        return None
    return Interaction(sender, address, picked.action, picked.value,
                       MessageRef(address, reacts_to))
