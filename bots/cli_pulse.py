"""``hartslag pulse export|teams|keygen``: pulse results and organisation teams.

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

from bots.cli_files import read_input, write_output
from bots.config import Config


def add_parser(subparsers: Any) -> None:
    pulse = subparsers.add_parser("pulse", help="pulse polls: export results, import teams")
    sub = pulse.add_subparsers(dest="pulse_command", required=True)
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


async def run_export(args: argparse.Namespace, config: Config) -> int:
    from bots.app import open_core
    from commands.org.tree import ROOT
    from commands.pulse.render import export_csv
    from commands.pulse.runtime import PulseRuntime

    async with open_core(config) as app:
        ctx = app.context()
        repo = ctx.store.repo(PulseRuntime).repo
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
    from commands.pulse.settings import PulseSettings

    text = read_input(args.file)
    if text is None:
        return 2
    async with open_core(config) as app:
        ctx = app.context()
        directory = ctx.store.repo(OrgDirectory)
        tree = await directory.tree(ctx.settings.get(PulseSettings), at=ctx.clock.now())
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
