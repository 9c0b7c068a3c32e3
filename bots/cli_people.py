"""``hartslag people import FILE.csv``: the directory of people for work-system
notifications. Columns: employee_id, email, name, slack, teams, matrix, local (any subset;
each row needs an employee_id or an email). Idempotent: rows update the person with the same
employee id, else the same e-mail. Invalid rows are reported with their line; valid rows are
imported."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bots.cli_files import read_input
from bots.config import Config
from commands.notices.directory import CSV_COLUMNS, parse_people_csv
from storage.people import PeopleRepository


def add_parser(subparsers: Any) -> None:
    people = subparsers.add_parser("people", help="the directory of people (notifications)")
    sub = people.add_subparsers(dest="people_command", required=True)
    imp = sub.add_parser("import", help=f"add or update people from a CSV ({', '.join(CSV_COLUMNS)})")
    imp.add_argument("file", type=Path)
    imp.set_defaults(func=run_import)


async def run_import(args: argparse.Namespace, config: Config) -> int:
    from bots.app import open_core

    path: Path = args.file
    text = read_input(path)
    if text is None:
        return 2
    rows, problems = parse_people_csv(text)
    async with open_core(config) as app:
        created, updated = await app.store.repo(PeopleRepository).upsert(rows)
    print(f"people: {created} created, {updated} updated, {len(problems)} skipped")
    for problem in problems:
        print(f"  {path.name} {problem}")
    return 1 if problems else 0
