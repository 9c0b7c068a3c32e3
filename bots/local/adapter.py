"""The local adapter: a chat platform inside the process, for trying every feature without a
chat account, for scripted demos and for tests. ``hartslag chat`` drives it from a terminal
or a script; ``hartslag run`` serves it over HTTP (``POST /local/say``, ``/local/press``)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bots.adapter import Sink
from bots.local.port import WORKSPACE, LocalPort, channel_address, dm_address
from bots.local.settings import LocalSettings
from bots.local.world import LocalMessage, World
from commands.model import (
    Address,
    Form,
    InboundMessage,
    Interaction,
    MessageRef,
    OutgoingMessage,
    Reply,
    Request,
    UserRef,
)

log = logging.getLogger("hartslag.local")

MENTION = "@hartslag"


class LocalAdapter:
    platform = "local"

    def __init__(self, settings: LocalSettings, *, world: World | None = None) -> None:
        self.world = world or World.with_channels(settings.channels)
        self._port = LocalPort(self.world, files_dir=Path(settings.files_dir))
        self._sink: Sink | None = None

    @property
    def port(self) -> LocalPort:
        return self._port

    def routes(self) -> Sequence[BaseRoute]:
        return [Route("/local/say", self._http_say, methods=["POST"]),
                Route("/local/press", self._http_press, methods=["POST"])]

    async def start(self, sink: Sink) -> None:
        self._sink = sink

    async def stop(self) -> None:
        self._sink = None

    def health(self) -> str | None:
        return None if self._sink is not None else "not started"

    # -- what people do -------------------------------------------------------------------
    async def say(self, user: str, place: str, text: str) -> None:
        """``user`` writes ``text`` in ``place`` (``#channel``, or ``@user`` for the DM)."""
        direct = place.startswith("@")
        address = dm_address(user) if direct else channel_address(place)
        if not direct:
            self.world.join(place, user)
        posted = self.world.post(address.channel, user, OutgoingMessage(text))
        mentioned = MENTION in text.lower()
        clean = text.replace(MENTION, "").strip() if mentioned else text
        request = InboundMessage(_user(user), address, clean, is_direct=direct,
                                 mentioned=mentioned, message_id=str(posted.number))
        await self._handle(request, user)

    async def press(self, user: str, place: str, choice: int, *, message: int | None = None) -> str | None:
        """Press choice ``choice`` (1-based) of ``message`` or of the latest message with
        choices that ``user`` sees in ``place``. Returns a problem description or None."""
        target = self._target(user, place, message)
        if target is None:
            return "no message with choices here"
        if not 1 <= choice <= len(target.choices):
            return f"message {target.number} has choices 1-{len(target.choices)}"
        picked = target.choices[choice - 1]
        address = Address("local", WORKSPACE, target.place)
        request = Interaction(_user(user), address, picked.action, picked.value,
                              MessageRef(address, str(target.number)))
        await self._handle(request, user)
        return None

    def _target(self, user: str, place: str, number: int | None) -> LocalMessage | None:
        real_place = f"@{user}" if place.startswith("@") else place
        if number is None:
            return self.world.latest_with_choices(user, real_place)
        found = self.world.get(number)
        if found is None or not found.choices or found.only_for not in (None, user):
            return None
        if found.place.startswith("@") and found.place != f"@{user}":
            return None
        return found

    # -- replies --------------------------------------------------------------------------
    async def _handle(self, request: Request, user: str) -> None:
        if self._sink is None:
            raise RuntimeError("local adapter not started")
        reply = await self._sink(request)
        if reply is not None:
            await self._deliver(reply, request, user)

    async def _deliver(self, reply: Reply, request: Request, user: str) -> None:
        message = reply.message or (_form_as_text(reply.form) if reply.form else None)
        if message is None:
            return
        source = request.message if isinstance(request, Interaction) else None
        if reply.replace and source is not None:
            await self._port.update(source, message)
            return
        address = request.address
        if reply.private and not address.channel.startswith("@"):
            await self._port.post_private(address, user, message)
        else:
            await self._port.send(address, message)

    # -- HTTP (hartslag run) ----------------------------------------------------------------
    async def _http_say(self, request: HttpRequest) -> Response:
        body = await _json(request)
        user, place, text = (body.get(k) for k in ("user", "place", "text"))
        if not (isinstance(user, str) and isinstance(place, str) and isinstance(text, str)):
            return JSONResponse({"error": "send JSON with user, place and text"}, status_code=400)
        before = len(self.world.messages)
        await self.say(user, place, text)
        return JSONResponse({"messages": _dump(self.world.messages[before:])})

    async def _http_press(self, request: HttpRequest) -> Response:
        body = await _json(request)
        user, choice, message = body.get("user"), body.get("choice"), body.get("message")
        if not (isinstance(user, str) and isinstance(choice, int)
                and (message is None or isinstance(message, int))):
            return JSONResponse({"error": "send JSON with user, place, choice (and message)"},
                                status_code=400)
        before = len(self.world.messages)
        problem = await self.press(user, str(body.get("place", "")), choice, message=message)
        if problem:
            return JSONResponse({"error": problem}, status_code=404)
        return JSONResponse({"messages": _dump(self.world.messages[before:])})


def _user(name: str) -> UserRef:
    return UserRef("local", name, name, WORKSPACE)


def _form_as_text(form: Form) -> OutgoingMessage:
    lines = [f"**{form.title}**"] + [f"- {field.label}" for field in form.fields]
    return OutgoingMessage("\n".join(lines))


async def _json(request: HttpRequest) -> dict[str, object]:
    """The JSON object of the request, or {} for anything else (answered with 400)."""
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _dump(messages: list[LocalMessage]) -> list[dict[str, object]]:
    return [{"number": m.number, "place": m.place, "author": m.author, "text": m.text,
             "only_for": m.only_for, "choices": [c.label for c in m.choices]} for m in messages]
