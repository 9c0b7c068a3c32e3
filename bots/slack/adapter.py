"""SlackAdapter: slack-bolt's AsyncApp over HTTP (``POST /slack/events``) or Socket Mode.

Every listener acknowledges at once and hands the work to a named task the adapter owns (ack
within Slack's 3 seconds; the work after it). Events are deduplicated durably by event id in
the EventLedger, claimed only after the ack left (see ``bots.slack.gate``).

Button presses (block_actions) are the exception: they are acknowledged after the handler
returned (a pulse vote is then committed by the group-commit writer), at most
``ACTION_ACK_BUDGET`` seconds after they arrived; only the reply is delivered after the ack.
Slack never resends a block_actions payload, so an ack before the commit could silently lose
an acknowledged vote in a crash; an ack after it makes a crash show the person Slack's own
"could not reach the app" mark on the button, and they can press again (votes are upserts).
Presses never wait for users.info: a burst of 130,000 people would hit its rate limit and
delay every ack; a cached profile is used when there is one.

Presses over HTTP skip bolt's dispatch (``_press``): the same signature check (slack_sdk's
``SignatureVerifier``, which bolt's request verification calls), then straight to the work.
bolt's dispatch per press built a request context with its own Web API client, ran five
middlewares, matched five listeners and inspected the listener's arguments: 11-21% of the
server's py-spy samples at 300 votes/s (benchmarks/votes.py). For a press none of that
decides anything: the listener ignored the context, and the authorization middleware only
puts the bot token (seeded at start) into it. Everything else, and presses over Socket Mode,
still goes through bolt.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import time
from collections.abc import Coroutine, Mapping, Sequence
from typing import Any

from slack_bolt.adapter.starlette.async_handler import to_starlette_response
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from starlette.background import BackgroundTask
from starlette.datastructures import Headers
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bots import adapter as adapter_protocol
from bots.background import Background
from bots.config import ConfigError
from bots.slack import translate
from bots.slack.client import build_client, error_code
from bots.slack.form import parse_body
from bots.slack.gate import CURRENT_GATE, AckGate
from bots.slack.port import SlackPort
from bots.slack.replies import ReplyDeliverer
from bots.slack.settings import SlackSettings
from bots.slack.translate import Origin
from bots.slack.workarounds import GatedSocketModeHandler, seed_authorization
from bots.slack.workarounds import bolt_request as bolt_request_of
from commands.i18n import normalise_locale
from commands.messages import CORE
from commands.model import Interaction, Request
from storage.events import EventLedger

log = logging.getLogger("hartslag.slack")

ACK_WAIT = 10.0  # seconds to wait for the ack to leave before leaving the event to a retry
ACTION_ACK_BUDGET = 2.0  # seconds a button press waits for its handler before the ack
PROFILE_TTL = 3600.0
PROFILE_WAIT = 1.0  # seconds a request waits for users.info
PROFILE_CACHE = 5000


class SlackAdapter:
    """The Slack side of hartslag: inbound via bolt, outbound via :class:`SlackPort`."""

    platform = "slack"
    shutdown_grace = 3.0  # seconds

    def __init__(self, settings: SlackSettings, deps: adapter_protocol.AdapterDeps, *,
                 client: AsyncWebClient | None = None) -> None:
        self.settings = settings
        self._deps = deps
        self.client = client or build_client(settings)
        self._port = SlackPort(self.client, poster=build_client(settings, posting=True),
                               history_lookback=settings.history_lookback)
        self._replies = ReplyDeliverer(self._port)
        self._ledger = deps.store.repo(EventLedger)
        self.bolt = self._build_bolt()
        self._verifier: SignatureVerifier | None = None  # built on the first press (_signed)
        self._socket: GatedSocketModeHandler | None = None
        self._sink: adapter_protocol.Sink | None = None
        self._tasks = Background(log, "slack work failed")
        self._profiles: dict[str, tuple[float, str, str | None]] = {}
        self._problem: str | None = "not started"
        self._bot_user: str | None = None

    # -- Adapter protocol -----------------------------------------------------------------
    @property
    def port(self) -> SlackPort:
        return self._port

    def routes(self) -> Sequence[BaseRoute]:
        if self.settings.socket_mode:
            return []
        return [Route(self.settings.events_path, self._endpoint, methods=["POST"],
                      name="slack-events")]

    async def start(self, sink: adapter_protocol.Sink) -> None:
        self._sink = sink
        await self._identify()
        if self.settings.socket_mode:
            self._socket = GatedSocketModeHandler(self.bolt, self.settings.app_token)
            try:
                await self._socket.connect_async()
            except SlackApiError as exc:
                self._socket = None
                raise ConfigError(
                    f"slack.app_token: rejected by Slack ({error_code(exc)})") from None
        log.info("slack adapter started", extra={"mode": self.mode})

    async def stop(self) -> None:
        """Stop taking requests, give acknowledged work ``shutdown_grace`` seconds to finish
        (Slack does not resend what was acknowledged), then cancel the rest."""
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        await self.drain(within=self.shutdown_grace)
        await self._tasks.cancel()
        await self._replies.close()
        self._problem = "stopped"

    def health(self) -> str | None:
        if self._socket is not None and self._socket.client.closed:
            return "socket mode connection closed"
        return self._problem

    @property
    def mode(self) -> str:
        return "socket" if self.settings.socket_mode else "http"

    async def drain(self, *, within: float = 5.0) -> None:
        """Wait for the work in flight (tests, graceful shutdown)."""
        await self._tasks.drain(within=within)

    async def _identify(self) -> None:
        """auth.test: the token works, and which team this is. A rejected token is fatal."""
        try:
            result = await self.client.auth_test()
        except SlackApiError as exc:
            code = error_code(exc)
            if code in ("invalid_auth", "not_authed", "token_revoked", "account_inactive"):
                raise ConfigError(f"slack.bot_token: rejected by Slack ({code})") from None
            self._problem = f"auth.test failed ({code})"
            return
        except (SlackClientError, OSError, TimeoutError) as exc:
            self._problem = f"Slack unreachable ({type(exc).__name__})"
            log.warning("slack auth.test failed", extra={"reason": type(exc).__name__})
            return
        seed_authorization(self.bolt, result)  # bolt would call auth.test per early request
        self._port.workspace = str(result.get("team_id") or "")
        self._bot_user = str(result.get("user_id") or "") or None
        self._port.bot_user = self._bot_user
        self._problem = None

    # -- HTTP -----------------------------------------------------------------------------
    async def _endpoint(self, request: HttpRequest) -> Response:
        raw = await request.body()
        try:
            raw.decode("utf-8")  # bolt checks the signature on the text; so do we
            body = parse_body(raw, _content_type(request.headers))
        except ValueError:  # a body bolt cannot parse (bad JSON in ``payload``)
            log.info("slack payload not understood", extra={"kind": "unparsable"})
            return Response("bad request", status_code=400)
        press = _press_of(body)
        if self._deps.forward is not None and self._deps.forwards(
                press[0].action if press else None):
            return await self._deps.forward(request, raw)
        if press is not None:
            return await self._press(raw, request.headers, press)
        bolt_request = bolt_request_of(raw, query=request.query_params,
                                       headers=request.headers, body=body)
        gate = AckGate()
        token = CURRENT_GATE.set(gate)
        try:
            response = to_starlette_response(await self.bolt.async_dispatch(bolt_request))
        finally:
            CURRENT_GATE.reset(token)
        # Starlette runs the background task after the response was written: the ack left.
        # (An async callable: a sync one would hop through the thread pool on every request.)
        response.background = BackgroundTask(_open_gate, gate)
        return response

    async def _press(self, raw: bytes, headers: Headers,
                     press: tuple[Interaction, Origin]) -> Response:
        """A button press over HTTP, without bolt's dispatch (module docstring): verified
        as bolt verifies it, acknowledged once its handler returned (within
        ``ACTION_ACK_BUDGET``), as ``on_action`` does."""
        if not self._signed(raw, headers):
            return JSONResponse({"error": "invalid request"}, status_code=401)  # bolt's 401
        loop = asyncio.get_running_loop()
        handled: asyncio.Future[None] = loop.create_future()
        # A timer instead of asyncio.wait: no waiter future and callbacks per press.
        budget = loop.call_later(ACTION_ACK_BUDGET, _settle, handled)
        self._spawn("action", self._work(*press, handled=handled))
        try:
            await handled
        finally:
            budget.cancel()
        return Response(b"", media_type="text/plain")  # bolt's ack: 200, empty

    def _signed(self, raw: bytes, headers: Headers) -> bool:
        """bolt's request verification: the v0 HMAC of timestamp and body with the signing
        secret, and a timestamp within 5 minutes (slack_sdk's ``SignatureVerifier``)."""
        if self._verifier is None:
            self._verifier = SignatureVerifier(self.settings.signing_secret)
        timestamp = headers.get("x-slack-request-timestamp", "0")
        signature = headers.get("x-slack-signature", "")
        try:
            return self._verifier.is_valid(raw, timestamp, signature)
        except (ValueError, TypeError):  # a timestamp not a number, a signature not ASCII
            return False

    # -- bolt listeners -------------------------------------------------------------------
    def _build_bolt(self) -> AsyncApp:
        app = AsyncApp(
            client=self.client,
            signing_secret=self.settings.signing_secret,
            request_verification_enabled=not self.settings.socket_mode,
            # Every listener acknowledges and then spawns its work itself, so bolt may run
            # listeners inline: with False it runs each in a task and polls every 10 ms for
            # the ack, which under a burst of presses cost more CPU than the votes.
            process_before_response=True,
            logger=logging.getLogger("hartslag.slack.bolt"),
        )

        async def on_command(ack: AsyncAck, body: dict[str, Any]) -> None:
            found = translate.command(body)
            if found is None:
                await self._refuse(ack, "command")
                return
            await ack()
            self._spawn("command", self._work(*found))

        async def on_action(ack: AsyncAck, body: dict[str, Any]) -> None:
            found = translate.interaction(body)
            if found is None:
                await ack()
                log.info("slack payload not understood", extra={"kind": "block_actions"})
                return
            # Ack once the handler returned (a vote is committed), within the budget; the
            # reply is delivered after the ack. See the module docstring.
            handled: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._spawn("action", self._work(*found, handled=handled))
            await asyncio.wait([handled], timeout=ACTION_ACK_BUDGET)
            await ack()

        async def on_view(ack: AsyncAck, body: dict[str, Any]) -> None:
            await ack()  # closes the modal; the answer follows as an ephemeral message
            found = translate.submission(body)
            if found is None:
                log.info("slack payload not understood", extra={"kind": "view_submission"})
                return
            self._spawn("form", self._work(*found))

        async def on_event(body: dict[str, Any], event: dict[str, Any]) -> None:
            found = translate.message(event, str(body.get("team_id") or ""), self._bot_user)
            if found is None:
                return
            event_id = str(body.get("event_id") or "")
            self._spawn("event", self._work(*found, event_id=event_id, gate=CURRENT_GATE.get()))

        async def on_error(error: Exception, body: dict[str, Any]) -> None:
            log.error("slack listener failed", extra={"reason": type(error).__name__,
                                                      "kind": str(body.get("type", ""))[:40]})

        app.command(self.settings.command)(on_command)
        app.action(re.compile(".*"))(on_action)
        app.view(re.compile(".*"))(on_view)
        app.event("app_mention")(on_event)
        app.event("message")(on_event)
        app.error(on_error)
        return app

    async def _refuse(self, ack: AsyncAck, kind: str) -> None:
        log.info("slack payload not understood", extra={"kind": kind})
        locale = self.settings.default_locale or self._deps.default_locale
        await ack(text=CORE.get(locale, "apology"))

    def _spawn(self, kind: str, work: Coroutine[Any, Any, None]) -> None:
        self._tasks.spawn(work, f"hartslag.slack.{kind}")

    # -- the work after the ack -----------------------------------------------------------
    async def _work(self, request: Request, origin: Origin, *, event_id: str = "",
                    gate: AckGate | None = None,
                    handled: asyncio.Future[None] | None = None) -> None:
        if gate is not None and not await gate.wait(ACK_WAIT):
            # The ack never left (client gone, process shutting down): Slack will retry.
            log.warning("slack ack not sent; leaving the event to Slack's retry")
            return
        key = f"slack:{event_id}" if event_id else ""
        if key and not await self._ledger.claim(key, at=self._deps.clock.now()):
            # No event id in the log: with Slack's own records it could point at a sender.
            log.info("slack event already handled")
            return
        try:
            reply = await self._call_sink(request)
        except BaseException:
            if key:  # failed or cancelled mid-processing: a redelivery may handle it
                await self._ledger.release(key)
            raise
        finally:
            if handled is not None and not handled.done():
                handled.set_result(None)  # lets on_action send the ack
        if reply is not None:
            await self._replies.deliver(reply, origin)

    async def _call_sink(self, request: Request) -> Any:
        if self._sink is None:
            raise RuntimeError("slack adapter not started")
        return await self._sink(await self._enrich(request))

    async def _enrich(self, request: Request) -> Request:
        """The person's display name and Slack language as a locale hint (users.info).

        Bounded: a trigger id (to open a modal) lives about 3 seconds, and a rate-limited
        users.info would otherwise sleep through it; without a profile the request goes on.
        """
        if isinstance(request, Interaction):  # presses: cached only (module docstring)
            cached = self._profiles.get(request.user.id)
            if not cached or time.monotonic() - cached[0] >= PROFILE_TTL:
                return request
            name, locale = cached[1], cached[2]
        else:
            try:
                name, locale = await asyncio.wait_for(self._profile(request.user.id),
                                                      PROFILE_WAIT)
            except TimeoutError:
                name, locale = "", None
        user = dataclasses.replace(request.user, display_name=name) if name else request.user
        return dataclasses.replace(request, user=user, locale=locale)

    async def _profile(self, user_id: str) -> tuple[str, str | None]:
        cached = self._profiles.get(user_id)
        if cached and time.monotonic() - cached[0] < PROFILE_TTL:
            return cached[1], cached[2]
        try:
            result = await self.client.users_info(user=user_id, include_locale=True)
        except (SlackApiError, SlackClientError, OSError, TimeoutError):
            return "", None  # a name is nice to have; never block the request on it
        user: Mapping[str, Any] = result.get("user") or {}
        profile: Mapping[str, Any] = user.get("profile") or {}
        name = str(profile.get("display_name") or profile.get("real_name") or user.get("name")
                   or "")
        locale = normalise_locale(str(user.get("locale") or "")) or None
        if len(self._profiles) >= PROFILE_CACHE:
            self._profiles.clear()
        self._profiles[user_id] = (time.monotonic(), name, locale)
        return name, locale


async def _open_gate(gate: AckGate) -> None:
    gate.open()


def _settle(handled: asyncio.Future[None]) -> None:
    """The ack budget is spent: the press is acknowledged while its handler goes on."""
    if not handled.done():
        handled.set_result(None)


def _press_of(body: Mapping[str, Any]) -> tuple[Interaction, Origin] | None:
    """The press in a ``block_actions`` body, else None. A shape ``translate`` trips over
    goes to bolt, whose listener meets the same error and logs its type (``on_error``)."""
    if body.get("type") != "block_actions":
        return None
    try:
        return translate.interaction(body)
    except (AttributeError, TypeError, KeyError):
        return None


def _content_type(headers: Headers) -> str | None:
    """bolt's ``extract_content_type``: the media type without its parameters."""
    found = headers.get("content-type")
    return found.split(";")[0] if found else None
