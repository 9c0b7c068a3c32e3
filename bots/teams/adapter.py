"""The Teams adapter: the SDK's ``App`` for inbound processing, our route, port and delivery.

Inbound: Teams POSTs activities to ``/api/messages`` (a route on the shared server, see
``endpoint``); the SDK validates the token and parses the activity, then calls ``_on_activity``.
We store the conversation reference on every first contact, translate the activity, hand the
request to the sink and deliver the reply natively:

- private replies in a channel or group chat go to the person's 1:1 chat (Teams has no
  ephemeral messages for bots); in a 1:1 chat they are answered in place;
- forms become Adaptive Cards with inputs, always in the 1:1 chat (a form is personal);
- ``replace`` updates the card the button was on (PUT activity; for ``Action.Execute`` the
  updated card is the invoke's response).

Messages are acknowledged at once and handled in a tracked background task (Teams retries a
slow request, and a retry must not run a command twice: the activity id is claimed once, see
``_claim``). Card submits (``Action.Submit``) are answered once their handler returned, at most
``SUBMIT_ANSWER_BUDGET`` seconds, so a vote is stored before Teams hears "200"; their reply is
delivered afterwards. Invokes run inline because their response is the answer.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

from microsoft_teams.api import InvokeResponse
from microsoft_teams.api.activities.message import MessageActivityInput
from microsoft_teams.api.auth.cloud_environment import CloudEnvironment, from_name
from microsoft_teams.apps import ActivityEvent, App
from microsoft_teams.common import Client, ClientOptions
from starlette.routing import BaseRoute

from bots.adapter import AdapterDeps, Sink
from bots.background import Background
from bots.server import is_loopback
from bots.teams import cards, translate
from bots.teams.credentials import CertificateTokenProvider
from bots.teams.endpoint import RouteAdapter
from bots.teams.port import TeamsPort, message_activity
from bots.teams.retry import RetryMiddleware, RetryPolicy
from bots.teams.settings import TeamsSettings
from bots.teams.workarounds import (
    aiohttp_under,
    intercept_turns,
    quiet_sdk_logs,
    validate_tokens_in_thread,
)
from bots.workarounds import bounded_otel_meters
from commands.model import FormSubmission, InboundMessage, Interaction, Reply, Request
from commands.port import DeliveryError
from storage.events import EventLedger
from storage.groupcommit import GroupCommit
from storage.teams import (
    ConversationRef,
    TeamsReferenceRepository,
    TeamsSentRepository,
    UserRefRow,
)

log = logging.getLogger("hartslag.teams")

ENDPOINT = "/api/messages"
REQUEST_TIMEOUT_S = 20.0
RECENT_ACTIVITIES = 10_000
RECENT_REFERENCES = 50_000
SUBMIT_ANSWER_BUDGET = 2.0  # seconds a card submit waits for its handler before the 200
_Refs = tuple[list[ConversationRef], list[UserRefRow]]
_CLOUD_NAMES = {"public": "Public", "usgov": "USGov", "usgovdod": "USGovDoD", "china": "China"}


class TeamsAdapter:
    """Adapter for Microsoft Teams (Teams SDK v2, ``microsoft-teams-apps``)."""

    platform = "teams"

    def __init__(self, settings: TeamsSettings, deps: AdapterDeps, *,
                 cloud: CloudEnvironment | None = None, token: Any = None,
                 retry: RetryPolicy | None = None) -> None:
        """``cloud``, ``token`` and ``retry`` are for tests and special set-ups: a cloud whose
        OpenID/JWKS endpoints are local, a token callback instead of MSAL, short backoffs."""
        if settings.dangerously_skip_auth and not is_loopback(deps.server_host):
            raise ValueError("teams.dangerously_skip_auth: refused, server.host is not loopback")
        self._settings = settings
        self._deps = deps
        self._sink: Sink | None = None
        self._tasks = Background(log, "teams activity failed")
        self._seen: OrderedDict[tuple[str, ...], None] = OrderedDict()
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._started = False
        self._sdk_turn: Callable[[ActivityEvent], Awaitable[InvokeResponse[Any]]] | None = None
        self._endpoint = RouteAdapter(
            forward=deps.forward,
            stays=lambda activity: not deps.forwards(translate.card_action(activity)))
        self._endpoint.expect(ENDPOINT)
        client = Client(ClientOptions(timeout=REQUEST_TIMEOUT_S))
        client.use(RetryMiddleware(retry))
        self._cloud = cloud or from_name(_CLOUD_NAMES[settings.cloud])
        quiet_sdk_logs()
        bounded_otel_meters()
        self.app = App(**self._app_options(client, token))
        self.app.router.add_handler(lambda _activity: True, self._on_activity)
        self._http = aiohttp_under(self.app.api.http)
        self._refs = deps.store.repo(TeamsReferenceRepository)
        self._ref_writer: GroupCommit[_Refs, None] = GroupCommit(self._save_refs,
                                                                  name="hartslag.teams.refs")
        self._port = TeamsPort(self.app.api, self._refs, deps.store.repo(TeamsSentRepository),
                               clock=deps.clock, execute_buttons=settings.universal_actions)

    def _app_options(self, client: Client, token: Any) -> dict[str, Any]:
        s = self._settings
        options: dict[str, Any] = {
            "client_id": s.app_id, "tenant_id": s.tenant_id or None, "client": client,
            "http_server_adapter": self._endpoint, "messaging_endpoint": ENDPOINT,
            "cloud": self._cloud, "state": False, "fetch_user_token": False,
            # Explicit, so the SDK's environment variable can never switch validation off.
            "dangerously_allow_unauthenticated_requests": s.dangerously_skip_auth,
        }
        if token is not None:
            options["token"] = token
        elif s.certificate_path:
            options["token"] = CertificateTokenProvider(
                app_id=s.app_id, certificate_path=s.certificate_path,
                thumbprint=s.certificate_thumbprint, login_endpoint=self._cloud.login_endpoint,
                default_tenant=s.tenant_id or self._cloud.login_tenant)
        elif s.app_password:
            options["client_secret"] = s.app_password
        else:
            options["token"] = _no_token  # development without credentials: unsigned calls
        return options

    # -- Adapter protocol -------------------------------------------------------------------
    @property
    def port(self) -> TeamsPort:
        return self._port

    def routes(self) -> Sequence[BaseRoute]:
        return self._endpoint.routes()

    async def start(self, sink: Sink) -> None:
        self._sink = sink
        if self._settings.dangerously_skip_auth:
            log.warning(
                "!!! TEAMS INBOUND TOKEN VALIDATION IS OFF (teams.dangerously_skip_auth) !!! "
                "Anyone who can reach %s can act as any Teams user. Development only.", ENDPOINT)
        await self.app.initialize()
        validate_tokens_in_thread(self.app.server)
        self._sdk_turn = intercept_turns(self.app.server, self._on_event)
        self._started = True

    async def stop(self) -> None:
        self._started = False
        await self._tasks.cancel()
        await self._http.aclose()

    def health(self) -> str | None:
        return None if self._started else "not started"

    # -- inbound ------------------------------------------------------------------------------
    async def _on_event(self, event: ActivityEvent) -> InvokeResponse[Any]:
        """Card submits skip the SDK's turn; everything else takes it.

        The SDK has already validated the token (``HttpServer.handle_request``) when it calls
        this. Its turn then builds an API client with a dozen sub-clients, a stream, a tracing
        span and a string of the whole activity, for every activity: measured at about 4 ms
        of CPU per card submit, most of the cost of a Teams pulse vote. A submit needs none of
        it (we read only the activity; the reply goes through our port), so during a
        9 o'clock pulse burst the submits come straight here."""
        activity: dict[str, Any] = event.body.model_dump(by_alias=True, exclude_none=True,
                                                         mode="json")
        if translate.is_card_submit(activity):
            await self._activity(activity)
            return InvokeResponse[Any](status=200)
        assert self._sdk_turn is not None  # set in start(), before this handler is
        return await self._sdk_turn(event)

    async def _on_activity(self, ctx: Any) -> Any:
        return await self._activity(ctx.activity.model_dump(by_alias=True, exclude_none=True,
                                                            mode="json"))

    async def _activity(self, activity: dict[str, Any]) -> Any:
        tenant = translate.tenant_of(activity)
        if self._settings.tenant_id and tenant and tenant != self._settings.tenant_id:
            # A single-tenant bot answers its own organisation only; a valid token proves
            # the caller is the Bot Connector, not which tenant the person belongs to.
            log.warning("teams: activity from another tenant ignored")
            return None
        if translate.is_card_submit(activity):
            # A card press: the reply needs only the in-memory reference (``remember``
            # below); storing it must not hold up the vote's answer (one more commit in
            # the way, measured as most of the p99 ack).
            conversation = translate.conversation_ref(activity)
            if conversation is not None:
                self._port.remember(conversation)
            self._spawn(self._remember(activity))
        else:
            await self._remember(activity)
        request = translate.to_request(activity)
        if request is None:
            return None
        direct = translate.scope_of(activity).is_direct
        if activity.get("type") == "invoke":
            return await self._invoke(request, direct)
        if isinstance(request, Interaction | FormSubmission):
            # A card submit (a pulse vote) is answered once its handler returned, so the
            # vote is committed before Teams gets its 200 (a crash before that makes Teams
            # retry or show an error, never a silently lost vote); bounded, and the reply is
            # delivered after the answer. See the Benchmarks section of README.md.
            handled: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._spawn(self._handle(request, direct, activity.get("id"), handled))
            await asyncio.wait([handled], timeout=SUBMIT_ANSWER_BUDGET)
            return None
        self._spawn(self._handle(request, direct, activity.get("id")))
        return None

    async def _remember(self, activity: dict[str, Any]) -> None:
        """Store conversation and people references (only when new or changed)."""
        if activity.get("type") == "installationUpdate" and str(
                activity.get("action", "")).startswith("remove"):
            await self._forget(activity)
            return
        conversations: list[ConversationRef] = []
        people: list[UserRefRow] = []
        keys: list[tuple[str, ...]] = []
        key: tuple[str, ...]
        conversation = translate.conversation_ref(activity)
        if conversation is not None:
            self._port.remember(conversation)
            key = ("c", conversation.conversation_id, conversation.service_url, conversation.bot_id,
                   conversation.tenant_id, conversation.team_id or "")
            if key not in self._seen:
                conversations.append(conversation)
                keys.append(key)
        for person in translate.user_refs(activity):
            key = ("u", person.user_id, person.teams_id, person.service_url,
                   person.dm_conversation_id or "", "")
            if key not in self._seen:
                people.append(person)
                keys.append(key)
        if keys:
            # Group commit: first contacts of a burst share one transaction (see save_many).
            await self._ref_writer.write((conversations, people))
            for key in keys:
                self._note(key)

    async def _save_refs(self, batch: Sequence[_Refs]) -> list[None]:
        conversations = {c.conversation_id: c for cs, _ in batch for c in cs}
        people: dict[str, UserRefRow] = {}
        for _, refs in batch:
            for person in refs:  # the last one wins, but a known 1:1 conversation id stays
                earlier = people.get(person.user_id)
                if earlier is not None and not person.dm_conversation_id:
                    person = dataclasses.replace(
                        person, dm_conversation_id=earlier.dm_conversation_id)
                people[person.user_id] = person
        await self._refs.save_many(list(conversations.values()), list(people.values()))
        return [None] * len(batch)

    def _note(self, key: tuple[str, ...]) -> None:
        """Remember a stored reference, so the next activity costs no write (bounded)."""
        self._seen[key] = None
        while len(self._seen) > RECENT_REFERENCES:
            self._seen.popitem(last=False)

    async def _forget(self, activity: dict[str, Any]) -> None:
        scope = translate.scope_of(activity)
        await self._refs.forget_conversation(scope.address.channel)
        self._port.forget(scope.address.channel)
        if scope.is_direct:
            await self._refs.forget_user(translate.user_of(activity).id)
        self._seen.clear()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        self._tasks.spawn(work, "hartslag.teams.activity")

    async def _handle(self, request: Request, direct: bool, activity_id: str | None,
                      handled: asyncio.Future[None] | None = None) -> None:
        try:
            if self._sink is None:
                return
            durable = isinstance(request, InboundMessage) and not direct
            if activity_id and not await self._claim(activity_id, durable=durable):
                return  # Teams retried an activity we already handle
            try:
                reply = await self._sink(request)
            except Exception:
                if activity_id:
                    await self._release(activity_id, durable=durable)
                raise
        finally:
            if handled is not None and not handled.done():
                handled.set_result(None)  # the card submit's HTTP answer may go now
        try:
            await self._deliver(reply, request, direct)
        except DeliveryError as exc:
            log.warning("teams reply not delivered",
                        extra={"reason": exc.reason, "permanent": exc.permanent})

    async def _claim(self, activity_id: str, *, durable: bool) -> bool:
        """Once per activity. Channel messages are public, so their ids go into the durable
        event ledger. A 1:1 message or a card submission may be an anonymous signal or answer:
        a stored Teams activity id would point back to the sender, so those are remembered
        in memory only (bounded); Teams rarely retries since we acknowledge at once."""
        if durable:
            ledger = self._deps.store.repo(EventLedger)
            return await ledger.claim(f"teams:{activity_id}", at=self._deps.clock.now())
        if activity_id in self._recent:
            return False
        self._recent[activity_id] = None
        while len(self._recent) > RECENT_ACTIVITIES:
            self._recent.popitem(last=False)
        return True

    async def _release(self, activity_id: str, *, durable: bool) -> None:
        if durable:
            await self._deps.store.repo(EventLedger).release(f"teams:{activity_id}")
        else:
            self._recent.pop(activity_id, None)

    async def _invoke(self, request: Request, direct: bool) -> InvokeResponse[Any]:
        """``Action.Execute``: the response is the updated card or a short notice."""
        reply = await self._sink(request) if self._sink is not None else None
        if reply is not None and reply.replace and reply.message is not None:
            card = cards.message_card(reply.message, execute=self._settings.universal_actions)
            return _invoke_answer(cards.CARD_CONTENT_TYPE, card)
        if reply is not None and reply.private and reply.message is not None and not reply.form:
            # An invoke's message answer is shown to the person who pressed only.
            return _invoke_answer("application/vnd.microsoft.activity.message",
                                  cards.plain_text(reply.message.markdown, 400))
        try:
            await self._deliver(reply, request, direct)
        except DeliveryError as exc:
            log.warning("teams reply not delivered", extra={"reason": exc.reason})
        return _invoke_answer("application/vnd.microsoft.activity.message", "✓")

    async def _deliver(self, reply: Reply | None, request: Request, direct: bool) -> None:
        if reply is None:
            return
        if reply.form is not None:
            activity = message_activity(cards.form_card(reply.form),
                                        summary=cards.plain_text(reply.form.title))
            await self._send(activity, request, private=True, direct=direct)
            return
        if reply.message is None:
            return
        if reply.replace and isinstance(request, Interaction) and request.message is not None:
            await self._port.update(request.message, reply.message)
            return
        await self._send(self._port.render(reply.message), request, private=reply.private,
                         direct=direct)

    async def _send(self, activity: MessageActivityInput, request: Request, *, private: bool,
                    direct: bool) -> None:
        if private and not direct:
            await self._port.send_direct_activity(request.user, activity)
        else:
            await self._port.send_activity(request.address, activity)


def _invoke_answer(kind: str, value: Any) -> InvokeResponse[Any]:
    return InvokeResponse[Any](status=200, body={"statusCode": 200, "type": kind, "value": value})


async def _no_token(scope: str | list[str], tenant_id: str | None) -> None:
    return None
