"""``PulseRepository.decide``: one decision per result, kept; concurrent decisions of two
conflicting results never both show (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from commands.pulse.history import Shown, conflict
from storage.db import Database
from storage.pulse import PulseRepository, PulseSeries, PulseShown
from tests.support.db import fresh_database

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def two_rounds(db: Database) -> tuple[int, int]:
    repo = PulseRepository(db)
    ids = []
    for title in ("a", "b"):
        series = await repo.add_series(PulseSeries(title=title, questions="[]", created_by="x:y",
                                                   created_at=AT))
        assert series.id is not None
        row = await repo.open_round(series.id, at=AT, closes_at=AT, invited="{}", ledger=False)
        assert row.id is not None
        ids.append(row.id)
    return ids[0], ids[1]


def candidate(round_id: int, people: list[str]) -> PulseShown:
    return PulseShown(round_id=round_id, group="t", shown=True, at=AT,
                      audience=json.dumps(sorted(people)), questions=json.dumps(["q"]))


def checker(mine: PulseShown) -> Callable[[list[PulseShown]], PulseShown | None]:
    def check(earlier: list[PulseShown]) -> PulseShown | None:
        def as_shown(r: PulseShown) -> Shown:
            return Shown(r.round_id, r.group, r.at, frozenset(json.loads(r.audience)),
                         frozenset(json.loads(r.questions)))
        found = conflict(as_shown(mine), [as_shown(e) for e in earlier], k=5,
                         horizon=timedelta(days=365))
        return next((e for e in earlier if found and e.round_id == found.round_id), None)
    return check


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_conflicting_decisions_at_the_same_time_show_one(kind: str, tmp_path: Path) -> None:
    async with fresh_database(kind, tmp_path) as db:
        first, second = await two_rounds(db)
        repo = PulseRepository(db)
        five = [f"h{i}" for i in range(5)]
        a, b = candidate(first, five), candidate(second, [*five, "h5"])  # differ by one
        since = AT - timedelta(days=365)
        got = await asyncio.gather(repo.decide(a, since=since, check=checker(a)),
                                   repo.decide(b, since=since, check=checker(b)))
        assert sorted(d.shown for d in got) == [False, True]
        hidden = next(d for d in got if not d.shown)
        assert hidden.audience == "[]" and hidden.against_round in (first, second)
        # Decided once: asking again returns the stored decision, whatever the check says.
        again = await repo.decide(candidate(hidden.round_id, five), since=since,
                                  check=lambda earlier: None)
        assert not again.shown
