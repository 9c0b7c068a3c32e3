"""What the two vote benchmarks share: the presses, the round, the check and the run itself.

``votes.py`` (Slack) and ``votes_teams.py`` (Teams) differ only in the fake platform, the
request body and the goal; everything else is here, so both measure the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import ClientSession

from benchmarks._harness import (
    HOST,
    PYTHON,
    child,
    closed_loop,
    cpu_seconds,
    fetch_text,
    free_port,
    histogram_quantile,
    open_loop,
    reference_server,
    rss_mb,
    rss_total_mb,
    stop,
    wait_http,
)
from benchmarks._storage import Store, backend_cpu, backend_cpu_since, fresh_store, log_failures

PULSE_KEY = "b" * 48
VALUES = ("1", "2", "3", "4", "5")
Body = tuple[bytes, dict[str, str]]


class Presses:
    """Press ``i`` is person ``i``, or, for every ``1/duplicates``-th, a replay of the press
    half a period before it (same person, same answer). With an ``audience`` of N people,
    person ``i`` is member ``i mod N`` of the team (more presses than people are revotes with
    the same answer). Subclasses build the body."""

    def __init__(self, round_id: int, *, duplicates: float = 0.1, audience: int = 0) -> None:
        self.round_id = round_id
        self.every = round(1 / duplicates) if duplicates else 0
        self.audience = audience
        self._ready: dict[int, Body] = {}

    def body(self, index: int) -> Body:
        raise NotImplementedError

    def prepare(self, count: int) -> None:
        """Build (and sign) the first ``count`` bodies before the clock starts: the generator
        shares the machine with the server, and every microsecond it spends is one the
        server does not get (Slack signatures stay valid for 5 minutes)."""
        self._ready = {index: self.body(index) for index in range(count)}

    def person(self, index: int) -> int:
        if self.every and index % self.every == self.every - 1:
            index -= self.every // 2
        return index % self.audience if self.audience else index

    def member_key(self, person: int) -> str:
        """The ``platform:id`` of person ``person`` (what the organisation lists)."""
        raise NotImplementedError

    @staticmethod
    def value(person: int) -> str:
        return VALUES[person % len(VALUES)]

    def request(self, url: str) -> Any:
        async def send(session: ClientSession, index: int) -> int:
            body, headers = self._ready.pop(index) if index in self._ready else self.body(index)
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                return response.status
        return send


TEAM_SIZE = 25  # people per sub-team of the benchmark organisation
AUDIENCE_TEAM = "bench"


def _url(db: Path | str) -> str:
    """A SQLite file (as memory.py passes it) or a database URL."""
    return f"sqlite:///{db}" if isinstance(db, Path) else db


async def seed_audience(store: Store, keys: list[str]) -> dict[str, int]:
    """An organisation as a CSV import leaves it: the team ``bench`` with sub-teams of
    ``TEAM_SIZE`` people holding ``keys``. Written in bulk with the driver (the seeding is not
    measured); returns the invited count per team as the open job would."""
    teams = [f"{AUDIENCE_TEAM}-{i // TEAM_SIZE:05d}" for i in range(len(keys))]
    parents = [(AUDIENCE_TEAM, None)] + [(name, AUDIENCE_TEAM) for name in dict.fromkeys(teams)]
    await store.copy("org_team", ("name", "parent", "source"),
                     ((name, parent, "csv") for name, parent in parents))
    await store.copy("org_member", ("team", "user_key", "manager", "source"),
                     ((team, key, False, "csv") for team, key in zip(teams, keys, strict=True)))
    return dict(Counter(teams)) | {AUDIENCE_TEAM: len(keys)}


async def create_schema(db: Path | str) -> None:
    """The tables, as ``hartslag run`` creates them on an empty database, so the audience and
    the round can be written before the server starts."""
    from storage.db import Database
    from storage.migrate import ensure_current

    database = Database(_url(db))
    try:
        await ensure_current(database)
    finally:
        await database.dispose()


async def open_round(db: Path | str, *, team: str | None = None,
                     invited: dict[str, int] | None = None) -> int:
    """An anonymous one-question pulse, open now, written through the pulse repository
    (a team pulse when ``team`` is given: every vote checks membership)."""
    from datetime import UTC, datetime, timedelta

    from storage.db import Database
    from storage.pulse import PulseRepository, PulseSeries

    now = datetime.now(UTC)
    questions = json.dumps([{"kind": "likert", "text": "Hoe gaat het?", "options": []}])
    database = Database(_url(db))
    try:
        repo = PulseRepository(database)
        series = await repo.add_series(PulseSeries(
            title="Benchmark", questions=questions, created_by="slack:U0BENCH",
            created_at=now, anonymous=True, team=team))
        assert series.id is not None
        row = await repo.open_round(series.id, at=now, closes_at=now + timedelta(days=1),
                                    invited=json.dumps(invited or {}), ledger=False)
        assert row.id is not None
        return row.id
    finally:
        await database.dispose()


def verify(rows: list[tuple[str, str]], presses: Presses,
           acked: list[int]) -> dict[str, int]:
    """Acknowledged people vs stored (voter key, value) rows: nothing lost, nothing counted
    twice."""
    people = {presses.person(i) for i in acked}
    expected = Counter(presses.value(p) for p in people)
    stored = Counter(value for _, value in rows)
    double = len(rows) - len({key for key, _ in rows})
    lost = sum((expected - stored).values())
    # Stored votes of people never acknowledged are fine (the server may commit a vote whose
    # ack the client gave up on); a value count above the acknowledged ones would be double.
    unacked_people = max(0, len(rows) - len(people))
    over = sum((stored - expected).values()) - unacked_people
    return {"people_acked": len(people), "votes_stored": len(rows), "lost": lost,
            "double": double + max(0, over)}


def profiler(out: str | None, pid: int, seconds: float) -> subprocess.Popen[bytes] | None:
    """py-spy (a developer tool, not a project dependency) sampling the server's GIL holder,
    if asked."""
    if not out:
        return None
    # The venv's py-spy, else one on PATH (installed elsewhere: it is not a dependency).
    spy = shutil.which("py-spy", path=os.pathsep.join(
        (str(Path(PYTHON).parent), os.environ.get("PATH", "")))) or "py-spy"
    return subprocess.Popen([spy, "record", "-p", str(pid), "-d", str(int(seconds)), "-r", "200",
                             "-f", "raw", "--gil", "-o", out], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


FULL_SIZES = (1_000, 10_000, 50_000, 130_000)


def arguments(description: str, *, rate: float, audience: int = 0) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds at --rate")
    parser.add_argument("--rate", type=float, default=rate, help="presses per second")
    parser.add_argument("--workers", type=int, default=64, help="clients in the capacity phase")
    parser.add_argument("--capacity-seconds", type=float, default=5.0)
    parser.add_argument("--http-workers", type=int, default=0,
                        help="[server] workers: extra HTTP processes (0: one process)")
    parser.add_argument("--profile", help="write py-spy raw stacks of the server here")
    parser.add_argument("--audience", type=int, default=audience,
                        help="people in the pulse's team (0: a channel pulse, no team)")
    parser.add_argument("--sizes", default="",
                        help="comma-separated audiences, one run each, then the curve")
    parser.add_argument("--full", action="store_true",
                        help="the full curve: " + ", ".join(f"{n:,}" for n in FULL_SIZES))
    parser.add_argument("--no-peer", action="store_true", help="skip the naive Bolt peer")
    parser.add_argument("--postgres", metavar="URL",
                        default=os.environ.get("HARTSLAG_BENCH_POSTGRES_URL") or None,
                        help="a PostgreSQL server (e.g. postgresql://postgres@127.0.0.1:5432/"
                        "test): each measurement and the peer get a fresh database on it, "
                        "dropped afterwards (default: $HARTSLAG_BENCH_POSTGRES_URL, else "
                        "SQLite files)")
    args = parser.parse_args()
    chosen = [int(n) for n in args.sizes.split(",") if n.strip()]
    args.sizes = chosen or (list(FULL_SIZES) if args.full else [args.audience])
    return args


@dataclass(frozen=True)
class VotePath:
    """One platform's way in: its fake, its config, its presses and its goal."""

    name: str
    description: str
    endpoint: str  # where presses are POSTed, e.g. "/slack/events"
    fake: Callable[[], AbstractAsyncContextManager[Any]]
    # (tmp, port, fake, http workers, [storage] url) -> the config file
    config: Callable[[Path, int, Any, int, str], Path]
    presses: Callable[[int, Any], Presses]  # (round id, fake or None) -> presses
    replies: Callable[[Any], int]  # replies the fake received
    goal_rate: float
    goal_p99_ms: float | None = None
    # The naive peer's command line: (port, fake, audience, database) -> argv, where database
    # is a SQLite file or a PostgreSQL URL (Store.target). Its votes are read from there,
    # table peer_vote (voter_key, value).
    peer: Callable[[int, Any, int, str], list[str]] | None = None


