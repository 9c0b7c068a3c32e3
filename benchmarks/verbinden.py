"""Verbinden: form one round for 10,000 participants with 10 earlier rounds of history, on
SQLite, and send introductions through the outbox against a platform enforcing its budget.
Prints ONE JSON line:

- ``round_seconds``: read participants and history, match, store the round and purge
  (goal <= 5 s on the 2-core machine); ``match_seconds`` the matching alone;
- per rule (``departments``, ``location``, ``locations``): ``violations`` and ``repeats``
  of hartslag and of a ``naive`` random pairing made in the same run; ``avoidable_repeats``
  counts repeats while every person fits with at least half of their pool (Dirac: a round
  without any repeat exists then), goal 0;
- ``outbox``: introductions for ``--send`` people through the outbox: send rate as a fraction
  of the platform budget, 429 answers after the burst, duplicates and lost.

    .venv/bin/python benchmarks/verbinden.py [--people 10000] [--rounds 10] [--send 600]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.fanout import TimedPort, steady_rate
from commands.clock import SystemClock
from commands.delivery import Delivery
from commands.metrics import Metrics
from commands.model import OutgoingMessage, UserRef
from commands.verbinden.matching import Participant, _pairs, form_groups, score
from commands.verbinden.messages import VERBINDEN
from scheduling.outbox import Outbox
from scheduling.settings import DeliverySettings, PlatformLimits
from storage.db import Database
from storage.schema import metadata
from storage.verbinden import (
    VerbindenParticipant,
    VerbindenProgramme,
    VerbindenRepository,
    VerbindenRound,
)

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


def population(n: int, seed: int) -> list[Participant]:
    rng = random.Random(seed)
    # Uneven departments and locations, as in a municipality: a big town hall, a works yard.
    departments = [f"afdeling-{i}" for i in range(12)]
    locations = ["stadhuis", "werf", "stadskantoor", "wijkpost-noord", "wijkpost-zuid"]
    dept_weights = [18, 14, 12, 10, 9, 8, 7, 6, 5, 5, 3, 3]
    loc_weights = [45, 20, 20, 8, 7]
    return [Participant(f"slack:U{i:06d}", rng.choices(departments, dept_weights)[0],
                        rng.choices(locations, loc_weights)[0]) for i in range(n)]


def naive(people: list[Participant], seed: int) -> list[tuple[str, ...]]:
    keys = [p.key for p in people]
    random.Random(seed).shuffle(keys)
    groups = [tuple(keys[i:i + 2]) for i in range(0, len(keys) - 1, 2)]
    if len(keys) % 2:
        groups[-1] = (*groups[-1], keys[-1])
    return groups


def dirac(people: list[Participant], history: list[list[str]], rule: str) -> bool:
    """Every person fits with at least half of their pool (cheap bound: pool minus their
    own bucket minus everyone they met)."""
    met = Counter(k for pair in _pairs(history) for k in pair)
    field = {"departments": "department", "locations": "location", "location": "location"}[rule]
    sizes = Counter(getattr(p, field) for p in people)
    n = len(people)
    for p in people:
        own = sizes[getattr(p, field)]
        pool = own - 1 if rule == "location" else n - 1
        bad = met[p.key] + (0 if rule == "location" else own - 1)
        if pool - bad < (pool + 1) / 2:
            return False
    return True


def rule_result(people: list[Participant], rounds: int, rule: str) -> dict[str, Any]:
    history: list[list[str]] = []
    for number in range(rounds):
        history += [list(g) for g in form_groups(people, history, rule, seed=number).groups]
    start = time.perf_counter()
    ours = form_groups(people, history, rule, seed=rounds)
    seconds = time.perf_counter() - start
    violations, repeats = score(ours.groups, people, history, rule)
    naive_v, naive_r = score(naive(people, rounds), people, history, rule)
    return {"match_seconds": round(seconds, 3), "violations": violations, "repeats": repeats,
            "avoidable_repeats": repeats if dirac(people, history, rule) else None,
            "unmatched": len(ours.unmatched), "groups": len(ours.groups),
            "naive": {"violations": naive_v, "repeats": naive_r}}


async def stored_round(people: list[Participant], rounds: int, tmp: Path) -> dict[str, Any]:
    """The production path on SQLite: participants and history from the database, match,
    store the round and its group rows, purge beyond the window."""
    db = Database(f"sqlite:///{tmp / 'verbinden.db'}")
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)  # every table: the outbox uses several
    repo = VerbindenRepository(db)
    programme = await repo.create(VerbindenProgramme(name="Koffie", rule="departments",
                                                     created_by="slack:UORG", created_at=NOW))
    assert programme.id is not None
    async with db.engine.begin() as conn:
        await conn.execute(metadata.tables["verbinden_participant"].insert(), [
            {"programme_id": programme.id, "user_key": p.key, "department": p.department,
             "location": p.location, "skip_round": 0, "unreachable": False, "joined_at": NOW}
            for p in people])
    history: list[list[str]] = []
    for number in range(1, rounds + 1):
        groups = form_groups(people, history, "departments", seed=number).groups
        history += [list(g) for g in groups]
        await repo.record_round(VerbindenRound(programme_id=programme.id, number=number,
                                               formed_at=NOW), groups)
    start = time.perf_counter()
    rows: list[VerbindenParticipant] = await repo.participants(programme.id)
    found = [Participant(r.user_key, r.department, r.location) for r in rows]
    window = await repo.history(programme.id, rounds=rounds)
    read = time.perf_counter()
    matching = form_groups(found, window, "departments", seed=rounds + 1)
    matched = time.perf_counter()
    await repo.record_round(VerbindenRound(programme_id=programme.id, number=rounds + 1,
                                           formed_at=NOW, participants=len(found),
                                           groups=len(matching.groups)), matching.groups)
    await repo.purge(programme.id, keep_rounds=rounds)
    end = time.perf_counter()
    violations, repeats = score(matching.groups, found, window, "departments")
    await db.dispose()
    return {"round_seconds": round(end - start, 3), "read_seconds": round(read - start, 3),
            "match_seconds": round(matched - read, 3), "store_seconds": round(end - matched, 3),
            "violations": violations, "repeats": repeats, "history_groups": len(window)}


async def outbox_run(send: int, budget: float, burst: int, tmp: Path) -> dict[str, Any]:
    db = Database(f"sqlite:///{tmp / 'outbox.db'}")
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)  # every table: the outbox uses several
    port = TimedPort(per_channel=1, channel_burst=1, per_workspace=budget,
                     workspace_burst=burst)
    limits = PlatformLimits(per_channel=1, channel_burst=1, per_workspace=budget,
                            workspace_burst=burst)
    outbox = Outbox(db, port, clock=SystemClock(), metrics=Metrics(),
                    settings=DeliverySettings(limits={"slack": limits}, poll_seconds=0.05))
    people = [f"U{i:06d}" for i in range(send)]
    items = []
    for i, ident in enumerate(people):
        partner = people[i ^ 1] if (i ^ 1) < send else people[0]
        text = VERBINDEN.get("nl", "intro", name="Koffie", number=11,
                             others=f"- {partner} (Slack)",
                             intro=VERBINDEN.get("nl", "template.koffie"),
                             question="Wat had je als kind willen worden?")
        items.append(Delivery(OutgoingMessage(text), user=UserRef("slack", ident, "", "T1")))
    await outbox.enqueue(items, batch="verbinden:1:11:intro")
    await outbox.start()
    for _ in range(int((4 * send / budget + 10) / 0.25)):  # bounded in time
        if not (await outbox.progress("verbinden:1:11:intro")).pending:
            break
        await asyncio.sleep(0.25)
    await outbox.stop()
    await db.dispose()
    counts = Counter(post.target for post in port.posts)
    first_steady = sorted(port.accepted)[burst] if len(port.accepted) > burst else 0.0
    rate = steady_rate(port.accepted, burst)
    return {"sent": len(counts), "budget_per_s": budget, "rate_per_s": round(rate, 2),
            "fraction_of_budget": round(rate / budget, 3),
            "rejected_429_steady": sum(1 for t in port.rejected_at if t > first_steady),
            "duplicates": sum(n - 1 for n in counts.values() if n > 1),
            "lost": send - len(counts)}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--send", type=int, default=600)
    parser.add_argument("--budget", type=float, default=100.0)
    args = parser.parse_args()
    people = population(args.people, seed=42)
    with tempfile.TemporaryDirectory() as tmp:
        stored = await stored_round(people, args.rounds, Path(tmp))
        rules = {rule: rule_result(people, args.rounds, rule)
                 for rule in ("departments", "location", "locations")}
        outbox = await outbox_run(args.send, args.budget, 10, Path(tmp))
    print(json.dumps({"benchmark": "verbinden", "people": args.people,
                      "history_rounds": args.rounds, **stored, "goal_round_seconds": 5.0,
                      "rules": rules, "outbox": outbox}))


if __name__ == "__main__":
    asyncio.run(main())
