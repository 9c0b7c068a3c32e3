"""Resident memory of a ``hartslag run`` process with Slack, Teams and Matrix all enabled,
against local fakes on 127.0.0.1 (a Slack Web API, nothing for Teams inbound, a permissive
Matrix homeserver that answers every call with an empty success). Prints ONE JSON line.

Measured: RSS after start-up, and again after ``--votes`` Slack button presses (the caches
and the vote writer warmed up), plus the peak (VmHWM). Reference in the same run: the same
command with only the built-in local chat enabled (no platform SDK imported), and a bare
Python interpreter with aiohttp imported; ``ratio`` = all three adapters / local only.

    .venv/bin/python benchmarks/memory.py [--votes 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import web

from benchmarks._ballots import open_round
from benchmarks._harness import (
    HOST,
    PYTHON,
    child,
    free_port,
    open_loop,
    rss_mb,
    stop,
    wait_http,
)
from benchmarks.votes import SECRET, Clicks, FakeSlackApi

GOAL_MB = 250


class FakeHomeserver:
    """Just enough Matrix client-server API for a bot to start: every call succeeds."""

    def __init__(self) -> None:
        self.port = free_port()
        self._runner: web.AppRunner | None = None
        self.calls = 0

    async def __aenter__(self) -> FakeHomeserver:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._any)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, HOST, self.port).start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    async def _any(self, request: web.Request) -> web.Response:
        await request.read()
        self.calls += 1
        path = request.path
        body: dict[str, Any] = {}
        if path.endswith("/versions"):
            body = {"versions": ["v1.1", "v1.5", "v1.11"], "unstable_features": {}}
        elif path.endswith("/account/whoami"):
            body = {"user_id": "@hartslag:localhost", "device_id": "BENCHDEV"}
        elif path.endswith("/login"):
            body = {"user_id": "@hartslag:localhost", "device_id": "BENCHDEV",
                    "access_token": "syt_bench"}
        elif path.endswith("/sync"):
            if request.query.get("since"):
                await asyncio.sleep(min(30.0, int(request.query.get("timeout", "0")) / 1000))
            body = {"next_batch": f"s{self.calls}", "rooms": {}, "account_data": {"events": []},
                    "to_device": {"events": []}, "device_one_time_keys_count": {}}
        elif path.endswith("/keys/upload"):
            body = {"one_time_key_counts": {"signed_curve25519": 50}}
        elif path.endswith("/keys/query"):
            body = {"device_keys": {}, "failures": {}}
        elif "/joined_rooms" in path:
            body = {"joined_rooms": []}
        elif "/filter" in path:
            body = {"filter_id": "1"}
        return web.json_response(body)


def config_text(tmp: Path, port: int, *, slack_api: str, homeserver: str | None,
                everything: bool) -> str:
    text = f"""
[storage]
url = "sqlite:///{tmp / 'bench.db'}"
[server]
host = "127.0.0.1"
port = {port}
[logging]
level = "WARNING"
[pulse]
key = "{'m' * 48}"
"""
    if not everything:
        return text + "[local]\nenabled = true\n" + f'files_dir = "{tmp / "files"}"\n'
    return text + f"""
[local]
enabled = false
[slack]
enabled = true
bot_token = "xoxb-bench"
signing_secret = "{SECRET}"
api_base_url = "{slack_api}"
[teams]
enabled = true
app_id = "00000000-0000-0000-0000-0000000be0c5"
dangerously_skip_auth = true
[matrix]
enabled = true
homeserver = "{homeserver}"
user_id = "@hartslag:localhost"
access_token = "syt_bench"
device_id = "BENCHDEV"
data_dir = "{tmp / 'matrix'}"
store_passphrase = "bench-store-passphrase"
"""


async def measure(everything: bool, votes: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="hartslag-bench-memory-"))
    port = free_port()
    async with FakeSlackApi() as slack, FakeHomeserver() as homeserver:
        config = tmp / "config.toml"
        config.write_text(config_text(tmp, port, slack_api=slack.base_url,
                                      homeserver=f"http://{HOST}:{homeserver.port}",
                                      everything=everything))
        log = tmp / "server.log"
        argv = [PYTHON, "-m", "bots.cli", "--config", str(config), "run"]
        with child(argv, log=log) as server:
            base = f"http://{HOST}:{port}"
            await wait_http(f"{base}/healthz", server)
            await asyncio.sleep(2.0)  # background start-up work (first sync, timers) settles
            started, _ = rss_mb(server.pid)
            health = json.loads(await _get(f"{base}/healthz"))
            after = started
            if everything and votes:
                round_id = await open_round(tmp / "bench.db")
                clicks = Clicks(round_id, f"http://{HOST}:{slack.port}")
                await open_loop(clicks.request(f"{base}/slack/events"), rate=500, count=votes,
                                deadline=votes / 500 + 20)
                await asyncio.sleep(1.0)
                after, _ = rss_mb(server.pid)
            _, peak = rss_mb(server.pid)
            alive = server.poll() is None
            stop(server)
        adapters = _adapters(log.read_text(errors="replace"))
    return {"rss_start_mb": started, "rss_after_votes_mb": after, "rss_peak_mb": peak,
            "alive": alive, "health": health, "log": adapters}


async def _get(url: str) -> str:
    from aiohttp import ClientSession

    async with ClientSession() as session, session.get(url) as response:
        return await response.text()


def _adapters(log: str) -> list[str]:
    """Start-up problems the server logged (an adapter that did not start would bias RSS)."""
    return [line[:200] for line in log.splitlines() if "failed" in line or "Error" in line][:5]


def bare_python() -> float:
    """RSS of an interpreter that imported aiohttp and sleeps (the floor of any bot)."""
    import subprocess

    with child([PYTHON, "-c", "import aiohttp, time; time.sleep(30)"]) as proc:
        time.sleep(1.5)
        value = rss_mb(proc.pid)[0]
        proc.kill()
    subprocess.run(["true"], check=False)
    return value


async def run(args: argparse.Namespace) -> dict[str, Any]:
    everything = await measure(True, args.votes)
    local = await measure(False, 0)
    floor = bare_python()
    worst = max(everything["rss_after_votes_mb"], everything["rss_peak_mb"])
    return {
        "benchmark": "memory", "adapters": ["slack", "teams", "matrix"],
        "rss_start_mb": everything["rss_start_mb"],
        "rss_after_votes_mb": everything["rss_after_votes_mb"], "votes": args.votes,
        "rss_peak_mb": everything["rss_peak_mb"], "goal_mb": GOAL_MB,
        "goal_met": bool(everything["alive"] and worst <= GOAL_MB),
        "health": everything["health"], "startup_problems": everything["log"],
        "reference": {"local_only_rss_mb": local["rss_start_mb"],
                      "bare_python_aiohttp_mb": floor},
        "ratio": round(everything["rss_start_mb"] / local["rss_start_mb"], 2)
        if local["rss_start_mb"] else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--votes", type=int, default=2000, help="Slack presses before measuring")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()
