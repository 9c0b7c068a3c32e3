"""Pulse votes through the full Slack path: a signed ``block_actions`` POST over HTTP to a
``hartslag run`` process (bolt, router, pulse handler, group-commit vote writer on SQLite,
or PostgreSQL with ``--postgres URL``), acknowledged only after the vote committed. Prints
ONE JSON line.

Phases, all against 127.0.0.1 and bounded in count and time:

1. ``target``: open-loop load at ``--rate`` clicks/s for ``--duration`` s, 10% of them
   replays of an earlier click (same person, same answer). Then the database is read:
   ``lost`` = acknowledged people without a stored vote, ``double`` = stored votes beyond one
   per person (or values that do not match the acknowledged clicks), ``database_locked`` =
   "database is locked" in the server's log, ``database_errors`` = failures in it (SQLite:
   locked; PostgreSQL: deadlocks, serialization failures, too many connections; both: the
   pool running dry, tracebacks, error lines), ``database_error_kinds`` which ones.
   ``lag_p99_ms`` from the server's /metrics histogram (bucket bound), ``rss_mb`` of the
   server after the load.
2. ``capacity``: closed loop (``--workers`` clients back to back) for ``--capacity-seconds``,
   against hartslag and against the reference: a bare aiohttp endpoint that only reads the
   body and answers 200, in its own process. ``ratio`` = hartslag capacity / reference
   capacity (machine-independent-ish); ``ratio_p99`` compares p99 at the target rate.

3. ``peer``: the same open-loop load and capacity phase against the naive peer
   (``benchmarks/peer_bolt.py``: a Bolt ``AsyncApp`` listener that acks first and writes one
   SQLModel transaction per click), checked the same way; ``*_ratio_to_peer`` compare.

The pulse is a team pulse for ``--audience`` people (default 1,000) in sub-teams of 25, so
every vote checks membership in the organisation tree. ``--sizes 1000,50000`` runs one
measurement per size (one JSON line each) and ends with the curve; ``--full`` runs
1,000, 10,000, 50,000 and 130,000.

``--postgres URL`` (or ``$HARTSLAG_BENCH_POSTGRES_URL``): each measurement creates a fresh
database ``hartslag_bench_...`` on that server (through the database the URL names), and the
peer another, and drops them at the end, also on failure. ``storage`` in the output says
which database was used; ``database_cpu_ms_per_vote`` is the CPU of the PostgreSQL backends
per vote (not in ``server_cpu_ms_per_vote``; a lower bound when ``database_sessions_ended``
is above 0).

    .venv/bin/python benchmarks/votes.py [--duration 15] [--rate 1000] [--audience 50000]
    .venv/bin/python benchmarks/votes.py --full --rate 300 --duration 30
    .venv/bin/python benchmarks/votes.py --postgres postgresql://postgres@127.0.0.1:5432/test \
        --sizes 1000,50000 --rate 300 --duration 30
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import web

from benchmarks._ballots import PULSE_KEY, Body, Presses, VotePath, arguments, curve
from benchmarks._harness import HOST, PYTHON, free_port

SECRET = "bench-signing-secret"
TEAM = "T0BENCH"


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


def write_config(tmp: Path, port: int, slack: FakeSlackApi, http_workers: int = 0,
                 url: str | None = None) -> Path:
    """The server's config; ``url`` is its database (default: ``tmp/bench.db``, SQLite)."""
    path = tmp / "config.toml"
    url = url or f"sqlite:///{tmp / 'bench.db'}"
    path.write_text(f"""
[storage]
url = "{url}"
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
api_base_url = "{slack.base_url}"
[pulse]
key = "{PULSE_KEY}"
""")
    return path


class Clicks(Presses):
    """Signed block_actions bodies: click ``i`` is person ``i`` (or, for 10%, a replay)."""

    def __init__(self, round_id: int, response_base: str, *, duplicates: float = 0.1) -> None:
        super().__init__(round_id, duplicates=duplicates)
        self.response_base = response_base

    def member_key(self, person: int) -> str:
        return f"slack:U{person:08d}"

    def body(self, index: int) -> Body:
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


def peer_argv(port: int, slack: FakeSlackApi, audience: int, db: str) -> list[str]:
    """The naive Bolt + SQLModel peer (benchmarks/peer_bolt.py) against the same fake, on
    ``db``: a SQLite file or a PostgreSQL URL."""
    return [PYTHON, "benchmarks/peer_bolt.py", "--port", str(port), "--db", db,
            "--api", slack.base_url, "--secret", SECRET, "--audience", str(audience)]


SLACK = VotePath(
    name="votes", description="slack block_actions over HTTP -> bolt -> pulse -> "
    "group-commit writer (SQLite), ack after commit",
    endpoint="/slack/events", fake=FakeSlackApi, config=write_config,
    presses=lambda round_id, slack: Clicks(
        round_id, f"http://{HOST}:{slack.port}" if slack else "http://127.0.0.1:9"),
    replies=lambda slack: slack.calls["response_url"] + slack.calls["chat.postMessage"],
    goal_rate=1000.0, goal_p99_ms=250.0, peer=peer_argv)


def main() -> None:
    args = arguments(__doc__.split("\n\n")[0], rate=1000.0, audience=1000)
    print(json.dumps(asyncio.run(curve(args, SLACK))))


if __name__ == "__main__":
    main()
