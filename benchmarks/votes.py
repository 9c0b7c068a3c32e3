"""Pulse votes through the full Slack path: a signed ``block_actions`` POST over HTTP to a
``hartslag run`` process (bolt, router, pulse handler, group-commit vote writer on SQLite),
acknowledged only after the vote committed. Prints ONE JSON line.

Phases, all against 127.0.0.1 and bounded in count and time:

1. ``target``: open-loop load at ``--rate`` clicks/s for ``--duration`` s, 10% of them
   replays of an earlier click (same person, same answer). Then the database is read:
   ``lost`` = acknowledged people without a stored vote, ``double`` = stored votes beyond one
   per person (or values that do not match the acknowledged clicks), ``locked`` = "database is
   locked" lines in the server's log. ``lag_p99_ms`` from the server's /metrics histogram
   (bucket bound), ``rss_mb`` of the server after the load.
2. ``capacity``: closed loop (``--workers`` clients back to back) for ``--capacity-seconds``,
   against hartslag and against the reference: a bare aiohttp endpoint that only reads the
   body and answers 200, in its own process. ``ratio`` = hartslag capacity / reference
   capacity (machine-independent-ish); ``ratio_p99`` compares p99 at the target rate.

    .venv/bin/python benchmarks/votes.py [--duration 15] [--rate 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import ClientSession, web

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

SECRET = "bench-signing-secret"
TEAM = "T0BENCH"
PULSE_KEY = "b" * 48
VALUES = ("1", "2", "3", "4", "5")


class FakeSlackApi:
    """Just enough of the Web API and response_url for the adapter (counts, no records)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.port = free_port()
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> FakeSlackApi:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/respond/{hook}", self._respond)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, HOST, self.port).start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}/api/"

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        await request.read()
        self.calls[method] += 1
        body: dict[str, Any] = {"ok": True}
        if method == "auth.test":
            body |= {"team_id": TEAM, "user_id": "U0BOT", "bot_id": "B0BOT"}
        elif method == "users.info":
            body |= {"user": {"id": "U", "name": "u", "locale": "nl-NL",
                              "profile": {"display_name": "Collega"}}}
        elif method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            body |= {"channel": "C0BENCH", "ts": f"{time.time():.6f}"}
        return web.json_response(body)

    async def _respond(self, request: web.Request) -> web.Response:
        await request.read()
        self.calls["response_url"] += 1
        return web.Response(text="ok")


def write_config(tmp: Path, port: int, slack_api: str, http_workers: int = 0) -> Path:
    path = tmp / "config.toml"
    path.write_text(f"""
[storage]
url = "sqlite:///{tmp / 'bench.db'}"
[server]
host = "127.0.0.1"
port = {port}
workers = {http_workers}
[logging]
level = "WARNING"
[local]
enabled = false
[slack]
enabled = true
bot_token = "xoxb-bench"
signing_secret = "{SECRET}"
api_base_url = "{slack_api}"
[pulse]
key = "{PULSE_KEY}"
""")
    return path


async def open_round(db_path: Path) -> int:
    """An anonymous one-question pulse, open now, written through the pulse repository."""
    from datetime import UTC, datetime, timedelta

    from storage.db import Database
    from storage.pulse import PulseRepository, PulseSeries

    now = datetime.now(UTC)
    questions = json.dumps([{"kind": "likert", "text": "Hoe gaat het?", "options": []}])
    db = Database(f"sqlite:///{db_path}")
    try:
        repo = PulseRepository(db)
        series = await repo.add_series(PulseSeries(
            title="Benchmark", questions=questions, created_by="slack:U0BENCH",
            created_at=now, anonymous=True))
        assert series.id is not None
        row = await repo.open_round(series.id, at=now, closes_at=now + timedelta(days=1),
                                    invited="{}", ledger=False)
        assert row.id is not None
        return row.id
    finally:
        await db.dispose()