async def curve(args: argparse.Namespace, path: VotePath) -> dict[str, Any]:
    """One ``measure`` per audience size (each printed as its own JSON line when there are
    several), then the curve: how p99, CPU per vote and the ratios to the peer and the bare
    reference move as the audience grows."""
    runs = []
    for size in args.sizes:
        args.audience = size
        runs.append(await measure(args, path))
        if len(args.sizes) > 1:
            print(json.dumps(runs[-1]), flush=True)
    if len(runs) == 1:
        return runs[0]
    keys = ("audience", "votes_per_s", "p99_ack_ms", "server_cpu_ms_per_vote", "capacity_per_s",
            "lost", "double", "database_locked", "database_errors", "database_cpu_ms_per_vote",
            "rss_mb", "cpu_ratio_to_peer", "cpu_ratio_to_peer_per_ack", "p99_ratio_to_peer", "capacity_ratio_to_peer", "cpu_ratio", "ratio", "goal_met")
    last = runs[-1]
    return {"benchmark": path.name, "storage": last["storage"], "target_rate": args.rate,
            "votes_per_s": last["votes_per_s"],
            "reference": last["reference"], "ratio": last["ratio"],
            "goal_met": all(r["goal_met"] for r in runs),
            "curve": [{k: r.get(k) for k in keys} | {"peer": r.get("peer")} for r in runs]}


