"""A local fake Bot Connector plus a test token issuer, on 127.0.0.1.

The fake records what the bot sends (``POST /v3/conversations/{id}/activities``, ``PUT`` for
updates, ``POST /v3/conversations`` for proactive 1:1 chats, ``GET .../members``) and can fail on
purpose (429 with Retry-After, 412, 502/503/504). It also serves an OpenID metadata document and a
JWKS, so the SDK's own inbound token validator runs for real against keys we control: the SDK
derives the JWKS address from ``CloudEnvironment.openid_metadata_url`` (``.../openidconfiguration``
-> ``.../keys``), and a ``CloudEnvironment`` can be passed to ``App``.

Why a thread: the SDK validates with ``jwt.PyJWKClient``, which fetches the JWKS with blocking
``urllib`` from inside the app's event loop. A fake served by that same loop would deadlock, so the
fake runs its own uvicorn server and loop in a daemon thread.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from microsoft_teams.api.auth.cloud_environment import PUBLIC, CloudEnvironment, with_overrides
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

BOT_ISSUER = "https://api.botframework.com"


@dataclass(frozen=True)
class Call:
    """One request the bot made to the connector."""

    method: str
    path: str
    body: Any
    headers: dict[str, str]
    status: int
    result_id: str = ""  # the activity (or new conversation) id the fake answered with

    @property
    def conversation_id(self) -> str:
        parts = self.path.split("/")
        return parts[3] if len(parts) > 3 else ""

    @property
    def card(self) -> dict[str, Any] | None:
        """The first Adaptive Card attachment, if any."""
        for attachment in (self.body or {}).get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                content = attachment.get("content")
                return content if isinstance(content, dict) else None
        return None

    @property
    def text(self) -> str:
        """Every TextBlock text of the card plus the activity text, for assertions."""
        texts = [str((self.body or {}).get("text") or "")]
        card = self.card
        if card is not None:
            texts += [str(item.get("text", "")) for item in _walk(card) if item.get("type") == "TextBlock"]
        return "\n".join(t for t in texts if t)


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


@dataclass
class TokenIssuer:
    """An RSA key pair and a JWKS, signing Bot Framework style tokens for tests."""

    kid: str = "test-key-1"
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def jwks(self) -> dict[str, Any]:
        numbers = self.key.public_key().public_numbers()

        def b64(value: int) -> str:
            raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        return {"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid,
                          "n": b64(numbers.n), "e": b64(numbers.e)}]}

    def token(
        self,
        *,
        audience: str,
        service_url: str | None = None,
        issuer: str = BOT_ISSUER,
        expires_in: int = 3600,
        issued_ago: int = 0,
        kid: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        now = int(time.time()) - issued_ago
        claims: dict[str, Any] = {"aud": audience, "iss": issuer, "iat": now, "nbf": now,
                                  "exp": now + expires_in, "appid": "connector"}
        if service_url is not None:
            claims["serviceurl"] = service_url
        claims |= extra or {}
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": kid or self.kid})


@dataclass
class Member:
    id: str
    aad_object_id: str
    name: str

    @property
    def key(self) -> str:
        """How config and roles name this person (``teams:<Entra object id>``)."""
        return f"teams:{self.aad_object_id}"


class FakeConnector:
    """Fake Bot Connector + OpenID/JWKS endpoints, recording every call.

    Use ``with FakeConnector.running() as fake:``; ``fake.service_url`` is what inbound
    activities carry as ``serviceUrl``; ``fake.cloud()`` points the SDK's token validation here.
    """

    def __init__(self, issuer: TokenIssuer | None = None) -> None:
        self.issuer = issuer or TokenIssuer()
        self.port = 0  # bound by start(): port 0, so no free-port race on a loaded machine
        self.calls: list[Call] = []
        self.members: dict[str, list[Member]] = {}
        self.jwks_fetches = 0
        self.delay = 0.0  # seconds every bot call takes (slowness on purpose)
        self.in_flight = 0
        self.most_in_flight = 0  # high-water mark of bot calls open at once
        self._faults: list[tuple[int, float | None]] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # ----- addresses -----
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def service_url(self) -> str:
        return f"{self.base_url}/teams/"

    def cloud(self) -> CloudEnvironment:
        """A cloud whose OpenID metadata, JWKS and login endpoints are this fake."""
        return with_overrides(
            PUBLIC,
            openid_metadata_url=f"{self.base_url}/v1/.well-known/openidconfiguration",
            login_endpoint=f"{self.base_url}/login",
            token_service_url=f"{self.base_url}/token",
        )

    # ----- faults and inspection -----
    def fail_next(self, status: int, *, count: int = 1, retry_after: float | None = None) -> None:
        """The next ``count`` bot calls (writes or reads) answer ``status``."""
        with self._lock:
            self._faults += [(status, retry_after)] * count

    def sent(self, method: str | None = None) -> list[Call]:
        """Successful calls to conversations (not the OpenID endpoints)."""
        with self._lock:
            return [c for c in self.calls
                    if c.status < 300 and (method is None or c.method == method)]

    def activities(self) -> list[Call]:
        return [c for c in self.sent("POST") if c.path.endswith("/activities")]

    def updates(self) -> list[Call]:
        return self.sent("PUT")

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()
            self._faults.clear()

    async def wait_for(
        self, predicate: Callable[[list[Call]], bool], *, within: float = 15.0
    ) -> list[Call]:
        """Poll until ``predicate(successful calls)`` holds (bounded; replies are async)."""
        deadline = time.monotonic() + within
        while True:
            calls = self.sent()
            if predicate(calls) or time.monotonic() > deadline:
                return calls
            await asyncio.sleep(0.02)

    # ----- lifecycle -----
    @classmethod
    @contextmanager
    def running(cls, issuer: TokenIssuer | None = None) -> Iterator[FakeConnector]:
        fake = cls(issuer)
        fake.start()
        try:
            yield fake
        finally:
            fake.stop()

    def start(self) -> None:
        config = uvicorn.Config(self._app(), host="127.0.0.1", port=0,
                                log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="fake-connector",
                                        daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("fake connector did not start")
            time.sleep(0.01)
        self.port = int(self._server.servers[0].sockets[0].getsockname()[1])

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    # ----- the HTTP side -----
    def _app(self) -> Starlette:
        return Starlette(routes=[
            Route("/v1/.well-known/openidconfiguration", self._openid, methods=["GET"]),
            Route("/v1/.well-known/keys", self._keys, methods=["GET"]),
            Route("/teams/v3/conversations", self._create_conversation, methods=["POST"]),
            Route("/teams/v3/conversations/{cid}/activities", self._post_activity,
                  methods=["POST"]),
            Route("/teams/v3/conversations/{cid}/activities/{aid}", self._activity,
                  methods=["POST", "PUT"]),
            Route("/teams/v3/conversations/{cid}/members", self._members, methods=["GET"]),
        ])

    async def _openid(self, request: Request) -> Response:
        return JSONResponse({"issuer": BOT_ISSUER,
                             "jwks_uri": f"{self.base_url}/v1/.well-known/keys",
                             "id_token_signing_alg_values_supported": ["RS256"]})

    async def _keys(self, request: Request) -> Response:
        with self._lock:
            self.jwks_fetches += 1
        return JSONResponse(self.issuer.jwks())

    async def _record(self, request: Request, result_id: str = "") -> tuple[Response | None, Any]:
        raw = await request.body()
        if self.delay:
            with self._lock:
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
            await asyncio.sleep(self.delay)
            with self._lock:
                self.in_flight -= 1
        body = json.loads(raw) if raw else None
        with self._lock:
            fault = self._faults.pop(0) if self._faults else None
            status = fault[0] if fault else 200
            self.calls.append(Call(request.method, request.url.path.removeprefix("/teams"),
                                   body, dict(request.headers), status,
                                   result_id if fault is None else ""))
        if fault is None:
            return None, body
        headers = {"Retry-After": f"{fault[1]:g}"} if fault[1] is not None else {}
        return JSONResponse({"error": {"code": "Fault", "message": f"fake {fault[0]}"}},
                            status_code=fault[0], headers=headers), body

    async def _post_activity(self, request: Request) -> Response:
        new_id = f"act-{next(self._ids)}"
        failed, _ = await self._record(request, new_id)
        return failed or JSONResponse({"id": new_id}, status_code=201)

    async def _activity(self, request: Request) -> Response:
        new_id = request.path_params["aid"] if request.method == "PUT" else f"act-{next(self._ids)}"
        failed, _ = await self._record(request, new_id)
        if failed:
            return failed
        return JSONResponse({"id": new_id}, status_code=200 if request.method == "PUT" else 201)

    async def _create_conversation(self, request: Request) -> Response:
        raw = await request.body()
        member = ((json.loads(raw) if raw else {}).get("members") or [{}])[0].get("id", "")
        # Teams answers with the same 1:1 conversation for the same person every time.
        conversation = f"a:dm-{uuid.uuid5(uuid.NAMESPACE_URL, member).hex[:12]}"
        failed, _ = await self._record(request, conversation)
        if failed:
            return failed
        return JSONResponse({"id": conversation, "serviceUrl": self.service_url})

    async def _members(self, request: Request) -> Response:
        failed, _ = await self._record(request)
        if failed:
            return failed
        people = self.members.get(request.path_params["cid"], [])
        return JSONResponse([{"id": m.id, "aadObjectId": m.aad_object_id, "name": m.name,
                              "tenantId": "tenant-1"} for m in people])
