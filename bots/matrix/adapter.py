"""The Matrix adapter: nio ``AsyncClient`` with end-to-end encryption.

Start-up: restore the login of the same device, load the crypto store, do one full sync, and
only then handle events. With a stored sync token the events of that first sync arrived
while the bot was down and are handled; on a fresh start they are history and are skipped.
Events of one room are handled one after another (a DM conversation keeps its order);
different rooms run side by side. Invitations are accepted only from allowed servers or to
allowed rooms; an invitation marked ``is_direct`` becomes that person's DM room.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from nio import (
    InviteMemberEvent,
    MatrixRoom,
    MegolmEvent,
    ReactionEvent,
    RoomMemberEvent,
    RoomMessageText,
)
from starlette.routing import BaseRoute

from bots.adapter import Sink
from bots.matrix.crosssigning import CrossSigning, CrossSigningError
from bots.matrix.inbound import OutOfRange, Text, translate_reaction, translate_text
from bots.matrix.messages import MATRIX
from bots.matrix.port import MatrixPort, transaction_id
from bots.matrix.rooms import RoomPolicy
from bots.matrix.session import Paths, build_client, login
from bots.matrix.settings import MatrixSettings
from bots.matrix.state import ChoiceBook, DirectRooms
from bots.matrix.sync import SyncLoop
from bots.matrix.unreadable import Unreadable
from bots.matrix.workarounds import on_room_key_withheld, quiet_nio_logs
from commands.logsafe import error_fields
from commands.model import Interaction, OutgoingMessage, Reply, Request, UserRef
from commands.port import DeliveryError

log = logging.getLogger("hartslag.matrix")

REPLY_ATTEMPTS = 3
MAX_REPLY_WAIT = 30.0
STOP_GRACE = 5.0
CROSS_SIGNING_WAIT = 30.0

Work = Callable[..., Awaitable[None]]


class MatrixAdapter:
    """Lifecycle and inbound side; ``port`` is the outbound side."""

    platform = "matrix"

    def __init__(self, settings: MatrixSettings, *, default_locale: str = "nl") -> None:
        self.settings = settings
        quiet_nio_logs()  # nio logs user ids: anonymous senders among them
        self.locale = settings.default_locale or default_locale
        self._paths = Paths(Path(settings.data_dir))
        self.client = build_client(settings, self._paths)
        self.sync = SyncLoop(self.client, timeout_ms=settings.sync_timeout_ms)
        self.directs = DirectRooms(self._paths.file("direct.json"))
        self.choices = ChoiceBook(self._paths.root / "choices.sqlite3")
        self._port = MatrixPort(self.client, self.sync, directs=self.directs,
                                choices=self.choices, locale=self.locale,
                                encrypt_direct=settings.encrypt_direct_rooms,
                                user_template=settings.user_template)
        self._sink: Sink | None = None
        self._ready = False
        self._pending: list[tuple[str, Work, tuple[Any, ...]]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._room_locks: dict[str, asyncio.Lock] = {}
        self.rooms = RoomPolicy(self.client, settings, self.directs)
        self.unreadable = Unreadable()
        self.cross_signing = CrossSigning(self.client, self._paths.file("cross_signing.json"),
                                          password=settings.password)
        self.cross_signing_problem: str | None = None

    @property
    def port(self) -> MatrixPort:
        return self._port

    def routes(self) -> Sequence[BaseRoute]:
        return []  # Matrix is pulled by the sync loop; nothing to mount

    # -- lifecycle ------------------------------------------------------------------------
    async def start(self, sink: Sink) -> None:
        self._sink = sink
        await login(self.client, self.settings, self._paths)
        await asyncio.to_thread(self.directs.load)
        await asyncio.to_thread(self.choices.load)
        self._register_callbacks()
        await self.rooms.resolve_allowed_rooms()
        resumed = await self.sync.first_sync()
        await self._cross_sign()
        pending, self._pending = self._pending, []
        self._ready = True
        if resumed:
            for room_id, work, args in pending:
                self._spawn(room_id, work, *args)
        self.sync.start()
        log.info("matrix connected", extra={"resumed": resumed, "skipped": 0 if resumed
                                            else len(pending)})

    async def stop(self) -> None:
        await self.sync.stop()
        if self._tasks:
            _, running = await asyncio.wait(set(self._tasks), timeout=STOP_GRACE)
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
        self._ready = False
        self._sink = None
        await self.client.close()
        await asyncio.to_thread(self.choices.close)

    def health(self) -> str | None:
        if self.sync.problem:
            return self.sync.problem
        last = self.sync.last_ok
        limit = self.settings.sync_timeout_ms / 1000 * 2 + 60
        if last is not None and time.monotonic() - last > limit:
            return f"no sync for {int(time.monotonic() - last)} s"
        return None

    async def _cross_sign(self) -> None:
        """Cross-sign this device (after the first sync has uploaded its keys). A failure is
        not fatal: clients that accept unverified devices still work, so say it and go on."""
        try:
            async with asyncio.timeout(CROSS_SIGNING_WAIT):
                await self.cross_signing.ensure()
            self.cross_signing_problem = None
        except (CrossSigningError, TimeoutError) as exc:
            self.cross_signing_problem = str(exc) or "matrix cross-signing: timed out"
            log.warning("%s; clients that only trust cross-signed devices will not talk to "
                        "the bot", self.cross_signing_problem)

    # -- event intake ---------------------------------------------------------------------
    def _register_callbacks(self) -> None:
        self.client.add_event_callback(self._on_text, RoomMessageText)
        self.client.add_event_callback(self._on_reaction, ReactionEvent)
        self.client.add_event_callback(self._on_undecryptable, MegolmEvent)
        self.client.add_event_callback(self._on_member, RoomMemberEvent)
        self.client.add_event_callback(self._on_invite, InviteMemberEvent)
        # Recorded at once: nio handles to-device events before the room events of a sync.
        on_room_key_withheld(self.client, self.unreadable.withheld)

    def _submit(self, room_id: str, work: Work, *args: Any) -> None:
        """Callbacks run inside nio's sync processing: hand the work to a task and return."""
        if not self._ready:
            self._pending.append((room_id, work, args))
            return
        self._spawn(room_id, work, *args)

    def _spawn(self, room_id: str, work: Work, *args: Any) -> None:
        task = asyncio.create_task(self._in_order(room_id, work, *args),
                                   name="hartslag.matrix.event")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _in_order(self, room_id: str, work: Work, *args: Any) -> None:
        async with self._room_locks.setdefault(room_id, asyncio.Lock()):
            try:
                await work(*args)
            except Exception as exc:
                # Never the text or the sender: the event may belong to an anonymous flow.
                log.error("matrix event handling failed", extra=error_fields(exc))

    async def _on_text(self, room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender != self.client.user_id:
            self._submit(room.room_id, self._handle_text, room, event)

    async def _on_reaction(self, room: MatrixRoom, event: ReactionEvent) -> None:
        if event.sender != self.client.user_id:
            self._submit(room.room_id, self._handle_reaction, room, event)

    async def _on_undecryptable(self, room: MatrixRoom, event: MegolmEvent) -> None:
        code = self.unreadable.code_of(event.session_id) or "no key"
        log.warning("matrix event could not be decrypted", extra={"reason": code})
        if self._ready:
            self._spawn(room.room_id, self._request_key, event)
            key = self.unreadable.notice(room.room_id, event.sender, event.session_id,
                                         direct=self.directs.is_direct(room.room_id))
            if key is not None:
                self._spawn(room.room_id, self._tell_unreadable, room.room_id, event, key)

    async def _on_member(self, room: MatrixRoom, event: RoomMemberEvent) -> None:
        person = self.directs.user_of(room.room_id)
        if person == event.state_key and event.membership in ("leave", "ban"):
            self._submit(room.room_id, self.rooms.leave_direct, room.room_id)

    async def _on_invite(self, room: MatrixRoom, event: InviteMemberEvent) -> None:
        if event.state_key != self.client.user_id or event.membership != "invite":
            return
        if self.rooms.claim(room.room_id):
            direct = bool((event.content or {}).get("is_direct"))
            self._spawn(room.room_id, self.rooms.answer_invite, room.room_id, event.sender,
                        direct)

    # -- handling -------------------------------------------------------------------------
    def _user(self, room: MatrixRoom, user_id: str) -> UserRef:
        return UserRef("matrix", user_id, room.user_name(user_id) or "",
                       self.port.workspace)

    async def _handle_text(self, room: MatrixRoom, event: RoomMessageText) -> None:
        address = self.port.address(room.room_id)
        direct = self.directs.is_direct(room.room_id)
        text = Text(self._user(room, event.sender), address, event.event_id, event.body or "",
                    event.source.get("content", {}), direct)
        found = translate_text(text, bot_id=self.client.user_id, bot_names=self._names(room),
                               choices=self.choices.messages,
                               latest=self.choices.latest(room.room_id) if direct else None)
        if isinstance(found, OutOfRange):
            hint = MATRIX.get(self.locale, "number.range", count=found.count)
            await self._deliver(Reply.text(hint), None, room.room_id, event)
        elif found is not None:
            await self._dispatch(found, room.room_id, event)

    def _names(self, room: MatrixRoom) -> tuple[str, ...]:
        """What people may type to address the bot: its name in this room (what their client
        shows and completes), its localpart and the configured names."""
        own = room.users.get(self.client.user_id)
        shown = (room.user_name(self.client.user_id) or "",
                 own.display_name or "" if own is not None else "")
        localpart = self.client.user_id.partition(":")[0].lstrip("@")
        return (*shown, localpart, *self.settings.names)

    async def _handle_reaction(self, room: MatrixRoom, event: ReactionEvent) -> None:
        request = translate_reaction(self._user(room, event.sender),
                                     self.port.address(room.room_id), event.reacts_to,
                                     event.key, self.choices.messages)
        if request is not None:
            await self._dispatch(request, room.room_id, event)

    async def _dispatch(self, request: Request, room_id: str, event: Any) -> None:
        if self._sink is None:
            return
        reply = await self._sink(request)
        if reply is not None:
            await self._deliver(reply, request, room_id, event)

    async def _deliver(self, reply: Reply, request: Request | None, room_id: str,
                       event: Any) -> None:
        """Private replies in a room go to the person's DM; ``replace`` edits the message
        the interaction came from. The transaction id derives from the event answered, so a
        retried reply never posts twice."""
        message = reply.message
        if message is None:
            return
        if reply.replace and isinstance(request, Interaction) and request.message is not None:
            await self.port.update(request.message, message)
            return
        txn = transaction_id(f"re-{event.event_id}")
        if self.directs.is_direct(room_id) or not reply.private:
            extra = {} if self.directs.is_direct(room_id) else {
                "m.relates_to": {"m.in_reply_to": {"event_id": event.event_id}}}
            await self._retrying(room_id, message, txn, extra)
        else:
            dm = await self.port.direct_room(event.sender)
            await self._retrying(dm, message, txn, {})

    async def _retrying(self, room_id: str, message: OutgoingMessage, txn: str,
                        extra: dict[str, Any]) -> None:
        """Replies have no outbox behind them: wait out a 429 a few times here."""
        for attempt in range(1, REPLY_ATTEMPTS + 1):
            try:
                await self.port.post(room_id, message, txn=txn, extra=extra)
                return
            except DeliveryError as exc:
                if exc.retry_after is None or attempt == REPLY_ATTEMPTS:
                    raise
                await asyncio.sleep(min(exc.retry_after, MAX_REPLY_WAIT))

    async def _tell_unreadable(self, room_id: str, event: MegolmEvent, key: str) -> None:
        """Say what to change, as a notice answering the unreadable message."""
        extra: dict[str, Any] = {"msgtype": "m.notice"}
        if not self.directs.is_direct(room_id):
            extra["m.relates_to"] = {"m.in_reply_to": {"event_id": event.event_id}}
        message = OutgoingMessage(MATRIX.get(self.locale, key))
        await self._retrying(room_id, message, transaction_id(f"unreadable-{event.event_id}"),
                            extra)

    async def _request_key(self, event: MegolmEvent) -> None:
        try:
            await self.client.request_room_key(event)
        except Exception as exc:
            log.debug("matrix room key request not sent", extra=error_fields(exc))