async def measure(args: argparse.Namespace, path: VotePath) -> dict[str, Any]:
    """The open-loop target phase, the database check, the capacity phase, the naive peer and
    the reference, as one JSON-ready dict (see votes.py for what each figure means)."""
    tmp = Path(tempfile.mkdtemp(prefix=f"hartslag-bench-{path.name}-"))
    port = free_port()
    async with path.fake() as fake:
        async with fresh_store(args.postgres, tmp, "bench") as store:
            log = tmp / "server.log"
            argv = [PYTHON, "-m", "bots.cli", "--config",
                    str(path.config(tmp, port, fake, args.http_workers, store.url)), "run"]
            round_id = await _organisation(args, path, fake, store)
            with child(argv, log=log) as server:
                server_side = await _load(args, path, fake, server, f"http://{HOST}:{port}",
                                          store, round_id)
                stop(server)
        server_side |= log_failures(log, store) | {"storage": store.kind}
        server_side["replies_sent"] = path.replies(fake)
        peer = None
        if path.peer is not None and args.audience and not args.no_peer:
            before = path.replies(fake)
            # Its own fresh database of the same kind: like for like, and nothing of
            # hartslag's tables or caches in the way.
            async with fresh_store(args.postgres, tmp, "peer") as peer_store:
                peer = await _peer(args, path, fake, tmp, peer_store)
            peer["replies_sent"] = path.replies(fake) - before
    reference = await _reference(args, path)
    return _figures(args, path, server_side, reference, peer)


