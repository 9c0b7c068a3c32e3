"""The router: one registry of handlers per app and the single error boundary.

Features call ``register(router)`` from the composition root. ``dispatch`` turns any request
into at most one reply; a failing handler yields a short apology, a log line with context
(never the text or the sender) and the process keeps serving.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from commands.context import Context
from commands.errors import Refused, UserError
from commands.grammar import parse_root
from commands.i18n import number
from commands.logsafe import error_fields
from commands.messages import CORE
from commands.model import (
    CommandRequest,
    FormSubmission,
    InboundMessage,
    Interaction,
    Reply,
    Request,
)
from commands.schedule import JsonPayload, Trigger
from commands.settings import SettingsBag
from commands.tree import Command

log = logging.getLogger("hartslag.router")
MAX_INPUT = 10_000  # characters in one request, whatever the feature

Req = TypeVar("Req", CommandRequest, InboundMessage, Interaction, FormSubmission)
Handler = Callable[[Req, Context], Awaitable[Reply | None]]
CommandHandler = Callable[[CommandRequest, Context], Awaitable[Reply | None]]
MessageHandler = Callable[[InboundMessage, Context], Awaitable[Reply | None]]
InteractionHandler = Callable[[Interaction, Context], Awaitable[Reply | None]]
FormHandler = Callable[[FormSubmission, Context], Awaitable[Reply | None]]
JobHandler = Callable[[JsonPayload, Context], Awaitable[None]]
Standing = Trigger | Callable[[SettingsBag], Trigger]


@dataclass(frozen=True)
class CommandSpec:
    """A root command word. ``role`` is checked before the handler runs (None: everyone).
    Features declare theirs as trees (``Router.tree``), which check roles per subcommand and
    answer help; a bare spec (tests, fixtures) is not listed in help."""

    name: str
    handler: CommandHandler
    aliases: tuple[str, ...] = ()
    role: str | None = None


class Router:
    def __init__(self) -> None:
        self._commands: dict[str, CommandSpec] = {}
        self._specs: list[CommandSpec] = []
        self._interactions: dict[str, InteractionHandler] = {}
        self._stateless: set[str] = set()
        self._forms: dict[str, FormHandler] = {}
        self._messages: list[MessageHandler] = []
        self._conversations: list[MessageHandler] = []
        self._jobs: dict[str, JobHandler] = {}
        self._standing: dict[str, Standing] = {}
        self._trees: list[Command] = []
        self._before: list[tuple[str, Callable[[Context], Awaitable[object]]]] = []

    # -- registration -------------------------------------------------------------------
    def command(
        self,
        name: str,
        handler: CommandHandler,
        *,
        aliases: Sequence[str] = (),
        role: str | None = None,
    ) -> None:
        spec = CommandSpec(name, handler, tuple(aliases), role)
        for key in (name, *aliases):
            if key.lower() in self._commands:
                raise ValueError(f"command {key!r} registered twice")
            self._commands[key.lower()] = spec
        self._specs.append(spec)

    def before_roles(self, role: str, hook: Callable[[Context], Awaitable[object]]) -> None:
        """Run ``hook`` before a command that checks ``role`` (and before ``help``, which
        lists by role): the config's teams, whose managers hold their role through them,
        are synced on first use. Other commands (an anonymous signal) never touch them."""
        self._before.append((role, hook))

    def tree(self, command: Command) -> None:
        """A declared command (``commands.tree``): its tree parses the arguments, checks the
        roles and answers ``help`` for it."""
        words = command.words.all()
        self.command(words[0], command.dispatch, aliases=words[1:])
        self._trees.append(command)

    @property
    def trees(self) -> tuple[Command, ...]:
        return tuple(self._trees)

    def find_tree(self, name: str) -> Command | None:
        return next((c for c in self._trees if name.lower() in c.words.all()), None)

    def interaction(self, action: str, handler: InteractionHandler, *,
                    stateless: bool = False) -> None:
        """``stateless``: the handler keeps nothing in this process's memory between requests
        (everything it needs is in the database or configuration), so any process may run
        it: HTTP worker processes handle these presses themselves and pass the rest to the
        primary process (see ``bots.workers``). Declare it for the burst paths only."""
        self._unique(self._interactions, action, handler)
        if stateless:
            self._stateless.add(action)

    def is_stateless(self, action: str) -> bool:
        return action in self._stateless

    def form(self, form_id: str, handler: FormHandler) -> None:
        self._unique(self._forms, form_id, handler)

    def message(self, handler: MessageHandler) -> None:
        """Handlers for plain messages, tried in registration order until one answers."""
        self._messages.append(handler)

    def conversation(self, handler: MessageHandler) -> None:
        """Handlers of multi-step DM conversations (a signal being written). They see a DM
        before command words are looked at, and return None when no conversation is open."""
        self._conversations.append(handler)

    def job(self, kind: str, handler: JobHandler, *, standing: Standing | None = None) -> None:
        """``standing``: the app keeps one schedule of this kind on that trigger (a daily
        purge, a weekly digest), created at start when missing, owned by ``"system"``. Give
        a function of the settings when the time is configurable."""
        self._unique(self._jobs, kind, handler)
        if standing is not None:
            self._standing[kind] = standing

    @staticmethod
    def _unique(table: dict[str, Any], key: str, handler: Any) -> None:
        if key in table:
            raise ValueError(f"{key!r} registered twice")
        table[key] = handler

    # -- lookup -------------------------------------------------------------------------
    @property
    def commands(self) -> tuple[CommandSpec, ...]:
        return tuple(self._specs)

    def find_command(self, name: str) -> CommandSpec | None:
        return self._commands.get(name.lower())

    def standing(self, settings: SettingsBag) -> dict[str, Trigger]:
        return {kind: s(settings) if callable(s) else s for kind, s in self._standing.items()}

    # -- dispatch -----------------------------------------------------------------------
    async def dispatch(self, request: Request, ctx: Context) -> Reply | None:
        """Handle one request; never raises."""
        kind = type(request).__name__
        ctx.services.metrics.events.labels(kind, request.address.platform).inc()
        try:
            return await self._route(request, ctx)
        except UserError as exc:
            return Reply.text(exc.message)
        except Exception as exc:
            ctx.services.metrics.errors.labels("router").inc()
            # The exception's message may quote what the person wrote (anonymous or not), so
            # the log gets its type and where it happened, never its text.
            log.error(
                "handler failed",
                extra={"request_kind": kind, "route": _route_name(request),
                       "platform": request.address.platform, **error_fields(exc)},
            )
            return Reply.text(CORE.get(ctx.locale, "apology"))

    async def _route(self, request: Request, ctx: Context) -> Reply | None:
        if _size(request) > MAX_INPUT:
            # Features cap their own fields tighter; this guards every handler at once.
            raise UserError(CORE.get(ctx.locale, "too_long", limit=number(MAX_INPUT, ctx.locale)))
        if isinstance(request, CommandRequest):
            return await self._command(request, ctx)
        if isinstance(request, Interaction):
            return await _keyed(self._interactions, request.action, request, ctx,
                                unknown="unknown action")
        if isinstance(request, FormSubmission):
            return await _keyed(self._forms, request.form_id, request, ctx, unknown="unknown form")
        return await self._message(request, ctx)

    async def _command(self, request: CommandRequest, ctx: Context) -> Reply | None:
        spec = self.find_command(request.name) if request.name else self.find_command("help")
        if spec is None:
            raise UserError(CORE.get(ctx.locale, "unknown_command", name=request.name[:40]))
        tree = self.find_tree(spec.name)
        checked = {r for sub in tree.entries() for r in sub.roles} if tree else set()
        for role, hook in self._before:
            if role in checked or spec.name == "help":
                await hook(ctx)
        if spec.role and not await ctx.roles.has(request.user, spec.role):
            role = CORE.get(ctx.locale, f"role.{spec.role}")
            raise Refused(CORE.get(ctx.locale, "refused", role=role))
        ctx.services.metrics.commands.labels(spec.name).inc()
        return await spec.handler(request, ctx)

    async def _message(self, request: InboundMessage, ctx: Context) -> Reply | None:
        parsed = parse_root(request.text)
        if parsed.explicit:
            return await self._command(self._as_command(request, parsed.name, parsed.args), ctx)
        if request.is_direct:
            for conversation in self._conversations:
                reply = await conversation(request, ctx)
                if reply is not None:
                    return reply
        if (request.is_direct or request.mentioned) and parsed.name and self.find_command(parsed.name):
            # In a DM or a mention the root word is optional: "help" is a command; anything
            # that does not start with a command name is a question for the message handlers.
            return await self._command(self._as_command(request, parsed.name, parsed.args), ctx)
        for handler in self._messages:
            reply = await handler(request, ctx)
            if reply is not None:
                return reply
        return None

    @staticmethod
    def _as_command(request: InboundMessage, name: str | None, args: str) -> CommandRequest:
        return CommandRequest(
            request.user, request.address, name or "", args,
            is_direct=request.is_direct, locale=request.locale,
        )

    async def run_job(self, kind: str, payload: JsonPayload, ctx: Context) -> None:
        """Run a scheduled job. Errors propagate: the scheduler records and logs them."""
        handler = self._jobs.get(kind)
        if handler is None:
            raise LookupError(f"no job handler for kind {kind!r}")
        await handler(payload, ctx)


async def _keyed(handlers: Mapping[str, Handler[Req]], key: str, request: Req, ctx: Context, *,
                 unknown: str) -> Reply | None:
    """Run the handler registered under ``key`` (a button's action, a form's id); a key no
    feature registered (a button of an older release, a feature since turned off) gets a
    short answer and an info log line."""
    handler = handlers.get(key)
    if handler is None:
        log.info(unknown, extra={"route": key[:64]})
        return Reply.text(CORE.get(ctx.locale, "unknown_action"))
    return await handler(request, ctx)


def _route_name(request: Request) -> str:
    if isinstance(request, CommandRequest):
        return f"command:{request.name[:40]}"
    if isinstance(request, Interaction):
        return f"action:{request.action[:64]}"
    if isinstance(request, FormSubmission):
        return f"form:{request.form_id[:64]}"
    return "message"


def _size(request: Request) -> int:
    if isinstance(request, CommandRequest):
        return len(request.args) + len(request.name)
    if isinstance(request, InboundMessage):
        return len(request.text)
    if isinstance(request, FormSubmission):
        return sum(len(v) for v in request.values.values()) + len(request.state)
    return len(request.value) + len(request.action)
