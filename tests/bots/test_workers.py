"""``[server] workers``: HTTP worker processes next to the primary (``bots.workers``).

The integration test runs ``hartslag run`` as a real process tree against a local fake Slack
and checks what an operator relies on: button presses (pulse votes) are handled and stored
once, everything else reaches the primary unchanged, /metrics sums every process, /healthz
tells a dead worker and the pool restarts it, and no process outlives the primary.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from commands.announcements.render import ACK
from commands.pulse.answer import START, VOTE, WRITE
from commands.router import Router
from storage.db import Database
from storage.pulse import PulseRepository, PulseSeries
from tests.slack.fake_slack import FakeSlack
from tests.slack.signed import SECRET, block_actions, sign, slash_command

PULSE_KEY = "w" * 48


def test_the_burst_presses_are_declared_stateless_and_nothing_else() -> None:
    from bots.app import FEATURES

    router = Router()
    for feature in FEATURES:
        feature.register(router)
    assert {a for a in (START, VOTE, ACK, WRITE) if router.is_stateless(a)} == {START, VOTE, ACK}
    # pulse.write remembers, in this process only, that a free-text answer is expected.
    assert not router.is_stateless(WRITE)


@dataclass
class Tree:
    proc: subprocess.Popen[bytes]
    base: str
    db: Path
    log: Path

    def children(self) -> list[int]:
        found: list[int] = []
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
                found += [int(pid) for pid in (task / "children").read_text().split()]
        return found


def _config(tmp: Path, slack_url: str) -> Path:
    path = tmp / "config.toml"
    path.write_text(f"""
[storage]
url = "sqlite:///{tmp / 'h.db'}"
[server]
host = "127.0.0.1"
port = 0
workers = 2
[local]
enabled = false
[slack]
enabled = true
bot_token = "xoxb-test"
signing_secret = "{SECRET}"
api_base_url = "{slack_url}/api/"
[pulse]
key = "{PULSE_KEY}"
""")
    return path


@contextlib.contextmanager
def _running(config: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARTSLAG_")}
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bots.cli", "--config", str(config),
                                 "run"], stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


async def _address(proc: subprocess.Popen[bytes], log: Path) -> str:
    for _ in range(600):  # bounded: 60 s
        text = await asyncio.to_thread(log.read_text, errors="replace")
        found = re.search(r"hartslag runs on (http://\S+) ", text)
        if found:
            return found.group(1)
        if proc.poll() is not None:
            raise AssertionError(f"hartslag run exited: {text}")
        await asyncio.sleep(0.1)
    raise AssertionError("hartslag run did not start within 60 s")


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def tree(tmp_path: Path, slack: FakeSlack) -> AsyncIterator[Tree]:
    config = _config(tmp_path, f"http://127.0.0.1:{slack.port}")
    log = tmp_path / "server.log"
    with _running(config, log) as proc:
        base = await _address(proc, log)
        yield Tree(proc, base, tmp_path / "h.db", log)


async def _open_round(db_path: Path) -> int:
    now = datetime.now(UTC)
    db = Database(f"sqlite:///{db_path}")
    try:
        repo = PulseRepository(db)
        questions = json.dumps([{"kind": "likert", "text": "Hoe gaat het?", "options": []}])
        series = await repo.add_series(PulseSeries(
            title="Werkdruk", questions=questions, created_by="slack:U0ANNA", created_at=now,
            anonymous=True))
        assert series.id is not None
        row = await repo.open_round(series.id, at=now, closes_at=now + timedelta(days=1),
                                    invited="{}", ledger=False)
        assert row.id is not None
        return row.id
    finally:
        await db.dispose()


async def _wait_healthy(client: httpx.AsyncClient, *, within: float = 30.0) -> httpx.Response:
    deadline = time.monotonic() + within
    while True:
        answer = await client.get("/healthz")
        if answer.status_code == 200 or time.monotonic() > deadline:
            return answer
        await asyncio.sleep(0.2)


async def test_workers_take_the_presses_and_pass_the_rest_to_the_primary(
        tree: Tree, slack: FakeSlack) -> None:
    async with httpx.AsyncClient(base_url=tree.base, timeout=20) as client:
        assert (await _wait_healthy(client)).status_code == 200
        assert len(tree.children()) == 2
        round_id = await _open_round(tree.db)
        respond = f"http://127.0.0.1:{slack.port}/respond"
        people = [f"U{n:04d}" for n in range(40)]

        async def press(person: str, value: str) -> int:
            body = block_actions(VOTE, f"{round_id}|0|{value}", user=person,
                                 channel=f"D{person}", response_url=f"{respond}/{person}")
            answer = await client.post("/slack/events", content=body, headers=sign(body))
            return answer.status_code

        # Every person once, then a tenth of them again (a double click): one vote each.
        first = await asyncio.gather(*(press(p, "4") for p in people))
        again = await asyncio.gather(*(press(p, "2") for p in people[::10]))
        assert set(first) == {200} and set(again) == {200}
        with sqlite3.connect(tree.db) as conn:
            rows = conn.execute("SELECT voter_key, value FROM pulse_answer WHERE round_id = ?",
                                (round_id,)).fetchall()
        assert len(rows) == len(people) == len({key for key, _ in rows})
        assert sorted(v for _, v in rows).count("2") == len(people[::10])

        # A slash command is not a stateless press: a worker passes it on, the primary
        # verifies the signature and answers through the response_url.
        body = slash_command("help", response_url=f"{respond}/cmd")
        assert (await client.post("/slack/events", content=body,
                                  headers=sign(body))).status_code == 200
        forged = slash_command("help", response_url=f"{respond}/forged")
        assert (await client.post("/slack/events", content=forged,
                                  headers=sign(forged, secret="wrong"))).status_code == 401
        for _ in range(100):
            if any(hook == "cmd" for hook, _ in slack.responses):
                break
            await asyncio.sleep(0.1)
        assert any(hook == "cmd" for hook, _ in slack.responses)
        assert not any(hook == "forged" for hook, _ in slack.responses)

        # /metrics sums every process: all presses counted, though two workers took them.
        metrics = (await client.get("/metrics")).text
        counted = re.search(r'hartslag_events_total\{kind="Interaction",platform="slack"\} '
                            r"([0-9.]+)", metrics)
        assert counted is not None
        assert float(counted.group(1)) == len(people) + len(people[::10])


async def test_a_dead_worker_is_reported_and_restarted_and_none_outlive_the_primary(
        tree: Tree) -> None:
    # A new connection per request: a kept-alive one could belong to the killed worker.
    fresh = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=tree.base, timeout=20, limits=fresh) as client:
        assert (await _wait_healthy(client)).status_code == 200
        first, second = tree.children()
        os.kill(first, signal.SIGKILL)
        # The surviving worker passes /healthz on to the primary, which notices the loss.
        reported = None
        for _ in range(50):
            answer = await client.get("/healthz")
            if answer.status_code == 503:
                reported = answer.json()
                break
            await asyncio.sleep(0.1)
        assert reported is not None
        assert "http workers: 1 of 2 not running" in reported["problems"]
        assert (await _wait_healthy(client)).status_code == 200  # restarted after a back-off
        replaced = set(tree.children())
        assert second in replaced and first not in replaced and len(replaced) == 2
    # SIGKILL of the primary: the workers notice their parent is gone and stop by themselves.
    workers = tree.children()
    tree.proc.kill()
    tree.proc.wait(5)
    deadline = time.monotonic() + 15
    alive = workers
    while alive and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        alive = [pid for pid in workers if _alive(pid)]
    assert alive == []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
