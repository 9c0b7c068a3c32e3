"""Pulse votes through the Teams card path: an ``Action.Submit`` activity (a message with
``value``) POSTed to ``/api/messages`` of a ``hartslag run`` process (Teams SDK, router, pulse
handler, group-commit vote writer on SQLite), answered 200 once the vote committed. The
replies go to a fake Bot Connector in this process. Prints ONE JSON line.

Inbound token validation is off (``dangerously_skip_auth``, loopback only): the benchmark
measures hartslag, not JWT signature checks. Same phases and figures as ``votes.py``
(``--rate`` defaults to 500, the goal for this path), reference: a bare aiohttp endpoint;
``--postgres URL`` runs it on a fresh PostgreSQL database, as there.

    .venv/bin/python benchmarks/votes_teams.py [--duration 15] [--rate 500]
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import web

from benchmarks._ballots import PULSE_KEY, Body, Presses, VotePath, arguments, measure
from benchmarks._harness import HOST, free_port

APP_ID = "00000000-0000-0000-0000-0000000be0c5"
TENANT = "tenant-bench"


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


def write_config(tmp: Path, port: int, connector: FakeConnector | None = None,
                 http_workers: int = 0, url: str | None = None) -> Path:
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
[teams]
enabled = true
app_id = "{APP_ID}"
tenant_id = "{TENANT}"
dangerously_skip_auth = true
[pulse]
key = "{PULSE_KEY}"
""")
    return path


class Submits(Presses):
    """Card submits: submit ``i`` is person ``i`` (or, for 10%, a replay of an earlier one)."""

    HEADERS = {"Content-Type": "application/json"}

    def __init__(self, round_id: int, service_url: str, *, duplicates: float = 0.1) -> None:
        super().__init__(round_id, duplicates=duplicates)
        self.service_url = service_url

    def body(self, index: int) -> Body:
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
        return json.dumps(activity).encode(), self.HEADERS


TEAMS = VotePath(
    name="votes_teams", description="teams Action.Submit over HTTP -> Teams SDK -> pulse -> "
    "group-commit writer (SQLite), 200 after commit",
    endpoint="/api/messages", fake=FakeConnector, config=write_config,
    presses=lambda round_id, connector: Submits(
        round_id, connector.url if connector else "http://127.0.0.1:9/"),
    replies=lambda connector: sum(connector.calls.values()), goal_rate=500.0)


def main() -> None:
    args = arguments(__doc__.split("\n\n")[0], rate=500.0)
    print(json.dumps(asyncio.run(measure(args, TEAMS))))


if __name__ == "__main__":
    main()
