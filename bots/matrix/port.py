"""``ChatPort`` for Matrix: rooms are addresses, people get a DM room of their own.

Every send uses a transaction id: the delivery id when the outbox gives one, so a retry after
a crash or a timeout returns the event that already exists instead of posting twice. A 429
is not retried here: it becomes ``DeliveryError(retry_after=...)`` for the outbox, which
owns the waiting.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp import ClientError
from nio import (
    AsyncClient,
    ErrorResponse,
    JoinedMembersResponse,
    LocalProtocolError,
    RoomCreateResponse,
    RoomPreset,
    RoomResolveAliasResponse,
    RoomSendResponse,
    SendRetryError,
    UploadResponse,
)

from bots.matrix.capabilities import CAPABILITIES
from bots.matrix.groups import create_group_room
from bots.matrix.render import edit, image_content, render
from bots.matrix.state import ChoiceBook, DirectRooms
from bots.matrix.sync import SyncLoop
from bots.matrix.workarounds import raw_call
from commands.model import Address, Image, MessageRef, OutgoingMessage, UserRef
from commands.port import Capabilities, DeliveryError

log = logging.getLogger("hartslag.matrix")

PERMANENT_CODES = frozenset({"M_FORBIDDEN", "M_NOT_FOUND", "M_UNKNOWN_TOKEN", "M_BAD_JSON",
                             "M_INVALID_PARAM", "M_USER_DEACTIVATED"})
ROOM_WAIT = 15.0  # seconds to wait for a new room to show up in a sync before encrypting
RELATION_PAGES = 20  # x 100 annotations: far beyond the reactions on one announcement
_TXN_UNSAFE = re.compile(r"[^A-Za-z0-9._~-]")
_ENCRYPTION = {"type": "m.room.encryption", "state_key": "",
               "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


def transaction_id(delivery_id: str | None) -> str:
    """The Matrix transaction id of a send: stable per delivery, random otherwise."""
    if delivery_id is None:
        return f"hs-{uuid.uuid4().hex}"
    return "hs-" + _TXN_UNSAFE.sub("_", delivery_id)[:200]


def raise_for(answer: Any, what: str) -> None:
    """Turn a nio error answer into a DeliveryError (rate limits carry ``retry_after``)."""
    if not isinstance(answer, ErrorResponse):
        return
    code = str(answer.status_code or "")
    if code == "M_LIMIT_EXCEEDED" or answer.retry_after_ms:
        retry = (answer.retry_after_ms or 5000) / 1000
        raise DeliveryError(f"{what}: rate limited", retry_after=retry)
    # The code only: a homeserver's message can name users ("@x is not in the room"), and the
    # reason is logged and kept in the outbox, also for the reply to an anonymous sender.
    raise DeliveryError(f"{what}: {code or 'error'}", permanent=code in PERMANENT_CODES)


class MatrixPort:
    """Outbound messages to rooms and people on one homeserver account."""

    def __init__(self, client: AsyncClient, sync: SyncLoop, *, directs: DirectRooms,
                 choices: ChoiceBook, locale: str, encrypt_direct: bool = True,
                 user_template: str = "") -> None:
        self._client = client
        self._sync = sync
        self._directs = directs
        self._choices = choices
        self._locale = locale
        self._encrypt_direct = encrypt_direct
        self._user_template = user_template
        self._dm_locks: dict[str, asyncio.Lock] = {}
        # DM rooms we created -> the invitee; a sync must show the invitation before the
        # first encrypted send, or the room key is shared with nobody but the bot.
        self._fresh: dict[str, str] = {}
        self.workspace = str(client.user_id).partition(":")[2]

    def capabilities(self, platform: str) -> Capabilities:
        return CAPABILITIES

    async def find_user_by_email(self, email: str) -> UserRef | None:
        """The port extra ``EmailLookup``: Matrix has no lookup by e-mail that a bot may use,
        so the organisation's convention (``[matrix] user_template``) names the account."""
        local = email.partition("@")[0].strip().lower()
        if not self._user_template or not local:
            return None
        user_id = self._user_template.format(local=local)
        return UserRef("matrix", user_id, user_id, self.workspace)

    def address(self, room_id: str) -> Address:
        return Address("matrix", self.workspace, room_id)

    async def send(self, address: Address, message: OutgoingMessage, *,
                   delivery_id: str | None = None) -> MessageRef:
        room_id = await self._room_id(address.channel)
        return await self.post(room_id, message, txn=transaction_id(delivery_id))

    async def send_direct(self, user: UserRef, message: OutgoingMessage, *,
                          delivery_id: str | None = None) -> MessageRef:
        room_id = await self.direct_room(user.id)
        return await self.post(room_id, message, txn=transaction_id(delivery_id))

    async def update(self, ref: MessageRef, message: OutgoingMessage) -> None:
        room_id = ref.address.channel
        # The picture of the original stays; an edit only replaces the text.
        content = render(message, direct=self._directs.is_direct(room_id), locale=self._locale,
                         image_sent=message.image is not None)
        await self._room_send(room_id, edit(ref.message_id, content), transaction_id(None))
        await self._choices.remember(ref.message_id, room_id, message.choices)

    async def members(self, address: Address) -> Sequence[UserRef] | None:
        room_id = await self._room_id(address.channel)
        answer = await self._call(self._client.joined_members(room_id), "members")
        raise_for(answer, "members")
        assert isinstance(answer, JoinedMembersResponse)
        return [UserRef("matrix", m.user_id, m.display_name or "", self.workspace)
                for m in answer.members if m.user_id != self._client.user_id]

    async def reaction_count(self, ref: MessageRef) -> int | None:
        """The reactions on an event: its ``m.annotation`` relations, page by page. nio does not
        wrap the relations API, so this is a raw client-server call on nio's own session."""
        room_id = await self._room_id(ref.address.channel)
        path = (f"/_matrix/client/v1/rooms/{quote(room_id, safe='')}/relations/"
                f"{quote(ref.message_id, safe='')}/m.annotation")
        count, since = 0, ""
        for _ in range(RELATION_PAGES):
            query = {"limit": "100", **({"from": since} if since else {})}
            page = await self._get_json(f"{path}?{urlencode(query)}", "reactions")
            count += len(page.get("chunk") or [])
            since = str(page.get("next_batch") or "")
            if not since:
                return count
        return None  # more than we page through: an undercount would read as the real number

    async def _get_json(self, path: str, what: str) -> dict[str, Any]:
        try:
            answer = await raw_call(self._client, "GET", path)
        except (ClientError, TimeoutError, OSError, ValueError) as exc:
            raise DeliveryError(f"{what}: {type(exc).__name__}") from exc
        body, status, retry = answer.body, answer.status, answer.retry_after
        if status == 429:
            retry_ms = (body or {}).get("retry_after_ms") if isinstance(body, dict) else None
            seconds = float(retry) if retry and retry.isdecimal() else (retry_ms or 5000) / 1000
            raise DeliveryError(f"{what}: rate limited", retry_after=seconds)
        if status != 200 or not isinstance(body, dict):
            code = str(body.get("errcode") or status) if isinstance(body, dict) else str(status)
            raise DeliveryError(f"{what}: {code}", permanent=code in PERMANENT_CODES)
        return body

    # -- the parts the adapter reuses for replies ----------------------------------------
    async def post(self, room_id: str, message: OutgoingMessage, *, txn: str,
                   extra: dict[str, Any] | None = None) -> MessageRef:
        """Render and send ``message`` to a room (its image as a second event); remember its
        choices. Both events have transaction ids derived from ``txn``."""
        await self._await_room(room_id)
        image = await self._upload(room_id, message.image) if message.image else None
        content = render(message, direct=self._directs.is_direct(room_id), locale=self._locale,
                         image_sent=image is not None)
        content.update(extra or {})
        event_id = await self._room_send(room_id, content, txn)
        if message.choices:
            await self._choices.remember(event_id, room_id, message.choices)
        if image is not None:
            await self._room_send(room_id, image, f"{txn}-image")
        return MessageRef(self.address(room_id), event_id)

    async def _upload(self, room_id: str, image: Image) -> dict[str, Any] | None:
        """Upload a chart (encrypted for an encrypted room); None when that fails, so the
        message goes out with the image's text instead of not at all."""
        room = self._client.rooms.get(room_id)
        encrypted = bool(room is not None and room.encrypted)
        try:
            answer, keys = await self._client.upload(
                lambda *_: io.BytesIO(image.png), content_type="image/png",
                filename=image.filename, encrypt=encrypted, filesize=len(image.png))
        except (ClientError, TimeoutError, OSError):
            answer, keys = None, None
        if not isinstance(answer, UploadResponse):
            log.warning("matrix image upload failed; sending its text instead")
            return None
        return image_content(image, str(answer.content_uri), keys if encrypted else None)

    async def open_group(self, users: Sequence[UserRef], *, name: str) -> Address:
        """A new private room with ``users`` invited (commands.port.GroupPort; verbinden)."""
        room_id = await create_group_room(self._client, users, name=name,
                                          encrypt=self._encrypt_direct)
        self._fresh[room_id] = users[-1].id  # the first send waits for the invitations
        return self.address(room_id)

    async def direct_room(self, user_id: str) -> str:
        """The DM room with ``user_id``: the known one while they are still in it, else new."""
        if not user_id.startswith("@") or ":" not in user_id:
            raise DeliveryError("not a Matrix user id (@name:server)", permanent=True)
        lock = self._dm_locks.setdefault(user_id, asyncio.Lock())
        async with lock:
            known = self._directs.room_of(user_id)
            if known and self._still_direct(known, user_id):
                return known
            return await self._create_direct(user_id)

    def _still_direct(self, room_id: str, user_id: str) -> bool:
        """A DM we just created counts before a sync shows its invitation: newer Synapse
        versions sync the new room before the invite event, and treating that as "the person
        left" made a second DM for every message sent in between."""
        if self._fresh.get(room_id) == user_id:
            return True
        room = self._client.rooms.get(room_id)
        return room is not None and user_id in room.users

    async def _create_direct(self, user_id: str) -> str:
        answer = await self._call(self._client.room_create(
            is_direct=True, invite=[user_id], preset=RoomPreset.trusted_private_chat,
            initial_state=[_ENCRYPTION] if self._encrypt_direct else [],
        ), "create direct room")
        raise_for(answer, "create direct room")
        assert isinstance(answer, RoomCreateResponse)
        self._fresh[answer.room_id] = user_id
        await self._directs.set(user_id, answer.room_id)
        return str(answer.room_id)

    async def _room_id(self, channel: str) -> str:
        if not channel.startswith("#"):
            return channel
        answer = await self._call(self._client.room_resolve_alias(channel), "resolve alias")
        raise_for(answer, "resolve alias")
        assert isinstance(answer, RoomResolveAliasResponse)
        return str(answer.room_id)

    async def _room_send(self, room_id: str, content: dict[str, Any], txn: str) -> str:
        await self._await_room(room_id)
        answer = await self._call(self._client.room_send(
            room_id, "m.room.message", content, tx_id=txn, ignore_unverified_devices=True,
        ), "send")
        raise_for(answer, "send")
        assert isinstance(answer, RoomSendResponse)
        return str(answer.event_id)

    async def _await_room(self, room_id: str) -> None:
        """nio encrypts only for rooms (and members) it has synced. A DM created a moment ago,
        or a room joined a moment ago, appears with the next sync (the change wakes the
        long-poll at once); a room the bot is not in at all is a permanent failure."""
        if self._room_ready(room_id):
            self._fresh.pop(room_id, None)
            return
        if room_id not in self._fresh and not await self._joined_on_server(room_id):
            raise DeliveryError("the bot is not in this room", permanent=True)
        deadline = asyncio.get_running_loop().time() + ROOM_WAIT
        while not self._room_ready(room_id):
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise DeliveryError("room not synced yet")
            await self._sync.wait(min(left, 1.0))
        self._fresh.pop(room_id, None)

    def _room_ready(self, room_id: str) -> bool:
        room = self._client.rooms.get(room_id)
        if room is None:
            return False
        invitee = self._fresh.get(room_id)
        return invitee is None or invitee in room.users

    async def _joined_on_server(self, room_id: str) -> bool:
        answer = await self._call(self._client.joined_rooms(), "joined rooms")
        raise_for(answer, "joined rooms")
        return room_id in getattr(answer, "rooms", [])

    @staticmethod
    async def _call(request: Any, what: str) -> Any:
        try:
            return await request
        except (ClientError, TimeoutError, OSError) as exc:
            raise DeliveryError(f"{what}: {type(exc).__name__}") from exc
        except (LocalProtocolError, SendRetryError) as exc:
            raise DeliveryError(f"{what}: {exc}") from exc
