"""``hartslag announce send|schedule|list|cancel``: announcements without chat, for a
publication pipeline. Same options and checks as ``/hartslag announce new``.

The CLI stores the announcement and queues it in the outbox and the scheduler (the shared
database); the running ``hartslag run`` process delivers it. Four-eyes approval still applies:
an announcement to an audience that needs approval waits for a comms member in chat.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bots.config import Config
from commands.announcements.command import LISTED_STATES
from commands.announcements.compose import Draft, local_time, plan
from commands.announcements.lifecycle import (
    cancel,
    confirm,
    create,
    pending_runs,
    repo,
    state_name,
)
from commands.announcements.messages import TEXT
from commands.context import Context
from commands.errors import UserError
from commands.model import PLATFORMS, UserRef
from scheduling.engine import LEASE
from storage.announcements import Announcement
from storage.scheduling import ScheduleRepository, holder_dead

if TYPE_CHECKING:
    from bots.app import App

EXIT_BAD_INPUT = 2


def add_parser(subparsers: Any) -> None:
    """Register ``announce`` and its subcommands on the root parser's subparsers."""
    parser = subparsers.add_parser("announce", help="send, schedule, list or cancel announcements")
    sub = parser.add_subparsers(dest="announce_command", required=True)
    send = sub.add_parser("send", help="send an announcement now")
    _compose_options(send)
    send.set_defaults(func=_send)
    schedule = sub.add_parser("schedule", help="schedule an announcement (once or recurring)")
    _compose_options(schedule)
    schedule.add_argument("--at", required=True,
                          help='when: "2026-12-01 09:00", "morgen 9:00", "elke maandag 9:00"')
    schedule.set_defaults(func=_send)
    listing = sub.add_parser("list", help="open, scheduled and recently sent announcements")
    listing.set_defaults(func=_list)
    stop = sub.add_parser("cancel", help="cancel an announcement until it is sent")
    stop.add_argument("id", type=int)
    stop.set_defaults(func=_cancel)


def _compose_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--title", required=True)
    parser.add_argument("--body", default=None, help="Markdown; '-' reads it from stdin")
    parser.add_argument("--to", default=None, help='targets: "slack:C0123 local:#algemeen"')
    parser.add_argument("--audience", default=None, help="names of saved audiences")
    parser.add_argument("--template", default=None)
    parser.add_argument("--var", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--ack", default=None, metavar="WHEN",
                        help='add a Read button; remind after this time ("" = no reminder)')
    parser.add_argument("--embargo", default=None, metavar="WHEN")
    parser.add_argument("--allow-mentions", action="store_true")
    parser.add_argument("--as", dest="author", default="cli:hartslag",
                        help="author as platform:id (gets the reports by DM), default cli:hartslag")
    parser.add_argument("--locale", default=None, help="language of the output: nl or en")


def _draft(args: argparse.Namespace) -> Draft:
    body = sys.stdin.read() if args.body == "-" else args.body
    variables = {}
    for item in args.var:
        key, eq, value = item.partition("=")
        if not eq:
            raise UserError(f"--var {item!r}: write NAME=VALUE")
        variables[key] = value
    return Draft(title=args.title, body=body, targets=args.to, audiences=args.audience,
                 template=args.template, variables=variables, when=getattr(args, "at", None),
                 ack=True if args.ack is not None else None, ack_due=args.ack or None,
                 embargo=args.embargo, allow_mentions=args.allow_mentions or None)


def _author(value: str) -> UserRef:
    platform, _, ident = value.partition(":")
    if not ident:
        raise UserError(f"--as {value!r}: write platform:id, e.g. slack:U0123 or cli:pipeline")
    workspace = "local" if platform == "local" else ""
    return UserRef(platform, ident, ident if platform in PLATFORMS else value, workspace)


def _platforms(config: Config) -> tuple[str, ...]:
    """The platforms this install serves: the chat refuses targets elsewhere, so do we."""
    enabled = {"local": config.local.enabled, "slack": config.slack.enabled,
               "teams": config.teams.enabled, "matrix": config.matrix.enabled}
    return tuple(name for name, on in enabled.items() if on)


async def _server_running(app: App) -> bool:
    """Whether a live ``hartslag run`` holds the scheduler lease on this database."""
    lease = await app.store.repo(ScheduleRepository).lease(LEASE)
    return (lease is not None and lease.expires_at > datetime.now(UTC)
            and not holder_dead(lease.holder))


async def _send(args: argparse.Namespace, config: Config) -> int:
    from bots.app import open_core

    async with open_core(config) as app:
        try:
            author = _author(args.author)
            ctx = app.context(user=author, locale=args.locale)
            draft = _draft(args)
            ann = await create(ctx, await plan(ctx, draft, platforms=_platforms(config)), author)
            outcome = await confirm(ctx, ann)
        except UserError as exc:
            print(f"hartslag: {exc.message}", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(f"#{ann.id}: {outcome}")
        if not await _server_running(app):
            print(ctx.text(TEXT, "cli_no_server"))
    return 0


async def _list(args: argparse.Namespace, config: Config) -> int:
    from bots.app import open_core

    async with open_core(config) as app:
        ctx = app.context()
        for ann in await repo(ctx).open(states=LISTED_STATES):
            next_run = "-"
            if ann.schedule_id is not None and ann.state in ("scheduled", "paused"):
                info = await ctx.scheduler.get(ann.schedule_id)
                if info is not None and info.next_run is not None:
                    next_run = local_time(ctx, info.next_run)
            print(f"#{ann.id}\t{await _state(ctx, ann)}\t{next_run}\t{ann.title}")
        if not await _server_running(app):
            print(ctx.text(TEXT, "cli_no_server"), file=sys.stderr)
    return 0


async def _state(ctx: Context, ann: Announcement) -> str:
    """"Sent" means handed to the outbox; while posts still wait, say so, as the chat does."""
    if ann.state == "sent" and await pending_runs(ctx, ann):
        return ctx.text(TEXT, "state_queued")
    return state_name(ctx, ann.state)


async def _cancel(args: argparse.Namespace, config: Config) -> int:
    from bots.app import open_core

    async with open_core(config) as app:
        ctx = app.context()
        ann = await repo(ctx).get(args.id)
        if ann is None:
            print(f"hartslag: {ctx.text(TEXT, 'unknown_id', id=args.id)}", file=sys.stderr)
            return EXIT_BAD_INPUT
        try:
            print(await cancel(ctx, ann))
        except UserError as exc:
            print(f"hartslag: {exc.message}", file=sys.stderr)
            return EXIT_BAD_INPUT
    return 0
