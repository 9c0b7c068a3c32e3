"""Audience snapshots and the stored decisions of the differencing rule across time.

The audience of a result is who it could count: the invited people of the round in the
group (a team pulse: the team's members, tagged with their most specific team inside it, as
answers are; a channel pulse: the channels' members where the platform can list them, and
everyone in the organisation tree). It is taken when the result is first shown and stored as
keyed hashes (one audience key for every round, so snapshots can be compared). It is never
who answered. The pure rule is commands/pulse/history.py.
"""

from __future__ import annotations

import json
from datetime import timedelta

from commands.context import Context
from commands.model import Address
from commands.org.tree import ROOT, TeamTree
from commands.port import DeliveryError
from commands.pulse.history import Shown, conflict, question_keys
from commands.pulse.keys import member_key
from commands.pulse.questions import load_questions
from commands.pulse.runtime import PulseRuntime
from commands.pulse.settings import PulseSettings
from storage.pulse import PulseRound, PulseSeries, PulseShown


async def _channel_people(ctx: Context, series: PulseSeries) -> set[str]:
    found: set[str] = set()
    for text in json.loads(series.channels):
        try:
            members = await ctx.port.members(Address.parse(text))
        except DeliveryError:
            members = None  # the platform is down: the tree below still counts
        found.update(m.key for m in members or ())
    return found


async def audience(ctx: Context, tree: TeamTree, series: PulseSeries,
                   group: str) -> frozenset[str]:
    """The people (``platform:id``) the result of ``group`` could count."""
    team = series.team if series.team in tree.teams else None
    if team is not None:
        people = tree.members(team)
    else:
        people = await _channel_people(ctx, series)
        people.update(m for t in tree.teams.values() for m in t.members)
    if group == ROOT:
        return frozenset(people)
    if group not in tree.teams:
        return frozenset()
    inside = tree.subtree(group)
    return frozenset(m for m in people if tree.team_of(m, within=team) in inside)


def _shown(row: PulseShown) -> Shown:
    return Shown(row.round_id, row.group, row.at, frozenset(json.loads(row.audience)),
                 frozenset(json.loads(row.questions)))


async def decide(ctx: Context, tree: TeamTree, series: PulseSeries, row: PulseRound,
                 group: str) -> PulseShown:
    """The decision on this result: stored the first time it is shown, then never changed."""
    settings = ctx.settings.get(PulseSettings)
    runtime = ctx.state(PulseRuntime)
    assert row.id is not None
    key = await runtime.keys(settings).audience_key()
    people = await audience(ctx, tree, series, group)
    hashed = sorted({member_key(key, person) for person in people})
    asked = sorted(question_keys(load_questions(series.questions)))
    now = ctx.clock.now()
    horizon = timedelta(days=settings.difference_days)
    candidate = PulseShown(round_id=row.id, group=group, shown=True, at=now,
                           audience=json.dumps(hashed), questions=json.dumps(asked))

    def check(earlier: list[PulseShown]) -> PulseShown | None:
        found = conflict(_shown(candidate), [_shown(e) for e in earlier], k=settings.k,
                         horizon=horizon)
        if found is None:
            return None
        return next(e for e in earlier if (e.round_id, e.group) == (found.round_id, found.group))

    return await runtime.repo.decide(candidate, since=now - horizon, check=check)
