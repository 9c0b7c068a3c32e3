"""People for the Matrix tests: real nio clients with E2EE, as a person's Element would be.

Each person syncs in a background task, joins every room they are invited to, and records
the messages and edits they see; ``wait_for`` polls that record (bounded in time).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from nio import (
    AsyncClient,
    AsyncClientConfig,
    InviteMemberEvent,
    MatrixRoom,
    RoomCreateResponse,
    RoomEncryptedImage,
    RoomMessageImage,
    RoomMessageNotice,
    RoomMessageText,
    RoomSendResponse,
)

from tests.matrix.homeserver import MatrixUser

WAIT = 20.0
ENCRYPTION = {"type": "m.room.encryption", "state_key": "",
              "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


@dataclass
class Seen:
    room_id: str
    event: RoomMessageText | RoomMessageNotice

    @property
    def body(self) -> str:
        return str(self.event.body)

    @property
    def content(self) -> dict[str, Any]:
        return dict(self.event.source.get("content", {}))


class Person:
    def __init__(self, url: str, user: MatrixUser, store: Path) -> None:
        store.mkdir(parents=True, exist_ok=True)
        config = AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False,
                                   max_limit_exceeded=0, max_timeouts=2)
        self.user = user
        self.client = AsyncClient(url, user.user_id, device_id=user.device_id,
                                  store_path=str(store), config=config)
        self.client.restore_login(user.user_id, user.device_id, user.access_token)
        self.seen: list[Seen] = []
        self.images: list[tuple[str, RoomMessageImage | RoomEncryptedImage]] = []
        self._task: asyncio.Task[None] | None = None
        self.client.add_event_callback(self._on_text, (RoomMessageText, RoomMessageNotice))
        self.client.add_event_callback(self._on_invite, InviteMemberEvent)
        self.client.add_event_callback(self._on_image, (RoomMessageImage, RoomEncryptedImage))

    @property
    def id(self) -> str:
        return self.user.user_id

    async def start(self) -> None:
        await self.client.sync(timeout=0, full_state=True)
        if self.client.should_upload_keys:
            await self.client.keys_upload()
        self._task = asyncio.create_task(self.client.sync_forever(timeout=5000),
                                         name="test.person.sync")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self.client.close()

    async def _on_text(self, room: MatrixRoom,
                       event: RoomMessageText | RoomMessageNotice) -> None:
        self.seen.append(Seen(room.room_id, event))

    async def _on_image(self, room: MatrixRoom,
                        event: RoomMessageImage | RoomEncryptedImage) -> None:
        self.images.append((room.room_id, event))

    async def _on_invite(self, room: MatrixRoom, event: InviteMemberEvent) -> None:
        if event.state_key == self.id and event.membership == "invite":
            await self.client.join(room.room_id)

    # -- what a person does -----------------------------------------------------------------
    async def create_room(self, *, invite: list[str], direct: bool = False,
                          encrypted: bool = False, name: str | None = None,
                          alias: str | None = None, room_version: str | None = None) -> str:
        answer = await self.client.room_create(
            name=name, alias=alias, is_direct=direct, invite=invite, room_version=room_version,
            initial_state=[ENCRYPTION] if encrypted else [],
        )
        assert isinstance(answer, RoomCreateResponse), answer
        room_id = str(answer.room_id)
        for user_id in invite:
            await self.wait_until(partial(self._joined, room_id, user_id),
                                  f"{user_id} to join {room_id}")
        return room_id

    def _joined(self, room_id: str, user_id: str) -> bool:
        room = self.client.rooms.get(room_id)
        return room is not None and user_id in room.users and user_id not in room.invited_users

    async def say(self, room_id: str, text: str, *, reply_to: str | None = None) -> str:
        await self.wait_until(lambda: room_id in self.client.rooms, f"room {room_id}")
        content: dict[str, Any] = {"msgtype": "m.text", "body": text}
        if reply_to:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
        return await self._send(room_id, "m.room.message", content)

    async def react(self, room_id: str, event_id: str, key: str) -> str:
        content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id,
                                    "key": key}}
        return await self._send(room_id, "m.reaction", content)

    async def _send(self, room_id: str, kind: str, content: dict[str, Any]) -> str:
        answer = await self.client.room_send(room_id, kind, content,
                                             ignore_unverified_devices=True)
        assert isinstance(answer, RoomSendResponse), answer
        return str(answer.event_id)

    # -- what a person sees -----------------------------------------------------------------
    def from_user(self, sender: str, room_id: str | None = None) -> list[Seen]:
        return [s for s in self.seen if s.event.sender == sender
                and (room_id is None or s.room_id == room_id)]

    async def wait_for(self, sender: str, match: Callable[[Seen], bool] = lambda s: True, *,
                       room_id: str | None = None, what: str = "a message",
                       after: Seen | None = None) -> Seen:
        """The first message from `sender` that matches; with `after`, only messages seen
        later than that one (a reply that quotes a question must not count as the question)."""
        found: list[Seen] = []
        start = 0 if after is None else self.seen.index(after) + 1

        def check() -> bool:
            later = self.seen[start:]
            found[:] = [s for s in later if s.event.sender == sender
                        and (room_id is None or s.room_id == room_id) and match(s)]
            return bool(found)

        await self.wait_until(check, what)
        return found[0]

    async def wait_until(self, check: Callable[[], bool], what: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT
        while not check():
            if loop.time() > deadline:
                raise AssertionError(f"{self.id} waited {WAIT:.0f} s for {what}")
            await asyncio.sleep(0.05)