class Clicks:
    """Signed block_actions bodies: click ``i`` is person ``i`` (or, for 10%, a replay)."""

    def __init__(self, round_id: int, response_base: str, *, duplicates: float = 0.1) -> None:
        self.round_id = round_id
        self.response_base = response_base
        self.every = round(1 / duplicates) if duplicates else 0
        self._ready: dict[int, tuple[bytes, dict[str, str]]] = {}

    def prepare(self, count: int) -> None:
        """Build and sign the first ``count`` bodies before the clock starts: the generator
        shares the machine with the server, and every microsecond it spends is one the
        server does not get (signatures stay valid for Slack's 5 minutes)."""
        self._ready = {index: self.body(index) for index in range(count)}

    def person(self, index: int) -> int:
        """Every ``every``-th click replays the click ``every/2`` before it."""
        if self.every and index % self.every == self.every - 1:
            return index - self.every // 2
        return index

    @staticmethod
    def value(person: int) -> str:
        return VALUES[person % len(VALUES)]

    def body(self, index: int) -> tuple[bytes, dict[str, str]]:
        person = self.person(index)
        user = f"U{person:08d}"
        payload = {
            "type": "block_actions", "team": {"id": TEAM, "domain": "bench"},
            "user": {"id": user, "username": user.lower(), "team_id": TEAM},
            "api_app_id": "A0BENCH", "token": "legacy", "trigger_id": f"t{index}",
            "container": {"type": "message", "message_ts": "1700000000.000001",
                          "channel_id": f"D{person:08d}", "is_ephemeral": False},
            "channel": {"id": f"D{person:08d}", "name": "directmessage"},
            "message": {"type": "message", "ts": "1700000000.000001", "text": "x",
                        "user": "U0BOT"},
            "response_url": f"{self.response_base}/respond/{index}",
            "actions": [{"type": "button", "action_id": "pulse.vote", "block_id": "choices",
                         "value": f"{self.round_id}|0|{self.value(person)}",
                         "text": {"type": "plain_text", "text": "x"},
                         "action_ts": "1700000001.0"}],
        }
        body = urlencode({"payload": json.dumps(payload)}).encode()
        ts = str(int(time.time()))
        digest = hmac.new(SECRET.encode(), b"v0:" + ts.encode() + b":" + body,
                          hashlib.sha256).hexdigest()
        return body, {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}",
                      "Content-Type": "application/x-www-form-urlencoded"}

    def request(self, url: str) -> Any:
        async def send(session: ClientSession, index: int) -> int:
            body, headers = self._ready.pop(index, None) or self.body(index)
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                return response.status
        return send


def verify(db_path: Path, round_id: int, clicks: Clicks, acked: list[int]) -> dict[str, int]:
    """Acknowledged people vs stored votes: nothing lost, nothing counted twice."""
    people = {clicks.person(i) for i in acked}
    expected = Counter(clicks.value(p) for p in people)
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT voter_key, value FROM pulse_answer WHERE round_id = ?",
                            (round_id,)).fetchall()
    stored = Counter(value for _, value in rows)
    distinct = len({key for key, _ in rows})
    lost = sum((expected - stored).values())
    double = (len(rows) - distinct) + max(0, len(rows) - len(people) - 0) * 0
    # Stored votes of people never acknowledged are fine (the server may commit a vote whose
    # ack the client gave up on); a value count above the acknowledged ones would be double.
    unacked_people = len(rows) - len(people) if len(rows) > len(people) else 0
    over = sum((stored - expected).values()) - unacked_people
    return {"people_acked": len(people), "votes_stored": len(rows), "lost": lost,
            "double": double + max(0, over)}


