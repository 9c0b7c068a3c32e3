"""``hartslag pulse create|confirm|export|teams|keygen``: pulses, results and teams.

- ``create <title> --team T --q1 "likert: ..." [--when ...] [--confirm]``: the chat's
  ``pulse new`` (same options, same checks, same words: commands/pulse/create.py): a draft
  whose preview is printed, or with ``--confirm`` created and confirmed in one go (four-eyes
  approval still applies: then it waits for a comms member in chat).
- ``confirm <pulse>``: confirm a draft made earlier.
- ``export <pulse> [--team T] [--out FILE]``: aggregated results of every closed round as
  CSV, with the minimum group size and the differencing rule applied (as in chat).
- ``teams import FILE.csv``: teams, parents, members and managers from a CSV file (columns
  ``team,parent,person,role``); replaces what an earlier CSV import wrote.
- ``keygen``: a fresh master secret for ``HARTSLAG_PULSE_KEY``.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path
from typing import Any

from bots.cli_announce import _server_running
from bots.cli_files import read_input, write_output
from bots.config import Config
from commands.errors import UserError
from commands.grammar import Args
from commands.model import Address, CommandRequest, UserRef


def add_parser(subparsers: Any) -> None:
    pulse = subparsers.add_parser("pulse", help="pulse polls: export results, import teams")
    sub = pulse.add_subparsers(dest="pulse_command", required=True)
    create = sub.add_parser("create", help="a pulse as a draft (or --confirm: scheduled)")
    create.add_argument("title")
    for name in ("team", "channel", "when", "duration", "reminder", "lang"):
        create.add_argument(f"--{name}", default=None)
    for i in range(1, 11):
        create.add_argument(f"--q{i}", default=None, metavar="KIND: QUESTION")
    for flag in ("named", "live", "remind-only-missing", "confirm"):
        create.add_argument(f"--{flag}", action="store_true")
    create.add_argument("--as", dest="author", default="cli:hartslag",
                        help="the author, platform:id (default cli:hartslag)")
    create.add_argument("--locale", default="nl", choices=("nl", "en"))
    create.set_defaults(func=run_create)
    confirm = sub.add_parser("confirm", help="confirm a draft pulse")
    confirm.add_argument("pulse", type=int)
    confirm.add_argument("--as", dest="author", default="cli:hartslag")
    confirm.add_argument("--locale", default="nl", choices=("nl", "en"))
    confirm.set_defaults(func=run_confirm)
    export = sub.add_parser("export", help="aggregated results as CSV (k applied)")
    export.add_argument("pulse", type=int, help="the pulse number")
    export.add_argument("--team", default=None, help="only this team (default: the audience)")
    export.add_argument("--out", type=Path, default=None, help="file to write (default: stdout)")
    export.set_defaults(func=run_export)
    teams = sub.add_parser("teams", help="organisation teams")
    teams_sub = teams.add_subparsers(dest="teams_command", required=True)
    load = teams_sub.add_parser("import", help="teams from CSV: team,parent,person,role")
    load.add_argument("file", type=Path)
    load.set_defaults(func=run_import)
    sub.add_parser("keygen", help="print a new master secret for HARTSLAG_PULSE_KEY") \
        .set_defaults(func=run_keygen)


def _args(ns: argparse.Namespace) -> Args:
    """The command line as the chat command's parsed arguments (canonical names)."""
    args = Args(words=[ns.title])
    for name in ("team", "channel", "when", "duration", "reminder", "lang",
                 *(f"q{i}" for i in range(1, 11))):
        if getattr(ns, name) is not None:
            args.options[name] = getattr(ns, name)
    for flag in ("named", "live", "remind-only-missing"):
        if getattr(ns, flag.replace("-", "_")):
            args.flags.add(flag)
    return args


def _author(value: str) -> UserRef:
    platform, _, ident = value.partition(":")
    return UserRef(platform or "cli", ident or value, ident or value,
                   "local" if platform == "local" else "")


