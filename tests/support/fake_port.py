"""A recording ChatPort for feature tests. It can fail on purpose per target."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from bots.local.capabilities import CAPABILITIES as LOCAL
from bots.matrix.capabilities import CAPABILITIES as MATRIX
from bots.slack.capabilities import CAPABILITIES as SLACK
from bots.teams.capabilities import CAPABILITIES as TEAMS
from commands.model import Address, MessageRef, OutgoingMessage, UserRef
from commands.port import Capabilities, DeliveryError

FULL = Capabilities(buttons=True, forms=True, images=True, private_commands=False)
# The adapters' own names and channel syntax, so written targets are checked (and refused in
# the words) as in production; what the fake can show stays the test's choice.
REAL = {"local": LOCAL, "slack": SLACK, "matrix": MATRIX, "teams": TEAMS}


@dataclass
class Sent:
    target: str  # str(Address) or UserRef.key
    message: OutgoingMessage
    ref: MessageRef
    delivery_id: str | None


@dataclass
class FakeChatPort:
    capabilities_: Capabilities = FULL
    members_: dict[str, list[UserRef]] = field(default_factory=dict)  # str(Address) -> members
    fail: dict[str, DeliveryError] = field(default_factory=dict)  # target -> error to raise
    sent: list[Sent] = field(default_factory=list)
    updates: list[tuple[MessageRef, OutgoingMessage]] = field(default_factory=list)
    # message id -> reactions on it; a message not listed: the platform cannot tell (None)
    reactions_: dict[str, int] = field(default_factory=dict)

    def capabilities(self, platform: str) -> Capabilities:
        real = REAL.get(platform, Capabilities())
        return replace(self.capabilities_, channel=real.channel, name=real.name)

    async def send(
        self, address: Address, message: OutgoingMessage, *, delivery_id: str | None = None
    ) -> MessageRef:
        return self._record(str(address), address, message, delivery_id)

    async def send_direct(
        self, user: UserRef, message: OutgoingMessage, *, delivery_id: str | None = None
    ) -> MessageRef:
        address = Address(user.platform, user.workspace or "w", f"@{user.id}")
        return self._record(user.key, address, message, delivery_id)

    async def update(self, ref: MessageRef, message: OutgoingMessage) -> None:
        self.updates.append((ref, message))

    async def members(self, address: Address) -> Sequence[UserRef] | None:
        return self.members_.get(str(address))

    async def reaction_count(self, ref: MessageRef) -> int | None:
        """The optional port extra the announcement reach report asks for."""
        return self.reactions_.get(ref.message_id)

    def _record(self, target: str, address: Address, message: OutgoingMessage,
                delivery_id: str | None) -> MessageRef:
        if target in self.fail:
            raise self.fail[target]
        for earlier in self.sent:
            if delivery_id and earlier.delivery_id == delivery_id:
                return earlier.ref  # idempotent per delivery id, like Matrix transaction ids
        ref = MessageRef(address, f"m{len(self.sent) + 1}")
        self.sent.append(Sent(target, message, ref, delivery_id))
        return ref

    def texts_to(self, target: str) -> list[str]:
        return [s.message.markdown for s in self.sent if s.target == target]
