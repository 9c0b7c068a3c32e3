"""Which rooms the bot is in: invitations checked against the allow-lists, DM rooms kept.

An invitation is accepted when the inviter is on an allowed server or the room is an allowed
room (ids, or aliases resolved at start); with both lists empty, from the bot's own server
only. An invitation marked ``is_direct`` (Element's "Start chat") becomes the inviter's DM
room; when that person leaves it, the bot leaves too and makes a new one when needed.
"""

from __future__ import annotations

import logging

from nio import AsyncClient, JoinResponse, RoomResolveAliasResponse

from bots.matrix.settings import MatrixSettings
from bots.matrix.state import DirectRooms

log = logging.getLogger("hartslag.matrix")


class RoomPolicy:
    def __init__(self, client: AsyncClient, settings: MatrixSettings,
                 directs: DirectRooms) -> None:
        self._client = client
        self._settings = settings
        self._directs = directs
        self._allowed_rooms: set[str] = set()
        self._joining: set[str] = set()

    async def resolve_allowed_rooms(self) -> None:
        """Turn aliases on the allow-list into room ids (once, at start)."""
        for room in self._settings.allowed_rooms:
            if room.startswith("!"):
                self._allowed_rooms.add(room)
                continue
            answer = await self._client.room_resolve_alias(room)
            if isinstance(answer, RoomResolveAliasResponse):
                self._allowed_rooms.add(answer.room_id)
            else:
                log.warning("matrix.allowed_rooms: alias not found", extra={"alias": room})

    def may_join(self, room_id: str, inviter: str) -> bool:
        servers = set(self._settings.allowed_servers)
        if not servers and not self._settings.allowed_rooms:
            servers = {self._settings.server_name}
        return inviter.partition(":")[2] in servers or room_id in self._allowed_rooms

    def claim(self, room_id: str) -> bool:
        """True once per pending invitation (a sync may show it again before we answer)."""
        if room_id in self._joining or room_id in self._client.rooms:
            return False
        self._joining.add(room_id)
        return True

    async def answer_invite(self, room_id: str, inviter: str, direct: bool) -> None:
        try:
            if not self.may_join(room_id, inviter):
                log.info("matrix invitation declined (not on the allow-lists)")
                await self._client.room_leave(room_id)
                return
            answer = await self._client.join(room_id)
            if not isinstance(answer, JoinResponse):
                log.warning("matrix join failed", extra={"reason": str(answer.status_code)})
                return
            if direct:
                await self._directs.set(inviter, room_id)
        finally:
            self._joining.discard(room_id)

    async def leave_direct(self, room_id: str) -> None:
        """The person left their DM: forget it and leave as well."""
        await self._directs.forget(room_id)
        await self._client.room_leave(room_id)