async def _organisation(args: argparse.Namespace, path: VotePath, fake: Any,
                        store: Store) -> int:
    """The organisation and the open round, written before the server starts (as in
    production, where the teams were imported and the round opened before a restart): the
    first presses meet a server that just said it is ready. Returns the round id."""
    await create_schema(store.url)
    team, invited = None, None
    if args.audience:
        keys = path.presses(0, fake)
        invited = await seed_audience(store, [keys.member_key(i) for i in range(args.audience)])
        team = AUDIENCE_TEAM
    return await open_round(store.url, team=team, invited=invited)


async def _load(args: argparse.Namespace, path: VotePath, fake: Any,
                server: subprocess.Popen[bytes], base: str, store: Store,
                round_id: int) -> dict[str, Any]:
    presses = path.presses(round_id, fake)
    presses.audience = args.audience
    url = base + path.endpoint
    count = int(args.rate * args.duration)
    presses.prepare(count)
    # The clock starts as soon as the server answers: the first votes are the first requests
    # it serves (what they wait for shows in the first window of p99_ack_ms_by_10s).
    await wait_http(f"{base}/healthz", server)
    pid = server.pid
    rss_start = rss_mb(pid)[0]
    database_before = await backend_cpu(store)
    cpu_before, own_before = cpu_seconds(pid), time.process_time()
    spy = profiler(args.profile, pid, args.duration)
    target = await open_loop(presses.request(url), rate=args.rate, count=count,
                             deadline=args.duration + 5)
    await asyncio.sleep(0.5)  # the replies after the last acks belong to the cost per vote
    cpu_used = cpu_seconds(pid) - cpu_before
    database_cpu = await backend_cpu_since(store, database_before)
    # Share of one core this process (load generator + fake platform) used: near 1.0 means
    # the generator, not the server, limited the rate.
    generator_share = (time.process_time() - own_before) / target.elapsed
    if spy is not None:
        spy.wait(30)
    lag = histogram_quantile(await fetch_text(f"{base}/metrics"),
                             "hartslag_event_loop_lag_seconds", 0.99)
    rss, peak = rss_mb(pid)
    rss_all = rss_total_mb(pid)
    capacity = await closed_loop(presses.request(url), workers=args.workers,
                                 seconds=args.capacity_seconds, first=count)
    await asyncio.sleep(1.0)  # replies after the ack finish (they do not count)
    checked = verify(await _rows(store, round_id), presses, target.acked + capacity.acked)
    return {"target": target, "capacity": capacity, "cpu_used": cpu_used, "lag": lag,
            "generator_share": generator_share, "rss": rss, "peak": peak, "rss_all": rss_all,
            "rss_start": rss_start, "checked": checked, "database_cpu": database_cpu["cpu"],
            "database_sessions_ended": database_cpu["sessions_ended"]}


