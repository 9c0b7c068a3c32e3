"""The outbound port features and the delivery engine send through.

Adapters implement ``ChatPort`` for one platform; ``MultiPort`` routes on ``Address.platform``
so the rest of the code sees one port. Five members at most, on purpose; optional extras are
typed protocols (``GroupPort``, ``ReactionCounter``) that a feature checks with isinstance on
``platform_port(ctx.port, platform)``, never by probing attribute names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from commands.model import Address, MessageRef, OutgoingMessage, UserRef


@dataclass(frozen=True, slots=True)
class ChannelSyntax:
    """How people write one of the platform's channels after ``platform:`` in a target.

    The adapter knows its ids (a Slack channel id, a Matrix room id or alias), so a feature
    checks a written target without knowing the platform; ``forms`` are what an error shows.
    """

    pattern: str  # the whole channel must match (re.fullmatch)
    forms: tuple[str, ...]  # written shapes for the error, e.g. ("C0123",)
    # A platform with one workspace (the local chat) names it here; others take theirs from
    # the config or the adapter's own workspace.
    workspace: str = ""

    def accepts(self, channel: str) -> bool:
        return re.fullmatch(self.pattern, channel) is not None


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a platform can show; features pick a fallback where something is missing."""

    # Only flags a feature reads: what every port can do (update, list members where it
    # can) is a ChatPort member, and an optional extra is a typed protocol (GroupPort).
    buttons: bool = False
    forms: bool = False
    images: bool = False
    # A command typed in a channel is seen only by its sender (Slack slash commands), so a
    # secret in it (a signal's code) is as safe there as in a DM.
    private_commands: bool = False
    # A press in a room is seen by everyone in it (Matrix: a button is a reaction), so an
    # anonymous answer is asked for in a direct message instead.
    public_presses: bool = False
    # What people call the platform, in a sentence ("je vindt Noor op Teams").
    name: str = ""
    # How a channel of this platform is written in a target; None: any non-empty id.
    channel: ChannelSyntax | None = None


class DeliveryError(Exception):
    """A send that failed. ``retry_after`` (seconds) is set on rate limiting (429).

    ``permanent`` marks failures a retry cannot fix (channel not found, bot not in channel).
    """

    def __init__(
        self,
        reason: str,
        *,
        retry_after: float | None = None,
        permanent: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.permanent = permanent


@runtime_checkable
class ChatPort(Protocol):
    """Outbound messages to one or more platforms.

    ``delivery_id`` is the outbox row id: adapters use it for idempotency (Matrix transaction
    id, Slack message metadata, Teams stored activity id) so a retry never posts twice.
    """

    def capabilities(self, platform: str) -> Capabilities: ...

    async def send(
        self, address: Address, message: OutgoingMessage, *, delivery_id: str | None = None
    ) -> MessageRef: ...

    async def send_direct(
        self, user: UserRef, message: OutgoingMessage, *, delivery_id: str | None = None
    ) -> MessageRef: ...

    async def update(self, ref: MessageRef, message: OutgoingMessage) -> None: ...

    async def members(self, address: Address) -> Sequence[UserRef] | None:
        """Members of a channel, or None where the platform cannot list them."""
        ...


@runtime_checkable
class GroupPort(Protocol):
    """Optional port extra: one conversation with several people (a Slack group DM, a private
    Matrix room with invites). Teams has none without Graph. Used by ``verbinden``."""

    async def open_group(self, users: Sequence[UserRef], *, name: str) -> Address: ...


@runtime_checkable
class ReactionCounter(Protocol):
    """Optional port extra: how many reactions a posted message has (None: cannot tell)."""

    async def reaction_count(self, ref: MessageRef) -> int | None: ...


def platform_port(port: ChatPort, platform: str) -> ChatPort | None:
    """The platform's own port behind ``port`` (for its optional extras), or ``port`` itself
    when it serves one platform only."""
    return port.port_for(platform) if isinstance(port, MultiPort) else port


def enabled_platforms(port: ChatPort) -> tuple[str, ...]:
    """The platforms ``port`` serves; empty when it does not say (one bare port)."""
    return port.platforms if isinstance(port, MultiPort) else ()


class MultiPort:
    """Routes each call to the port of ``Address.platform``; one port per platform."""

    def __init__(self, ports: Mapping[str, ChatPort]) -> None:
        self._ports = dict(ports)
        self._declared: dict[str, Capabilities] = {}

    @property
    def platforms(self) -> tuple[str, ...]:
        return tuple(self._ports)

    def add(self, platform: str, port: ChatPort) -> None:
        self._ports[platform] = port

    def declare(self, platform: str, capabilities: Capabilities) -> None:
        """What a configured platform can show where its port does not run (a CLI command
        without adapters), so a target is checked as the chat would check it."""
        self._declared[platform] = capabilities

    def port_for(self, platform: str) -> ChatPort | None:
        """The platform's own port, for optional extras (``find_user_by_email``)."""
        return self._ports.get(platform)

    def _port(self, platform: str) -> ChatPort:
        try:
            return self._ports[platform]
        except KeyError:
            raise DeliveryError(f"platform {platform!r} is not enabled", permanent=True) from None

    def capabilities(self, platform: str) -> Capabilities:
        port = self._ports.get(platform)
        if port is None:
            return self._declared.get(platform, Capabilities())
        return port.capabilities(platform)

    async def send(
        self, address: Address, message: OutgoingMessage, *, delivery_id: str | None = None
    ) -> MessageRef:
        return await self._port(address.platform).send(address, message, delivery_id=delivery_id)

    async def send_direct(
        self, user: UserRef, message: OutgoingMessage, *, delivery_id: str | None = None
    ) -> MessageRef:
        port = self._port(user.platform)
        return await port.send_direct(user, message, delivery_id=delivery_id)

    async def update(self, ref: MessageRef, message: OutgoingMessage) -> None:
        await self._port(ref.address.platform).update(ref, message)

    async def members(self, address: Address) -> Sequence[UserRef] | None:
        return await self._port(address.platform).members(address)
