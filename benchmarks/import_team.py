"""Team import at organisation size: ``hartslag pulse teams import FILE.csv`` as an operator
runs it (a fresh process: start-up, CSV check, one transaction), for several audience sizes.
Prints one JSON line per size when there are several, then ONE summary line (the curve).

For each size N: an organisation of N people in sub-teams of 25 under one root team, the
first person of every sub-team its manager (a role grant each). Measured in the same run:

- ``import_s``: the first import into an empty database, wall clock of the CLI process
  (``cpu_s``: its CPU); ``reimport_s``: the same file again (everything replaced);
- ``startup_s``: the same CLI with a one-team file (the fixed cost in both figures);
- ``reference_s``: the floor: the same rows written with plain ``sqlite3.executemany``;
- ``peer_s``: what a competent engineer writes with SQLModel: an ORM object per row,
  ``session.add`` and one commit;
- the check: members, managers and grants in the database equal the file, after both runs;
- ``reload``: what the vote path pays when its cached tree of this organisation expires
  (every 30 s): how long a vote waits for the tree (``first_vote_wait_ms``: the first vote
  after a start, which waits for the config sync and the first load), the longest event-loop
  stall while it reloads (a 1 ms ticker), with the start-up objects frozen as ``hartslag run`` does;
  ``idle_stall_ms`` is the same ticker without a reload (the machine's own noise);
  ``reload_cpu_ms``: the CPU of one whole reload, ``full_collections``: the full garbage
  collections three reloads set off.

    .venv/bin/python benchmarks/import_team.py [--sizes 1000,10000] [--full]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._ballots import FULL_SIZES, TEAM_SIZE
from benchmarks._harness import PYTHON, ROOT

GOAL_S = 10.0  # at 50,000 people
LIMIT_S = 600.0  # any one CLI run


def organisation(people: int) -> list[tuple[str, str, str, str]]:
    """(team, parent, person, role) rows: sub-teams of TEAM_SIZE under ``org``."""
    rows = [("org", "", "", "")]
    for i in range(people):
        team = f"org-{i // TEAM_SIZE:05d}"
        rows.append((team, "org", f"slack:U{i:08d}", "manager" if i % TEAM_SIZE == 0
                     else "member"))
    return rows


def write_csv(path: Path, rows: list[tuple[str, str, str, str]]) -> None:
    lines = ["team,parent,person,role", *(",".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n")


def write_config(tmp: Path, db: Path) -> Path:
    config = tmp / "config.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{db}"\n[local]\nenabled = false\n'
                      f'[logging]\nlevel = "WARNING"\n')
    return config


def cli(config: Path, *argv: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one ``hartslag`` CLI process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([PYTHON, "-m", "bots.cli", "--config", str(config), *argv], cwd=ROOT,
                          capture_output=True, text=True, timeout=LIMIT_S, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"hartslag {' '.join(argv)}: {done.stderr.strip()[-300:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def check(db: Path, rows: list[tuple[str, str, str, str]]) -> dict[str, int]:
    """What the database holds against what the file says (0 missing, 0 extra)."""
    want_members = {(t, p) for t, _, p, r in rows if p and r == "member"}
    want_managers = {(t, p) for t, _, p, r in rows if r == "manager"}
    with sqlite3.connect(db) as conn:
        members = set(conn.execute("SELECT team, user_key FROM org_member WHERE NOT manager"))
        managers = set(conn.execute("SELECT team, user_key FROM org_member WHERE manager"))
        grants = set(conn.execute(
            "SELECT team, user_key FROM role_grant WHERE role = 'manager'"))
        teams = conn.execute("SELECT count(*) FROM org_team").fetchone()[0]
    return {"teams": teams, "members": len(members), "managers": len(managers),
            "missing": len(want_members - members) + len(want_managers - managers)
            + len(want_managers - grants),
            "extra": len(members - want_members) + len(managers - want_managers)
            + len(grants - want_managers)}


def reference(tmp: Path, rows: list[tuple[str, str, str, str]]) -> float:
    """The same rows with plain sqlite3 (the floor: no checks, no grants, no process)."""
    db = tmp / "reference.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE org_team (name TEXT PRIMARY KEY, parent TEXT, source TEXT)")
        conn.execute("CREATE TABLE org_member (team TEXT, user_key TEXT, manager BOOLEAN, "
                     "source TEXT, PRIMARY KEY (team, user_key))")
    start = time.perf_counter()
    with sqlite3.connect(db) as conn:
        teams = {t: p or None for t, p, _, _ in rows}
        conn.executemany("INSERT INTO org_team VALUES (?, ?, 'csv')", teams.items())
        conn.executemany("INSERT INTO org_member VALUES (?, ?, ?, 'csv')",
                         [(t, p, r == "manager") for t, _, p, r in rows if p])
    return time.perf_counter() - start


PEER = """
import sys, csv
from sqlmodel import Field, Session, SQLModel, create_engine
class Team(SQLModel, table=True):
    name: str = Field(primary_key=True)
    parent: str | None = None
class Member(SQLModel, table=True):
    team: str = Field(primary_key=True)
    user_key: str = Field(primary_key=True, index=True)
    manager: bool = False
engine = create_engine("sqlite:///" + sys.argv[1])
SQLModel.metadata.create_all(engine)
with open(sys.argv[2]) as f, Session(engine) as session:
    seen = set()
    for row in csv.DictReader(f):
        if row["team"] not in seen:
            seen.add(row["team"])
            session.add(Team(name=row["team"], parent=row["parent"] or None))
        if row["person"]:
            session.add(Member(team=row["team"], user_key=row["person"],
                               manager=row["role"] == "manager"))
    session.commit()
