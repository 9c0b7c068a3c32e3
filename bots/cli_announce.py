"""``hartslag announce send|schedule|list|cancel``: announcements without chat, for a
publication pipeline. Same options and checks as ``/hartslag announce new``.

The CLI stores the announcement and queues it in the outbox and the scheduler (the shared
database); the running ``hartslag run`` process delivers it. Four-eyes approval still applies:
an announcement to an audience that needs approval waits for a comms member in chat.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bots.config import Config
from commands.announcements.compose import Draft, local_time, plan
from commands.announcements.lifecycle import cancel, confirm, create, repo, state_name
from commands.errors import UserError
from commands.model import PLATFORMS, UserRef

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


async def _send(args: argparse.Namespace, config: Config) -> int:
    from bots.app import open_core

    async with open_core(config) as app:
        try:
            author = _author(args.author)
            ctx = app.context(user=author, locale=args.locale)
            draft = _draft(args)
            ann = await create(ctx, await plan(ctx, draft, check_platforms=False), author)
            outcome = await confirm(ctx, ann)
        except UserError as exc:
            print(f"hartslag: {exc.message}", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(f"#{ann.id}: {outcome}")
    return 0


async def _list(args: argparse.Namespace, config: Config) -> int:
    from bots.app import open_core

    async with open_core(config) as app:
        ctx = app.context()
        for ann in await repo(ctx).open(states=("draft", "pending", "scheduled", "paused", "sent")):
            next_run = "-"
            if ann.schedule_id is not None and ann.state in ("scheduled", "paused"):
                info = await ctx.scheduler.get(ann.schedule_id)
                if info is not None and info.next_run is not None:
                    next_run = local_time(ctx, info.next_run)
            print(f"#{ann.id}\t{state_name(ctx, ann.state)}\t{next_run}\t{ann.title}")
    return 0


async def _cancel(args: argparse.Namespace, config: Config) -> int:
    from bots.app import open_core

    async with open_core(config) as app:
        ctx = app.context()
        ann = await repo(ctx).get(args.id)
        if ann is None:
            print(f"hartslag: announcement {args.id} does not exist", file=sys.stderr)
            return EXIT_BAD_INPUT
        try:
            print(await cancel(ctx, ann))
        except UserError as exc:
            print(f"hartslag: {exc.message}", file=sys.stderr)
            return EXIT_BAD_INPUT
    return 0
