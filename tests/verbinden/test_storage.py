"""The verbinden repository on SQLite and PostgreSQL: rounds and their group rows, the
repeat window, the purge beyond it, answers moving counters, leaving deletes a person's rows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.verbinden import (
    VerbindenParticipant,
    VerbindenProgramme,
    VerbindenRepository,
    VerbindenRound,
)
from tests.support.db import fresh_database

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_rounds_window_purge_answers_and_leaving(kind: str, tmp_path: Path) -> None:
    async with fresh_database(kind, tmp_path) as db:
        repo = VerbindenRepository(db)
        programme = await repo.create(VerbindenProgramme(name="Koffie", created_by="local:anna",
                                                         created_at=NOW))
        assert programme.id is not None
        pid = programme.id
        for key in ("local:a", "local:b", "local:c", "local:d"):
            assert await repo.join(VerbindenParticipant(programme_id=pid, user_key=key,
                                                        joined_at=NOW))
        assert not await repo.join(VerbindenParticipant(programme_id=pid, user_key="local:a",
                                                        location="werf", joined_at=NOW))
        groups = [[("local:a", "local:b"), ("local:c", "local:d")],
                  [("local:a", "local:c"), ("local:b", "local:d")],
                  [("local:a", "local:d"), ("local:b", "local:c")]]
        rows = []
        for number, round_groups in enumerate(groups, 1):
            rows.append(await repo.record_round(
                VerbindenRound(programme_id=pid, number=number, formed_at=NOW,
                               participants=4, groups=2), round_groups))
        assert await repo.next_number(pid) == 4
        window = await repo.history(pid, rounds=2)
        assert sorted(map(sorted, window)) == sorted(map(sorted, groups[1] + groups[2]))
        assert await repo.purge(pid, keep_rounds=2) == 4  # round 1's group rows
        assert await repo.members(rows[0].id or 0) == []
        assert (await repo.get_round(rows[0].id or 0)) is not None  # its counts stay
        # An answer, changed once: the counters follow, no double count.
        round_id = rows[2].id or 0
        assert await repo.answer(round_id, "local:a", "not_yet")
        assert await repo.answer(round_id, "local:a", "yes")
        assert not await repo.answer(round_id, "local:zz", "yes")
        row = await repo.get_round(round_id)
        assert row is not None and (row.met_yes, row.met_not_yet, row.met_no) == (1, 0, 0)
        # Leaving: the person's participant and group rows go; others' stay.
        assert await repo.leave(pid, "local:a")
        assert not await repo.leave(pid, "local:a")
        assert await repo.participant(pid, "local:a") is None
        left = [m.user_key for r in rows for m in await repo.members(r.id or 0)]
        assert "local:a" not in left and left.count("local:b") == 2