"""


def peer(tmp: Path, csv_path: Path) -> float:
    """A naive SQLModel import in its own process: an ORM object per row, one commit."""
    start = time.perf_counter()
    subprocess.run([PYTHON, "-c", PEER, str(tmp / "peer.db"), str(csv_path)], cwd=ROOT,
                   check=True, timeout=LIMIT_S, capture_output=True)
    return time.perf_counter() - start


async def ticker(stop: asyncio.Event, gaps: list[float]) -> None:
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.001)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now


async def stall_ms(work: Any) -> tuple[float, float]:
    """(ms until ``work`` returned, longest loop stall in ms until its reload finished)."""
    gaps: list[float] = []
    stop = asyncio.Event()
    task = asyncio.ensure_future(ticker(stop, gaps))
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    waited = await work()
    took = time.perf_counter() - started
    if waited is not None:
        await waited
    await asyncio.sleep(0.05)
    stop.set()
    await task
    return round(took * 1000, 1), round(max(gaps) * 1000, 1)


async def reload(db: Path) -> dict[str, float]:
    """The vote path's tree of this organisation, expired and asked for by a vote."""
    from commands.org.directory import CACHE_SECONDS, OrgDirectory
    from commands.org.settings import OrgSettings
    from storage.db import Database

    database = Database(f"sqlite:///{db}")
    directory, settings, now = OrgDirectory(database), OrgSettings(), _now()
    # The first vote after a start waits for the config sync and the first load.
    started = time.perf_counter()
    await directory.tree(settings, at=now)
    first_wait = round((time.perf_counter() - started) * 1000, 1)
    gc.collect()
    gc.freeze()  # as bots/cli.py does after start-up

    async def idle() -> None:
        await asyncio.sleep(1.0)

    async def expired_vote() -> Any:
        directory._loaded -= CACHE_SECONDS + 1
        await directory.tree(settings, at=now)
        # The reload the vote started, still in flight (start() returns it, not a new one).
        return directory._loading.start("tree", directory._load)

    _, idle_stall = await stall_ms(idle)
    wait, stall = await stall_ms(expired_vote)
    cost = await reload_cost(directory, settings, now)
    gc.unfreeze()
    await database.dispose()
    return {"first_vote_wait_ms": first_wait, "vote_wait_ms": wait, "loop_stall_ms": stall,
            "idle_stall_ms": idle_stall, **cost}


async def reload_cost(directory: Any, settings: Any, now: Any) -> dict[str, float]:
    """CPU of one whole reload (read + build, all threads; the median of three) and the full
    garbage collections the three set off: what every 30 s of a vote burst pays for the
    organisation's size."""
    full = [0]

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["generation"] == 2:
            full[0] += 1

    gc.callbacks.append(count)
    try:
        cpu = []
        for _ in range(3):
            directory.invalidate()  # the next vote waits for a fresh tree
            start = time.process_time()
            await directory.tree(settings, at=now)
            cpu.append(time.process_time() - start)
    finally:
        gc.callbacks.remove(count)
    return {"reload_cpu_ms": round(sorted(cpu)[1] * 1000, 1), "full_collections": full[0]}


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def measure(people: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="hartslag-bench-import-"))
    db = tmp / "bench.db"
    config = write_config(tmp, db)
    cli(config, "db", "upgrade")
    rows = organisation(people)
    csv_path = tmp / "teams.csv"
    write_csv(csv_path, rows)
    tiny = tmp / "tiny.csv"
    write_csv(tiny, rows[:2])
    startup, _ = cli(config, "pulse", "teams", "import", str(tiny))
    first, first_cpu = cli(config, "pulse", "teams", "import", str(csv_path))
    after_first = check(db, rows)
    again, _ = cli(config, "pulse", "teams", "import", str(csv_path))
    after_again = check(db, rows)
    stalls = asyncio.run(reload(db))
    ref = reference(tmp, rows)
    naive = peer(tmp, csv_path)
    correct = after_first["missing"] == after_again["missing"] == 0 and \
        after_first["extra"] == after_again["extra"] == 0
    return {"benchmark": "import_team", "people": people, "import_s": round(first, 2),
            "cpu_s": round(first_cpu, 2), "reimport_s": round(again, 2),
            "startup_s": round(startup, 2), "reference_s": round(ref, 3),
            "peer_s": round(naive, 2), "check": after_again, "correct": correct,
            "reload": stalls,
            "ratio_to_peer": round(first / naive, 2) if naive else None,
            "ratio_to_reference": round(first / ref, 1) if ref else None,
            "goal_met": correct and (people != 50_000 or first <= GOAL_S)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated people counts")
    parser.add_argument("--full", action="store_true",
                        help="the full curve: " + ", ".join(f"{n:,}" for n in FULL_SIZES))
    args = parser.parse_args()
    sizes = list(FULL_SIZES) if args.full else [int(n) for n in args.sizes.split(",") if n]
    runs = []
    for size in sizes:
        runs.append(measure(size))
        if len(sizes) > 1:
            print(json.dumps(runs[-1]), flush=True)
    keys = ("people", "import_s", "reimport_s", "startup_s", "peer_s", "reference_s",
            "ratio_to_peer", "correct", "reload")
    print(json.dumps({"benchmark": "import_team", "import_s": runs[-1]["import_s"],
                      "ratio_to_reference": runs[-1]["ratio_to_reference"],
                      "goal_met": all(r["goal_met"] for r in runs),
                      "curve": [{k: r[k] for k in keys} for r in runs]}))


if __name__ == "__main__":
    main()
