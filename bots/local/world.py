"""The local chat's state: channels, direct conversations and the bot's messages.

It plays the part a chat platform plays for the other adapters: it holds the messages, so
hartslag's own tables store no more for the local chat than for Slack.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from commands.markup import unescape
from commands.model import Choice, OutgoingMessage

BOT = "hartslag"


@dataclass
class LocalMessage:
    number: int
    place: str  # "#channel" or "@user" for the direct conversation with that user
    author: str  # BOT or a user name
    text: str
    choices: tuple[Choice, ...] = ()
    only_for: str | None = None  # a private reply in a channel
    image_path: str | None = None
    edited: bool = False


@dataclass
class World:
    channels: dict[str, set[str]] = field(default_factory=dict)
    messages: list[LocalMessage] = field(default_factory=list)
    listeners: list[Callable[[LocalMessage], None]] = field(default_factory=list)

    @classmethod
    def with_channels(cls, channels: dict[str, list[str]]) -> World:
        return cls(channels={name: set(members) for name, members in channels.items()})

    def join(self, channel: str, user: str) -> None:
        self.channels.setdefault(channel, set()).add(user)

    def post(self, place: str, author: str, message: OutgoingMessage, *, only_for: str | None = None,
             image_path: str | None = None) -> LocalMessage:
        posted = LocalMessage(len(self.messages) + 1, place, author, _text(message),
                              message.choices, only_for, image_path)
        self.messages.append(posted)
        self._notify(posted)
        return posted

    def update(self, number: int, message: OutgoingMessage) -> LocalMessage:
        found = self.get(number)
        if found is None:
            raise LookupError(f"no message {number}")
        found.text, found.choices, found.edited = _text(message), message.choices, True
        self._notify(found)
        return found

    def get(self, number: int) -> LocalMessage | None:
        return self.messages[number - 1] if 0 < number <= len(self.messages) else None

    def visible_to(self, user: str, place: str) -> Iterable[LocalMessage]:
        for message in self.messages:
            if message.place == place and message.only_for in (None, user):
                yield message

    def latest_with_choices(self, user: str, place: str) -> LocalMessage | None:
        candidates = [m for m in self.visible_to(user, place) if m.choices]
        return candidates[-1] if candidates else None

    def _notify(self, message: LocalMessage) -> None:
        for listener in self.listeners:
            listener(message)


def _text(message: OutgoingMessage) -> str:
    # A terminal shows Markdown as it is written, except escapes of literal characters.
    body = unescape(message.markdown)
    return f"**{unescape(message.title)}**\n{body}" if message.title else body
