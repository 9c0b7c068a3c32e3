"""Teams from a CSV file (``hartslag pulse teams import teams.csv``).

Columns (header required): ``team,parent,person,role``. One row per person (``role`` is
``member`` or ``manager``, default member); a row with an empty person only declares the team
and its parent. Example::

    team,parent,person,role
    zorg,,slack:U0456,manager
    zorg-noord,zorg,slack:U0123,member
    zorg-noord,zorg,teams:6f1c0000-0000-0000-0000-000000000001,member

An import replaces everything an earlier CSV import wrote; config and chat rows stay.
"""

from __future__ import annotations

import csv
import io
import re

from commands.model import PLATFORMS
from commands.org.tree import CycleError, Team, TeamTree
from storage.org import TeamSpec

TEAM_NAME = re.compile(r"^[\w.-]{1,100}$")
COLUMNS = ("team", "parent", "person", "role")


class CsvError(ValueError):
    """A problem with the file; the message names the line."""


def parse_teams_csv(text: str, *, known: set[str] | frozenset[str] = frozenset()) -> list[TeamSpec]:
    """Parse and check everything; raises CsvError before anything could be stored.

    ``known`` are teams that exist already (config, chat) and may be named as parents."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next((row for row in reader if row), None)
    columns = {name.strip().lower(): i for i, name in enumerate(header or ())}
    if not {"team", "person"} <= columns.keys():
        raise CsvError("line 1: the header must be team,parent,person,role")
    # Cells by position, not a dict per row: a 50,000-person file parsed in half the time.
    at = [columns.get(name, -1) for name in COLUMNS]
    parents: dict[str, str | None] = {}
    members: dict[str, list[str]] = {}
    managers: dict[str, list[str]] = {}
    for number, cells in enumerate((row for row in reader if row), start=2):
        team, parent_cell, person, role_cell = (
            cells[i].strip() if 0 <= i < len(cells) else "" for i in at)
        parent = parent_cell or None
        role = (role_cell or "member").lower()
        if not TEAM_NAME.match(team):
            raise CsvError(f"line {number}: {team[:40]!r} is not a team name "
                           "(letters, digits, - _ .)")
        if parent is not None and not TEAM_NAME.match(parent):
            raise CsvError(f"line {number}: {parent[:40]!r} is not a team name")
        if team in parents and parent is not None and parents[team] not in (None, parent):
            raise CsvError(f"line {number}: team {team!r} has two parents")
        if team not in parents or parent is not None:
            parents[team] = parent
        if role not in ("member", "manager"):
            raise CsvError(f"line {number}: role must be member or manager, not {role[:20]!r}")
        if person:
            platform, sep, ident = person.partition(":")
            if not sep or platform not in PLATFORMS or not ident or len(person) > 300:
                raise CsvError(f"line {number}: {person[:60]!r} is not platform:id")
            (managers if role == "manager" else members).setdefault(team, []).append(person)
    for team, parent in parents.items():
        if parent is not None and parent not in parents and parent not in known:
            raise CsvError(f"team {team!r}: parent {parent!r} is not in the file or hartslag")
    try:
        TeamTree(Team(name, parent) for name, parent in parents.items())
    except CycleError as exc:
        raise CsvError(str(exc)) from None
    return [TeamSpec(name, parents[name], tuple(dict.fromkeys(members.get(name, []))),
                     tuple(dict.fromkeys(managers.get(name, []))))
            for name in sorted(parents)]