async def _peer(args: argparse.Namespace, path: VotePath, fake: Any, tmp: Path,
                store: Store) -> dict[str, Any]:
    """The same load against the naive Bolt + SQLModel peer (one process, as its docs run)."""
    assert path.peer is not None
    port = free_port()
    log = tmp / "peer.log"
    with child(path.peer(port, fake, args.audience, store.target), log=log) as peer:
        await wait_http(f"http://{HOST}:{port}/healthz", peer, within=120)
        presses = path.presses(1, fake)
        presses.audience = args.audience
        url = f"http://{HOST}:{port}{path.endpoint}"
        count = int(args.rate * args.duration)
        presses.prepare(count)
        database_before = await backend_cpu(store)
        cpu, replied = cpu_seconds(peer.pid), path.replies(fake)
        target = await open_loop(presses.request(url), rate=args.rate, count=count,
                                 deadline=args.duration + 5)
        # The peer acks first and works after the ack: its cost is counted once its backlog
        # is written, and it is stopped only when the table stops growing.
        await _settled(store)
        cpu = cpu_seconds(peer.pid) - cpu
        database_cpu = await backend_cpu_since(store, database_before)
        done = path.replies(fake) - replied  # clicks it finished: stored and answered
        capacity = await closed_loop(presses.request(url), workers=args.workers,
                                     seconds=args.capacity_seconds, first=count)
        await _settled(store)
        rss = rss_mb(peer.pid)[0]
        stop(peer)
    checked = verify(await _peer_rows(store), presses, target.acked + capacity.acked)
    t, c = target.figures(), capacity.figures()
    finished = max(1, min(done, target.ok))
    return {"kind": "Bolt AsyncApp listener, ack first, one SQLModel transaction per click",
            "rate": t["rate"], "p50_ms": t["p50_ms"], "p99_ms": t["p99_ms"],
            "errors": t["errors"], "capacity_per_s": c["rate"],
            # Per click it finished, reply included (its work comes after the ack; work it
            # never did costs nothing, so per ack would flatter it when it falls behind).
            "cpu_ms_per_vote": round(cpu * 1000 / finished, 3),
            "cpu_ms_per_ack": round(cpu * 1000 / max(1, target.ok), 3), "rss_mb": rss,
            "database_cpu_ms_per_vote": _per(database_cpu["cpu"], finished),
            "database_cpu_ms_per_ack": _per(database_cpu["cpu"], target.ok),
            "database_sessions_ended": database_cpu["sessions_ended"],
            **checked, **log_failures(log, store)}


async def _settled(store: Store, *, within: float = 90.0) -> None:
    """Wait (bounded) until the peer's vote table has not grown for three seconds."""
    last, still, deadline = -1, 0, time.monotonic() + within
    while time.monotonic() < deadline and still < 3:
        now = (await store.fetch("SELECT count(*) FROM peer_vote"))[0][0]
        still = still + 1 if now == last else 0
        last = now
        await asyncio.sleep(1.0)


async def _peer_rows(store: Store) -> list[tuple[str, str]]:
    return [(key, value) for key, value in await store.fetch(
        "SELECT voter_key, value FROM peer_vote")]


async def _rows(store: Store, round_id: int) -> list[tuple[str, str]]:
    return [(key, value) for key, value in await store.fetch(
        "SELECT voter_key, value FROM pulse_answer WHERE round_id = " + store.param(1),
        round_id)]


async def _reference(args: argparse.Namespace, path: VotePath) -> dict[str, Any]:
    """The same load against a bare endpoint that only reads the body and answers 200."""
    port = free_port()
    with reference_server(port) as ref:
        await wait_http(f"http://{HOST}:{port}/", ref)
        presses = path.presses(0, None)
        url = f"http://{HOST}:{port}{path.endpoint}"
        cpu = cpu_seconds(ref.pid)
        seconds = min(args.duration, 5)
        target = await open_loop(presses.request(url), rate=args.rate,
                                 count=int(args.rate * seconds), deadline=seconds + 5)
        cpu = cpu_seconds(ref.pid) - cpu
        capacity = await closed_loop(presses.request(url), workers=args.workers,
                                     seconds=args.capacity_seconds)
    return {"target": target, "capacity": capacity, "cpu": cpu}


def _per(seconds: float | None, count: int) -> float | None:
    """Milliseconds per item, None when not measured (the database CPU on SQLite)."""
    return None if seconds is None else round(seconds * 1000 / max(1, count), 3)


def _ratio(ours: float, peer: dict[str, Any] | None, key: str) -> float | None:
    """hartslag's figure / the peer's (None without a peer)."""
    theirs = peer.get(key) if peer else None
    return round(ours / theirs, 2) if theirs else None


