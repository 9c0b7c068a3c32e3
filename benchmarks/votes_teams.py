"""Pulse votes through the Teams card path: an ``Action.Submit`` activity (a message with
``value``) POSTed to ``/api/messages`` of a ``hartslag run`` process (Teams SDK, router, pulse
handler, group-commit vote writer on SQLite), answered 200 once the vote committed. The
replies go to a fake Bot Connector in this process. Prints ONE JSON line.

Inbound token validation is off (``dangerously_skip_auth``, loopback only): the benchmark
measures hartslag, not JWT signature checks. Same phases and figures as ``votes.py``
(``--rate`` defaults to 500, the goal for this path), reference: a bare aiohttp endpoint.

    .venv/bin/python benchmarks/votes_teams.py [--duration 15] [--rate 500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

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
from benchmarks.votes import PULSE_KEY, open_round, profiler, verify

APP_ID = "00000000-0000-0000-0000-0000000be0c5"
TENANT = "tenant-bench"
VALUES = ("1", "2", "3", "4", "5")


class FakeConnector:
    """The Bot Connector's ``/v3/conversations/...`` (replies), counted, not recorded."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.port = free_port()
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> FakeConnector:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._any)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, HOST, self.port).start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    async def _any(self, request: web.Request) -> web.Response:
        await request.read()
        self.calls[request.method] += 1
        return web.json_response({"id": f"act-{time.monotonic_ns()}"})