async def run_create(args: argparse.Namespace, config: Config) -> int:
    from bots.app import open_core
    from commands.pulse import lifecycle
    from commands.pulse.create import build
    from commands.pulse.text import PULSE

    async with open_core(config) as app:
        author = _author(args.author)
        ctx = app.context(user=author, locale=args.locale)
        # No channel to create it "here" from: the CLI names its audience (--team/--channel).
        request = CommandRequest(author, Address("local", "local", "@cli"), "pulse", "",
                                 is_direct=True, locale=args.locale)
        try:
            # The operator runs the CLI on the server: no chat role is asked.
            draft = await build(request, ctx, _args(args), [], check_role=False)
            series = await lifecycle.save(ctx, draft)
            if args.confirm:
                print(await lifecycle.confirm(ctx, series, author))
            else:
                print((await lifecycle.preview(ctx, series)).markdown)
                print(ctx.text(PULSE, "cli.draft", id=series.id))
        except UserError as exc:
            print(f"hartslag: {exc.message}", file=sys.stderr)
            return 2
        if args.confirm and not await _server_running(app):
            print(ctx.text(PULSE, "cli.no_server"))
    return 0


async def run_confirm(args: argparse.Namespace, config: Config) -> int:
    from bots.app import open_core
    from commands.pulse import lifecycle
    from commands.pulse.text import PULSE

    async with open_core(config) as app:
        author = _author(args.author)
        ctx = app.context(user=author, locale=args.locale)
        series = await lifecycle.repo(ctx).series(args.pulse)
        if series is None:
            print(f"hartslag: {ctx.text(PULSE, 'no_pulse', id=args.pulse)}", file=sys.stderr)
            return 2
        try:
            print(await lifecycle.confirm(ctx, series, author))
        except UserError as exc:
            print(f"hartslag: {exc.message}", file=sys.stderr)
            return 2
        if not await _server_running(app):
            print(ctx.text(PULSE, "cli.no_server"))
    return 0


async def run_export(args: argparse.Namespace, config: Config) -> int:
    from bots.app import open_core
    from commands.org.tree import ROOT
    from commands.pulse.render import export_csv
    from commands.pulse.runtime import PulseRuntime

    async with open_core(config) as app:
        ctx = app.context()
        repo = ctx.state(PulseRuntime).repo
        series = await repo.series(args.pulse)
        if series is None or series.id is None:
            print(f"hartslag: pulse {args.pulse} does not exist", file=sys.stderr)
            return 2
        groups = [args.team] if args.team else sorted({series.team or ROOT, ROOT})
        text = await export_csv(ctx, series, await repo.rounds(series.id), groups=groups)
    return write_output(text, args.out, done=f"results written to {args.out}")


async def run_import(args: argparse.Namespace, config: Config) -> int:
    from bots.app import open_core
    from commands.org.csvfile import CsvError, parse_teams_csv
    from commands.org.directory import OrgDirectory
    from commands.org.settings import OrgSettings

    text = read_input(args.file)
    if text is None:
        return 2
    async with open_core(config) as app:
        ctx = app.context()
        directory = ctx.state(OrgDirectory)
        tree = await directory.tree(ctx.settings.get(OrgSettings), at=ctx.clock.now())
        existing = {name for name, team in tree.teams.items()}
        csv_teams = {r.name for r in await directory.repo.all() if r.source == "csv"}
        try:
            specs = parse_teams_csv(text, known=frozenset(existing - csv_teams))
        except CsvError as exc:
            print(f"hartslag: {args.file}: {exc}", file=sys.stderr)
            return 2
        await directory.repo.replace_source(specs, source="csv", by="cli:import",
                                            at=ctx.clock.now())
    people = sum(len(s.members) + len(s.managers) for s in specs)
    print(f"{len(specs)} team(s) and {people} person entries imported from {args.file}",
          file=sys.stderr)
    return 0


def run_keygen(args: argparse.Namespace, config: Config) -> int:
    print(secrets.token_hex(32))
    return 0
