"""ChatPort of the local chat."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bots.local.capabilities import CAPABILITIES, WORKSPACE
from bots.local.world import BOT, World
from commands.model import Address, MessageRef, OutgoingMessage, UserRef
from commands.port import Capabilities, DeliveryError


def channel_address(channel: str) -> Address:
    return Address("local", WORKSPACE, channel)


def dm_address(user: str) -> Address:
    return Address("local", WORKSPACE, f"@{user}")


class LocalPort:
    def __init__(self, world: World, *, files_dir: Path) -> None:
        self.world = world
        self._files = files_dir
        self._sent: dict[str, MessageRef] = {}  # delivery id -> ref: resends are idempotent

    def capabilities(self, platform: str) -> Capabilities:
        return CAPABILITIES

    async def send(
        self, address: Address, message: OutgoingMessage, *, delivery_id: str | None = None
    ) -> MessageRef:
        place = address.channel
        if not place.startswith(("#", "@")):
            raise DeliveryError(f"local channel {place!r} must start with # or @", permanent=True)
        if delivery_id and delivery_id in self._sent:
            return self._sent[delivery_id]
        posted = self.world.post(place, BOT, message, image_path=self._save_image(message))
        ref = MessageRef(Address("local", WORKSPACE, place), str(posted.number))
        if delivery_id:
            self._sent[delivery_id] = ref
        return ref

    async def send_direct(
        self, user: UserRef, message: OutgoingMessage, *, delivery_id: str | None = None
    ) -> MessageRef:
        return await self.send(dm_address(user.id), message, delivery_id=delivery_id)

    async def post_private(self, address: Address, user: str, message: OutgoingMessage) -> None:
        self.world.post(address.channel, BOT, message, only_for=user,
                        image_path=self._save_image(message))

    async def update(self, ref: MessageRef, message: OutgoingMessage) -> None:
        try:
            self.world.update(int(ref.message_id), message)
        except (LookupError, ValueError):
            raise DeliveryError(f"no local message {ref.message_id}", permanent=True) from None

    async def members(self, address: Address) -> Sequence[UserRef] | None:
        if address.channel.startswith("@"):
            return [UserRef("local", address.channel[1:], address.channel[1:], WORKSPACE)]
        names = sorted(self.world.channels.get(address.channel, set()))
        return [UserRef("local", name, name, WORKSPACE) for name in names]

    def _save_image(self, message: OutgoingMessage) -> str | None:
        if message.image is None:
            return None
        self._files.mkdir(parents=True, exist_ok=True)
        path = self._files / f"{len(self.world.messages) + 1}-{Path(message.image.filename).name}"
        path.write_bytes(message.image.png)
        return str(path)
