"""Group conversations on Matrix: a new private room, named after the programme, with the
group's people invited (encrypted like the bot's DMs when configured). The bot creates the
room and posts the introduction. With three or more members the room is no DM, so what
people write there is ignored (bots.matrix.inbound answers only commands and mentions) and
nothing of it is stored."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiohttp import ClientError
from nio import AsyncClient, ErrorResponse, RoomCreateResponse, RoomPreset

from commands.model import UserRef
from commands.port import DeliveryError

ENCRYPTION = {"type": "m.room.encryption", "state_key": "",
              "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


async def create_group_room(client: AsyncClient, users: Sequence[UserRef], *, name: str,
                            encrypt: bool) -> str:
    invite = sorted({u.id for u in users if u.platform == "matrix"})
    if len(invite) < 2 or len(invite) != len(users):
        raise DeliveryError("a Matrix group room takes two or more Matrix users", permanent=True)
    try:
        answer: Any = await client.room_create(
            name=name[:100], invite=invite, preset=RoomPreset.private_chat,
            initial_state=[ENCRYPTION] if encrypt else [])
    except (ClientError, TimeoutError, OSError) as exc:
        raise DeliveryError(f"create group room: {type(exc).__name__}") from exc
    if isinstance(answer, ErrorResponse):
        retry = answer.retry_after_ms
        raise DeliveryError(f"create group room: {answer.status_code or 'error'}",
                            retry_after=retry / 1000 if retry else None)
    assert isinstance(answer, RoomCreateResponse)
    return str(answer.room_id)
