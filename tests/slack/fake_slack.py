"""A local fake of the Slack Web API (and the Socket Mode websocket) on 127.0.0.1.

The real ``slack_sdk`` clients talk to it through ``base_url``. It answers ``/api/<method>``
for the methods hartslag uses, records every call, and misbehaves on request: answer 429 with
Retry-After, return an error such as ``channel_not_found``, a 5xx, or answer slowly.

Socket Mode: ``apps.connections.open`` hands out ``ws://127.0.0.1:<port>/socket``; the fake
sends ``hello`` on connect, :meth:`FakeSlack.push_envelope` sends an envelope and
:meth:`FakeSlack.wait_ack` waits for the app's acknowledgement on the socket.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web


@dataclass
class Call:
    """One recorded request: the API method and its merged arguments."""

    method: str
    args: dict[str, Any]
    at: float
    token: str = ""


@dataclass
class Fault:
    """A planned misbehaviour for the next ``times`` calls of a method."""

    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    delay: float = 0.0
    times: int = 1
    lands: bool = False  # the call takes effect, only the answer is an error (a lost reply)


@dataclass
class Posted:
    """A message as the fake channel history holds it."""

    channel: str
    ts: str
    text: str
    blocks: list[Any] = field(default_factory=list)
    metadata: dict[str, Any] | None = None
    thread_ts: str | None = None
    user: str | None = None
    reactions: list[dict[str, Any]] = field(default_factory=list)  # as reactions.get has them


class _ApiError(Exception):
    """Raised by a fake method to answer ``{"ok": false, "error": code}``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _decode(value: str) -> Any:
    """Form fields that carry JSON (blocks, metadata, files) arrive as strings."""
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeSlack:
    """The fake server. Use as ``async with FakeSlack() as slack: slack.base_url``."""

    team_id = "T0HART"
    bot_user_id = "U0BOT"

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.faults: dict[str, list[Fault]] = {}
        self.history: dict[str, list[Posted]] = {}
        self.members: dict[str, list[str]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, bytes] = {}
        self.responses: list[tuple[str, dict[str, Any]]] = []  # response_url posts
        self.response_attempts = 0  # response_url tries, failed ones included
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._socket_ready = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ------------------------------------------------------------------------
    async def __aenter__(self) -> FakeSlack:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/respond/{hook}", self._respond)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()  # the OS picks a free port
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, hook: str = "r1") -> str:
        return f"{self.url}/respond/{hook}"

    # -- arranging ------------------------------------------------------------------------
    def add_user(self, user_id: str, name: str, *, locale: str = "nl-NL", bot: bool = False,
                 email: str = "") -> None:
        self.users[user_id] = {
            "id": user_id, "team_id": self.team_id, "name": name.lower(), "real_name": name,
            "locale": locale, "is_bot": bot, "email": email.lower(),
            "profile": {"display_name": name, "real_name": name, "email": email},
        }

    def react(self, channel: str, ts: str, name: str, *users: str) -> None:
        """People react to a posted message with the emoji ``name`` (shown by reactions.get)."""
        posted = self._find(channel, ts)
        if posted is None:
            raise KeyError(f"no message {ts} in {channel}")
        for reaction in posted.reactions:
            if reaction["name"] == name:
                reaction["users"] += list(users)
                reaction["count"] += len(users)
                return
        posted.reactions.append({"name": name, "users": list(users), "count": len(users)})

    def fail(self, method: str, error: str, *, times: int = 1, status: int = 200,
             lands: bool = False) -> None:
        """The next ``times`` calls of ``method`` answer ``{"ok": false, "error": error}`` (or
        the HTTP ``status``). ``lands``: the call still takes effect (the answer got lost)."""
        self.faults.setdefault(method, []).append(
            Fault(status=status, error=error, times=times, lands=lands))

    def rate_limit(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer 429 with Retry-After."""
        self.faults.setdefault(method, []).append(
            Fault(status=429, error="ratelimited", retry_after=retry_after, times=times)
        )

    def slow(self, method: str, seconds: float, *, times: int = 1) -> None:
        self.faults.setdefault(method, []).append(Fault(delay=seconds, times=times))

    # -- inspecting -----------------------------------------------------------------------
    def called(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, method: str, count: int = 1, *, within: float = 5.0) -> list[Call]:
        """Wait until ``method`` was called ``count`` times (work runs after the ack)."""
        deadline = time.monotonic() + within
        while len(self.called(method)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{method} called {len(self.called(method))} times, expected {count}; "
                    f"calls: {[c.method for c in self.calls]}"
                )
            await asyncio.sleep(0.01)
        return self.called(method)

    async def wait_for_response(self, count: int = 1, *, within: float = 5.0) -> None:
        deadline = time.monotonic() + within
        while len(self.responses) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.responses)} response_url posts, expected {count}")
            await asyncio.sleep(0.01)

    # -- HTTP handlers --------------------------------------------------------------------
    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = {k: _decode(v) for k, v in request.query.items()}
        if request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                form = await request.post()
                args.update({k: _decode(str(v)) for k, v in form.items()})
        return args

    def _fault(self, method: str) -> Fault | None:
        queue = self.faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        return fault

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        self.calls.append(Call(method, args, time.monotonic(), token or str(args.get("token", ""))))
        fault = self._fault(method)
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if fault is not None:
            if fault.lands and handler is not None:
                handler(args)
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status == 429:
                return web.json_response(
                    {"ok": False, "error": "ratelimited"}, status=429,
                    headers={"Retry-After": str(fault.retry_after or 1)},
                )
            if fault.status >= 500:
                return web.Response(status=fault.status, text="upstream trouble")
            if fault.error:
                return web.json_response({"ok": False, "error": fault.error})
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        try:
            body: dict[str, Any] = handler(args)
        except _ApiError as exc:
            return web.json_response({"ok": False, "error": exc.code})
        return web.json_response({"ok": True, **body})

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        self.uploads[file_id] = await request.read()
        self.calls.append(Call("upload", {"file_id": file_id}, time.monotonic()))
        return web.Response(text=f"OK - {len(self.uploads[file_id])}")

    async def _respond(self, request: web.Request) -> web.Response:
        """A response_url answer; ``fail``/``rate_limit`` with method "response_url" make the
        next ones fail (``response_attempts`` counts every try)."""
        body = await request.json()
        self.response_attempts += 1
        fault = self._fault("response_url")
        if fault is not None and fault.status == 429:
            return web.Response(status=429, text="rate limited",
                                headers={"Retry-After": str(fault.retry_after or 1)})
        if fault is not None and fault.status >= 400:
            return web.Response(status=fault.status, text="upstream trouble")
        self.responses.append((request.match_info["hook"], body))
        return web.Response(text="ok")

    # -- Web API methods (answers shaped like Slack's) --------------------------------------
    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    def _m_auth_test(self, args: Mapping[str, Any]) -> dict[str, Any]:
        return {"url": "https://hartslag.example/", "team": "Hartslag", "user": "hartslag",
                "team_id": self.team_id, "user_id": self.bot_user_id, "bot_id": "B0BOT"}

    def _post(self, args: Mapping[str, Any]) -> Posted:
        channel = str(args["channel"])
        if channel.startswith("U"):  # posting to a user id lands in the DM with the bot
            channel = "D" + channel[1:]
        posted = Posted(channel, self._next_ts(), str(args.get("text", "")),
                        list(args.get("blocks") or []), args.get("metadata"),
                        args.get("thread_ts"), self.bot_user_id)
        self.history.setdefault(channel, []).append(posted)
        return posted

    def _m_chat_postMessage(self, args: Mapping[str, Any]) -> dict[str, Any]:
        posted = self._post(args)
        return {"channel": posted.channel, "ts": posted.ts,
                "message": {"text": posted.text, "ts": posted.ts, "user": self.bot_user_id}}

    def _m_chat_postEphemeral(self, args: Mapping[str, Any]) -> dict[str, Any]:
        return {"message_ts": self._next_ts()}

    def _m_chat_update(self, args: Mapping[str, Any]) -> dict[str, Any]:
        channel, ts = str(args["channel"]), str(args["ts"])
        for posted in self.history.get(channel, []):
            if posted.ts == ts:
                posted.text = str(args.get("text", ""))
                posted.blocks = list(args.get("blocks") or [])
        return {"channel": channel, "ts": ts, "text": args.get("text", "")}

    def _find(self, channel: str, ts: str) -> Posted | None:
        return next((p for p in self.history.get(channel, []) if p.ts == ts), None)

    def _m_reactions_get(self, args: Mapping[str, Any]) -> dict[str, Any]:
        posted = self._find(str(args.get("channel", "")), str(args.get("timestamp", "")))
        if posted is None:
            raise _ApiError("message_not_found")
        message: dict[str, Any] = {"type": "message", "ts": posted.ts, "text": posted.text,
                                   "user": posted.user}
        if posted.reactions:
            message["reactions"] = [dict(r) for r in posted.reactions]
        return {"type": "message", "channel": posted.channel, "message": message}

    def _m_conversations_open(self, args: Mapping[str, Any]) -> dict[str, Any]:
        user = str(args["users"]).split(",")[0]
        return {"channel": {"id": "D" + user[1:]}}

    def _m_conversations_members(self, args: Mapping[str, Any]) -> dict[str, Any]:
        people = self.members.get(str(args["channel"]), [])
        start = int(args.get("cursor") or 0)
        limit = int(args.get("limit") or 100)
        page = people[start : start + limit]
        more = start + limit < len(people)
        return {"members": page,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _m_conversations_history(self, args: Mapping[str, Any]) -> dict[str, Any]:
        include = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        messages = []
        for posted in reversed(self.history.get(str(args["channel"]), [])):
            message: dict[str, Any] = {"type": "message", "ts": posted.ts, "text": posted.text,
                                       "user": posted.user}
            if include and posted.metadata:
                message["metadata"] = posted.metadata
            messages.append(message)
        limit = int(args.get("limit") or 100)
        return {"messages": messages[:limit], "has_more": len(messages) > limit}

    def _m_views_open(self, args: Mapping[str, Any]) -> dict[str, Any]:
        view = args.get("view")
        return {"view": {"id": f"V{next(self._ids)}", **(view if isinstance(view, dict) else {})}}

    def _m_files_getUploadURLExternal(self, args: Mapping[str, Any]) -> dict[str, Any]:
        file_id = f"F{next(self._ids):05d}"
        return {"upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, args: Mapping[str, Any]) -> dict[str, Any]:
        files = args.get("files")
        listed = files if isinstance(files, list) else json.loads(str(files))
        return {"files": [{"id": f["id"], "title": f.get("title", "")} for f in listed]}

    def _m_users_info(self, args: Mapping[str, Any]) -> dict[str, Any] | Any:
        user = self.users.get(str(args["user"]))
        if user is None:
            user = {"id": args["user"], "name": str(args["user"]).lower(), "locale": "nl-NL",
                    "profile": {"display_name": "", "real_name": str(args["user"])}}
        return {"user": user}

    def _m_users_lookupByEmail(self, args: Mapping[str, Any]) -> dict[str, Any]:
        email = str(args.get("email", "")).lower()
        for user in self.users.values():
            if user.get("email") == email:
                return {"user": user}
        raise _ApiError("users_not_found")

    def _m_apps_connections_open(self, args: Mapping[str, Any]) -> dict[str, Any]:
        return {"url": f"ws://127.0.0.1:{self.port}/socket"}

    # -- Socket Mode -----------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1,
                            "connection_info": {"app_id": "A0HART"}})
        self._socket_ready.set()
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                data = json.loads(msg.data)
                future = self._acks.get(str(data.get("envelope_id")))
                if future is not None and not future.done():
                    future.set_result(data)
        finally:
            self._sockets.remove(ws)
        return ws

    async def wait_socket(self, *, within: float = 5.0) -> None:
        await asyncio.wait_for(self._socket_ready.wait(), within)

    async def push_envelope(self, kind: str, payload: Mapping[str, Any], *,
                            retry_attempt: int = 0) -> str:
        """Send an envelope (``events_api``, ``slash_commands``, ``interactive``)."""
        envelope_id = f"env-{next(self._ids)}"
        self._acks[envelope_id] = asyncio.get_running_loop().create_future()
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": dict(payload),
                    "accepts_response_payload": kind != "events_api",
                    "retry_attempt": retry_attempt, "retry_reason": "timeout" if retry_attempt
                    else ""}
        await self._sockets[-1].send_json(envelope)
        return envelope_id

    async def wait_ack(self, envelope_id: str, *, within: float = 5.0) -> dict[str, Any]:
        return await asyncio.wait_for(self._acks[envelope_id], within)
