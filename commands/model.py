"""The neutral message model every feature speaks.

Small frozen dataclasses and nothing platform specific: adapters in ``bots/`` convert at the
edge, features in ``commands/`` never see a Slack payload or a Matrix event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote, unquote

Platform = Literal["local", "slack", "teams", "matrix"]
PLATFORMS: tuple[str, ...] = ("local", "slack", "teams", "matrix")


@dataclass(frozen=True, slots=True)
class Address:
    """A place messages go: a channel, room or conversation, optionally a thread in it."""

    platform: str
    workspace: str
    channel: str
    thread: str | None = None

    def __str__(self) -> str:
        base = f"{self.platform}://{quote(self.workspace, safe='')}/{quote(self.channel, safe='')}"
        return f"{base}#{quote(self.thread, safe='')}" if self.thread else base

    @classmethod
    def parse(cls, text: str) -> Address:
        """Inverse of ``str()``; raises ValueError with the reason on a malformed address."""
        platform, sep, rest = text.partition("://")
        if not sep or platform not in PLATFORMS:
            raise ValueError(f"not an address: {text!r} (expected platform://workspace/channel)")
        rest, _, thread = rest.partition("#")
        workspace, sep, channel = rest.partition("/")
        if not sep or not channel:
            raise ValueError(f"not an address: {text!r} (missing channel)")
        return cls(platform, unquote(workspace), unquote(channel), unquote(thread) or None)

    def without_thread(self) -> Address:
        return Address(self.platform, self.workspace, self.channel)


@dataclass(frozen=True, slots=True)
class UserRef:
    """A person on one platform. ``key`` (``platform:id``) is how config and roles name them."""

    platform: str
    id: str
    display_name: str = ""
    workspace: str = ""

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.id}"


@dataclass(frozen=True, slots=True)
class MessageRef:
    """A message the bot posted, so it can be updated later."""

    address: Address
    message_id: str


@dataclass(frozen=True, slots=True)
class Choice:
    """A button (Slack, Teams), a reaction or numbered reply (Matrix), a numbered choice (local).

    ``action`` names the handler (``"pulse.vote"``), ``value`` travels back in the Interaction.
    """

    action: str
    value: str
    label: str
    style: Literal["default", "primary", "danger"] = "default"


@dataclass(frozen=True, slots=True)
class Image:
    """A PNG (a chart) with a text alternative for platforms that take no images."""

    png: bytes
    alt_text: str
    filename: str = "chart.png"


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """Neutral Markdown (bold, italic, links, lists, code) plus optional choices and image.

    Adapters render natively and degrade gracefully; they never fail for lack of a feature.
    ``metadata`` travels with the post where the platform allows (Slack message metadata).
    """

    markdown: str
    choices: tuple[Choice, ...] = ()
    image: Image | None = None
    title: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FormField:
    """One input of a form (Slack modal, Teams Adaptive Card)."""

    name: str
    label: str
    kind: Literal["text", "multiline", "select", "multiselect", "datetime", "checkbox"] = "text"
    required: bool = False
    options: tuple[tuple[str, str], ...] = ()  # (value, label)
    max_length: int | None = None
    initial: str | None = None
    hint: str | None = None


@dataclass(frozen=True, slots=True)
class Form:
    """A form to open for the caller. ``form_id`` routes the submission back to its handler."""

    form_id: str
    title: str
    fields: tuple[FormField, ...]
    submit_label: str = "OK"
    state: str = ""  # opaque JSON the feature gets back with the submission


@dataclass(frozen=True, slots=True)
class CommandRequest:
    """``/hartslag <name> <args>`` from any platform, already normalised to name + args."""

    user: UserRef
    address: Address
    name: str
    args: str
    is_direct: bool = False
    locale: str | None = None  # a hint from the platform (e.g. the client's language)


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """A plain message the bot may answer: a DM, a mention, or text in a conversation."""

    user: UserRef
    address: Address
    text: str
    is_direct: bool = False
    mentioned: bool = False
    message_id: str | None = None
    reply_to: str | None = None  # the bot message it answers (Matrix numbered replies)
    locale: str | None = None


@dataclass(frozen=True, slots=True)
class Interaction:
    """A press on a Choice (button, reaction, numbered choice)."""

    user: UserRef
    address: Address
    action: str
    value: str
    message: MessageRef | None = None
    locale: str | None = None


@dataclass(frozen=True, slots=True)
class FormSubmission:
    """The values of a submitted Form."""

    user: UserRef
    address: Address
    form_id: str
    values: Mapping[str, str]
    state: str = ""
    locale: str | None = None


Request = CommandRequest | InboundMessage | Interaction | FormSubmission


@dataclass(frozen=True, slots=True)
class Reply:
    """What a handler answers to the caller.

    ``private`` replies reach only the caller (Slack ephemeral, DM elsewhere). ``form`` asks the
    adapter to open a form; adapters without forms show ``message`` instead, so a feature that
    returns a form must also give a text fallback. ``replace`` updates the message the
    interaction came from in place, where the platform can.
    """

    message: OutgoingMessage | None = None
    private: bool = True
    form: Form | None = None
    replace: bool = False

    @classmethod
    def text(cls, markdown: str, *, private: bool = True) -> Reply:
        return cls(OutgoingMessage(markdown), private=private)