def _figures(args: argparse.Namespace, path: VotePath, side: dict[str, Any],
             reference: dict[str, Any], peer: dict[str, Any] | None) -> dict[str, Any]:
    target, checked, locked = side["target"], side["checked"], side["database_locked"]
    t, c = target.figures(), side["capacity"].figures()
    rt, rc = reference["target"].figures(), reference["capacity"].figures()
    cpu_ms = side["cpu_used"] * 1000 / max(1, target.ok)
    ref_cpu_ms = reference["cpu"] * 1000 / max(1, reference["target"].ok)
    goal = (t["rate"] >= 0.98 * min(args.rate, path.goal_rate) and checked["lost"] == 0
            and checked["double"] == 0 and locked == 0
            and (path.goal_p99_ms is None or t["p99_ms"] <= path.goal_p99_ms)
            # PostgreSQL has no "locked"; its failures are the error lines. (SQLite's goal is
            # left as it was, so earlier SQLite figures stay comparable.)
            and (side["storage"] == "sqlite" or side["database_errors"] == 0))
    description = path.description
    if side["storage"] != "sqlite":
        description = description.replace("(SQLite)", "(PostgreSQL)")
    return {
        "benchmark": path.name, "path": description, "audience": args.audience,
        "duration_s": args.duration, "target_rate": args.rate,
        "votes_per_s": t["rate"], "p50_ack_ms": t["p50_ms"], "p99_ack_ms": t["p99_ms"],
        "p99_ack_ms_by_10s": target.p99_by_window(10.0),
        "max_ack_ms": t["max_ms"], "errors": t["errors"], "statuses": target.statuses,
        **checked, "database_locked": locked,
        # New fields: which database, and its failures in the server's log (SQLite: locked
        # and error lines; PostgreSQL: deadlocks, serialization and connection failures).
        "storage": side["storage"], "database_errors": side["database_errors"],
        "database_error_kinds": side["database_error_kinds"],
        "lag_p99_ms": None if side["lag"] is None else round(side["lag"] * 1000, 1),
        "http_workers": args.http_workers, "rss_start_mb": side["rss_start"],
        "rss_mb": side["rss"], "rss_peak_mb": side["peak"],
        "rss_all_processes_mb": side["rss_all"],
        "server_cpu_ms_per_vote": round(cpu_ms, 3),
        # PostgreSQL only: its backends' CPU for the same votes (not in the figure above).
        "database_cpu_ms_per_vote": _per(side["database_cpu"], target.ok),
        "database_sessions_ended": side["database_sessions_ended"],
        # What one uncontended core could ack at this CPU cost (an event loop is one core).
        "votes_per_core_s": round(1000 / cpu_ms) if cpu_ms else None,
        "load_average": os.getloadavg()[0],
        "server_core_share": round(side["cpu_used"] / target.elapsed, 2),
        "generator_core_share": round(side["generator_share"], 2),
        "replies_sent": side["replies_sent"],
        "capacity_per_s": c["rate"], "capacity_p99_ms": c["p99_ms"],
        "reference": {"kind": "bare aiohttp endpoint, ack only", "rate": rt["rate"],
                      "p99_ms": rt["p99_ms"], "capacity_per_s": rc["rate"],
                      "cpu_ms_per_request": round(ref_cpu_ms, 3)},
        "cpu_ratio": round(cpu_ms / ref_cpu_ms, 1) if ref_cpu_ms else None,
        "ratio": round(c["rate"] / rc["rate"], 3) if rc["rate"] else None,
        "ratio_p99": round(t["p99_ms"] / rt["p99_ms"], 1) if rt["p99_ms"] else None,
        "peer": peer,
        "cpu_ratio_to_peer": _ratio(cpu_ms, peer, "cpu_ms_per_vote"),
        "cpu_ratio_to_peer_per_ack": _ratio(cpu_ms, peer, "cpu_ms_per_ack"),
        "p99_ratio_to_peer": _ratio(t["p99_ms"], peer, "p99_ms"),
        "capacity_ratio_to_peer": _ratio(c["rate"], peer, "capacity_per_s"),
        "goal_met": bool(goal),
    }