def write_config(tmp: Path, port: int, http_workers: int = 0) -> Path:
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
[teams]
enabled = true
app_id = "{APP_ID}"
tenant_id = "{TENANT}"
dangerously_skip_auth = true
[pulse]
key = "{PULSE_KEY}"
""")
    return path


class Submits:
    """Card submits: submit ``i`` is person ``i`` (or, for 10%, a replay of an earlier one)."""

    def __init__(self, round_id: int, service_url: str, *, duplicates: float = 0.1) -> None:
        self.round_id = round_id
        self.service_url = service_url
        self.every = round(1 / duplicates) if duplicates else 0

    def person(self, index: int) -> int:
        if self.every and index % self.every == self.every - 1:
            return index - self.every // 2
        return index

    @staticmethod
    def value(person: int) -> str:
        return VALUES[person % len(VALUES)]

    def body(self, index: int) -> bytes:
        person = self.person(index)
        aad = f"aad-{person:08d}"
        activity = {
            "type": "message", "id": f"in-{index}", "timestamp": "2026-11-23T08:00:00.000Z",
            "serviceUrl": self.service_url, "channelId": "msteams",
            "from": {"id": f"29:{person:08d}", "name": "Collega", "aadObjectId": aad},
            "conversation": {"id": f"a:dm-{aad}", "conversationType": "personal",
                             "tenantId": TENANT},
            "recipient": {"id": f"28:{APP_ID}", "name": "hartslag"},
            "channelData": {"tenant": {"id": TENANT}}, "locale": "nl-NL",
            "replyToId": "card-1",
            "value": {"hs_kind": "choice", "hs_action": "pulse.vote",
                      "hs_value": f"{self.round_id}|0|{self.value(person)}"},
        }
        return json.dumps(activity).encode()

    def request(self, url: str) -> Any:
        headers = {"Content-Type": "application/json"}

        async def send(session: ClientSession, index: int) -> int:
            async with session.post(url, data=self.body(index), headers=headers) as response:
                await response.read()
                return response.status
        return send


async def run(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="hartslag-bench-teams-"))
    port = free_port()
    async with FakeConnector() as connector:
        config = write_config(tmp, port, args.http_workers)
        log = tmp / "server.log"
        argv = [PYTHON, "-m", "bots.cli", "--config", str(config), "run"]
        with child(argv, log=log) as server:
            base = f"http://{HOST}:{port}"
            await wait_http(f"{base}/healthz", server)
            round_id = await open_round(tmp / "bench.db")
            submits = Submits(round_id, connector.url)
            url = f"{base}/api/messages"
            count = int(args.rate * args.duration)
            cpu_before = cpu_seconds(server.pid)
            own_before = time.process_time()
            spy = profiler(args.profile, server.pid, args.duration)
            target = await open_loop(submits.request(url), rate=args.rate, count=count,
                                     deadline=args.duration + 5)
            if spy is not None:
                spy.wait(timeout=30)
            cpu_used = cpu_seconds(server.pid) - cpu_before
            # Share of one core this process (load generator + fake platform) used: near 1.0
            # means the generator, not the server, limited the rate.
            generator_share = (time.process_time() - own_before) / target.elapsed
            metrics = await fetch_text(f"{base}/metrics")
            lag = histogram_quantile(metrics, "hartslag_event_loop_lag_seconds", 0.99)
            rss, peak = rss_mb(server.pid)
            rss_all = rss_total_mb(server.pid)
            capacity = await closed_loop(submits.request(url), workers=args.workers,
                                         seconds=args.capacity_seconds, first=count)
            await asyncio.sleep(1.0)
            stop(server)
        checked = verify(tmp / "bench.db", round_id, submits,  # type: ignore[arg-type]
                         target.acked + capacity.acked)
        locked = log.read_text(errors="replace").count("database is locked")
    ref_port = free_port()
    with reference_server(ref_port) as ref:
        await wait_http(f"http://{HOST}:{ref_port}/", ref)
        ref_submits = Submits(0, "http://127.0.0.1:9/")
        ref_url = f"http://{HOST}:{ref_port}/api/messages"
        ref_cpu = cpu_seconds(ref.pid)
        ref_target = await open_loop(ref_submits.request(ref_url), rate=args.rate,
                                     count=int(args.rate * min(args.duration, 5)),
                                     deadline=min(args.duration, 5) + 5)
        ref_cpu = cpu_seconds(ref.pid) - ref_cpu
        ref_capacity = await closed_loop(ref_submits.request(ref_url), workers=args.workers,
                                         seconds=args.capacity_seconds)
    t, c = target.figures(), capacity.figures()
    rt, rc = ref_target.figures(), ref_capacity.figures()
    cpu_ms = cpu_used * 1000 / max(1, target.ok)
    ref_cpu_ms = ref_cpu * 1000 / max(1, ref_target.ok)
    return {
        "benchmark": "votes_teams", "path": "teams Action.Submit over HTTP -> Teams SDK -> "
        "pulse -> group-commit writer (SQLite), 200 after commit",
        "duration_s": args.duration, "target_rate": args.rate,
        "votes_per_s": t["rate"], "p50_ack_ms": t["p50_ms"], "p99_ack_ms": t["p99_ms"],
        "p99_ack_ms_by_10s": target.p99_by_window(10.0),
        "max_ack_ms": t["max_ms"], "errors": t["errors"], "statuses": target.statuses,
        **checked, "database_locked": locked,
        "lag_p99_ms": None if lag is None else round(lag * 1000, 1),
        "http_workers": args.http_workers, "rss_mb": rss, "rss_peak_mb": peak,
        "rss_all_processes_mb": rss_all,
        "server_cpu_ms_per_vote": round(cpu_ms, 3),
        "votes_per_core_s": round(1000 / cpu_ms) if cpu_ms else None,
        "load_average": os.getloadavg()[0],
        "server_core_share": round(cpu_used / target.elapsed, 2),
        "generator_core_share": round(generator_share, 2),
        "replies_sent": sum(connector.calls.values()),
        "capacity_per_s": c["rate"], "capacity_p99_ms": c["p99_ms"],
        "reference": {"kind": "bare aiohttp endpoint, ack only", "rate": rt["rate"],
                      "p99_ms": rt["p99_ms"], "capacity_per_s": rc["rate"],
                      "cpu_ms_per_request": round(ref_cpu_ms, 3)},
        "cpu_ratio": round(cpu_ms / ref_cpu_ms, 1) if ref_cpu_ms else None,
        "ratio": round(c["rate"] / rc["rate"], 3) if rc["rate"] else None,
        "ratio_p99": round(t["p99_ms"] / rt["p99_ms"], 1) if rt["p99_ms"] else None,
        "goal_met": bool(t["rate"] >= 0.98 * min(args.rate, 500) and checked["lost"] == 0
                         and checked["double"] == 0 and locked == 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=15.0, help="seconds at --rate")
    parser.add_argument("--rate", type=float, default=500.0, help="submits per second")
    parser.add_argument("--workers", type=int, default=64, help="clients in the capacity phase")
    parser.add_argument("--capacity-seconds", type=float, default=5.0)
    parser.add_argument("--http-workers", type=int, default=0,
                        help="[server] workers: extra HTTP processes (0: one process)")
    parser.add_argument("--profile", help="write py-spy raw stacks of the server here")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()