async def run(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="hartslag-bench-votes-"))
    port = free_port()
    async with FakeSlackApi() as slack:
        config = write_config(tmp, port, slack.base_url, args.http_workers)
        log = tmp / "server.log"
        argv = [PYTHON, "-m", "bots.cli", "--config", str(config), "run"]
        with child(argv, log=log) as server:
            base = f"http://{HOST}:{port}"
            await wait_http(f"{base}/healthz", server)
            round_id = await open_round(tmp / "bench.db")
            clicks = Clicks(round_id, f"http://{HOST}:{slack.port}")
            url = f"{base}/slack/events"
            count = int(args.rate * args.duration)
            clicks.prepare(count)
            cpu_before = cpu_seconds(server.pid)
            own_before = time.process_time()
            spy = profiler(args.profile, server.pid, args.duration)
            target = await open_loop(clicks.request(url), rate=args.rate, count=count,
                                     deadline=args.duration + 5)
            cpu_used = cpu_seconds(server.pid) - cpu_before
            # Share of one core this process (load generator + fake platform) used: near 1.0
            # means the generator, not the server, limited the rate.
            generator_share = (time.process_time() - own_before) / target.elapsed
            if spy is not None:
                spy.wait(30)
            metrics = await fetch_text(f"{base}/metrics")
            lag = histogram_quantile(metrics, "hartslag_event_loop_lag_seconds", 0.99)
            rss, peak = rss_mb(server.pid)
            rss_all = rss_total_mb(server.pid)
            capacity = await closed_loop(clicks.request(url), workers=args.workers,
                                         seconds=args.capacity_seconds, first=count)
            await asyncio.sleep(1.0)  # replies after the ack finish (they do not count)
            stop(server)
        checked = verify(tmp / "bench.db", round_id, clicks, target.acked + capacity.acked)
        locked = log.read_text(errors="replace").count("database is locked")
    ref_port = free_port()
    with reference_server(ref_port) as ref:
        await wait_http(f"http://{HOST}:{ref_port}/", ref)
        ref_clicks = Clicks(0, "http://127.0.0.1:9")
        ref_url = f"http://{HOST}:{ref_port}/slack/events"
        ref_cpu = cpu_seconds(ref.pid)
        ref_target = await open_loop(ref_clicks.request(ref_url), rate=args.rate,
                                     count=int(args.rate * min(args.duration, 5)),
                                     deadline=min(args.duration, 5) + 5)
        ref_cpu = cpu_seconds(ref.pid) - ref_cpu
        ref_capacity = await closed_loop(ref_clicks.request(ref_url), workers=args.workers,
                                         seconds=args.capacity_seconds)
    t, c = target.figures(), capacity.figures()
    cpu_ms = cpu_used * 1000 / max(1, target.ok)
    ref_cpu_ms = ref_cpu * 1000 / max(1, ref_target.ok)
    rt, rc = ref_target.figures(), ref_capacity.figures()
    return {
        "benchmark": "votes", "path": "slack block_actions over HTTP -> bolt -> pulse -> "
        "group-commit writer (SQLite), ack after commit",
        "duration_s": args.duration, "target_rate": args.rate,
        "votes_per_s": t["rate"], "p50_ack_ms": t["p50_ms"], "p99_ack_ms": t["p99_ms"],
        "p99_ack_ms_by_10s": target.p99_by_window(10.0),
        "max_ack_ms": t["max_ms"], "errors": t["errors"], "statuses": target.statuses,
        **checked, "database_locked": locked,
        "lag_p99_ms": None if lag is None else round(lag * 1000, 1),
        "http_workers": args.http_workers, "rss_mb": rss, "rss_peak_mb": peak,
        "rss_all_processes_mb": rss_all,
        "server_cpu_ms_per_vote": round(cpu_ms, 3),
        # What one uncontended core could ack at this CPU cost (the event loop is one core).
        "votes_per_core_s": round(1000 / cpu_ms) if cpu_ms else None,
        "load_average": os.getloadavg()[0],
        "server_core_share": round(cpu_used / target.elapsed, 2),
        "generator_core_share": round(generator_share, 2),
        "replies_sent": slack.calls["response_url"] + slack.calls["chat.postMessage"],
        "capacity_per_s": c["rate"], "capacity_p99_ms": c["p99_ms"],
        "reference": {"kind": "bare aiohttp endpoint, ack only", "rate": rt["rate"],
                      "p99_ms": rt["p99_ms"], "capacity_per_s": rc["rate"],
                      "cpu_ms_per_request": round(ref_cpu_ms, 3)},
        "cpu_ratio": round(cpu_ms / ref_cpu_ms, 1) if ref_cpu_ms else None,
        "ratio": round(c["rate"] / rc["rate"], 3) if rc["rate"] else None,
        "ratio_p99": round(t["p99_ms"] / rt["p99_ms"], 1) if rt["p99_ms"] else None,
        "goal_met": bool(t["rate"] >= 0.98 * min(args.rate, 1000) and t["p99_ms"] <= 250
                         and checked["lost"] == 0 and checked["double"] == 0 and locked == 0),
    }


def profiler(out: str | None, pid: int, seconds: float) -> Any:
    """py-spy (a developer tool, not a project dependency) sampling the server, if asked."""
    if not out:
        return None
    import subprocess

    spy = str(Path(PYTHON).parent / "py-spy")
    return subprocess.Popen([spy, "record", "-p", str(pid), "-d", str(int(seconds)), "-r", "200",
                             "-f", "raw", "--gil", "-o", out], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=15.0, help="seconds at --rate")
    parser.add_argument("--rate", type=float, default=1000.0, help="clicks per second")
    parser.add_argument("--workers", type=int, default=64, help="clients in the capacity phase")
    parser.add_argument("--capacity-seconds", type=float, default=5.0)
    parser.add_argument("--http-workers", type=int, default=0,
                        help="[server] workers: extra HTTP processes (0: one process)")
    parser.add_argument("--profile", help="write py-spy raw stacks of the server here")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()
