"""Teams on a laptop: hartslag answers Microsoft 365 Agents Playground, Microsoft's own emulator.

The Playground (npm ``@microsoft/m365agentsplayground``, pinned in tests/teams/playground)
plays Teams and the Bot Connector at once: it posts activities to ``/api/messages`` without a
token and takes the bot's replies on its own connector routes. Nothing of it was written by
us, so this checks the documented local mode (``dangerously_skip_auth`` on a loopback host,
no Entra credentials) against a client that is not ours: activities it builds, the service
URL it hands out, and the replies it accepts.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.support.node import node_package

PLAYGROUND = Path(__file__).parent / "playground"
START_TIMEOUT_S = 60
REPLY_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _config(tmp: Path, port: int) -> Path:
    path = tmp / "hartslag.toml"
    path.write_text(f"""
[server]
host = "127.0.0.1"
port = {port}

[storage]
url = "sqlite:///{tmp / 'hartslag.db'}"

[teams]
enabled = true
app_id = "00000000-0000-0000-0000-000000000000"
dangerously_skip_auth = true
""", encoding="utf-8")
    return path


@dataclass
class Playground:
    url: str
    http: aiohttp.ClientSession
    conversation: str
    user: str

    async def say(self, text: str) -> None:
        async with self.http.post(
                f"{self.url}/_conversation/v1/conversations/{self.conversation}/messages",
                json={"from": {"id": self.user}, "text": text, "textFormat": "plain"}) as resp:
            assert resp.status == 200, await resp.text()


def _wait_line(proc: subprocess.Popen[str], prefix: str) -> str:
    """The rest of the first output line that starts with ``prefix``; bounded in time."""
    assert proc.stdout is not None
    watchdog = threading.Timer(START_TIMEOUT_S, proc.kill)
    watchdog.start()
    try:
        for line in proc.stdout:
            if line.startswith(prefix):
                return line[len(prefix):].strip()
    finally:
        watchdog.cancel()
    raise AssertionError(f"process ended (or timed out) before printing {prefix!r}")


def _wait_healthy(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"hartslag did not come up at {url} (exit code {proc.poll()})")


@pytest.fixture
def hartslag_server(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bots.cli", "--config", str(_config(tmp_path, port)), "run"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def playground_url(hartslag_server: str, tmp_path: Path) -> Iterator[str]:
    modules = node_package(PLAYGROUND)
    cli = modules / "@microsoft" / "m365agentsplayground" / "cli.js"
    work = tmp_path / "playground"
    work.mkdir()
    env = {**os.environ, "TEAMSAPPTESTER_BROWSER": "none",
           "M365_AGENTS_PLAYGROUND_LOGFILE": str(work / "playground.log")}
    proc = subprocess.Popen(
        ["node", str(cli), "start", "--app-endpoint", f"{hartslag_server}/api/messages",
         "--channel-id", "msteams", "--port", str(_free_port()), "--disable-telemetry"],
        cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    try:
        # It prints its port once it listens (it picks another when the one asked is taken).
        yield f"http://127.0.0.1:{_wait_line(proc, 'Listening on ')}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
async def playground(playground_url: str) -> AsyncIterator[Playground]:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{playground_url}/_internal/v1/config") as resp:
            config = (await resp.json())["config"]
        yield Playground(url=playground_url, http=http,
                         conversation=config["personalChat"]["id"],
                         user=config["currentUser"]["id"])


def _card_text(message: dict[str, Any]) -> str:
    """Every TextBlock of the reply's Adaptive Cards, as one string."""
    texts: list[str] = [message.get("text") or ""]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                texts.append(str(node.get("text", "")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for attachment in message.get("attachments") or []:
        walk(attachment.get("content"))
    return "\n".join(texts)


async def _next_reply(ws: aiohttp.ClientWebSocketResponse, playground: Playground) -> str:
    """The text of the next message the bot created in the personal chat."""
    async def loop() -> str:
        async for frame in ws:
            event = json.loads(frame.data)
            if (event.get("action") == "createMessage"
                    and event.get("actionConversationId") == playground.conversation
                    and event["message"].get("from", {}).get("id") != playground.user):
                return _card_text(event["message"])
        raise AssertionError("the Playground closed its stream")
    return await asyncio.wait_for(loop(), REPLY_TIMEOUT_S)


async def test_hartslag_answers_microsofts_playground_without_credentials(
        playground: Playground) -> None:
    stream = playground.url.replace("http", "ws") + "/_ws_conversation/v1/conversations/stream"
    async with playground.http.ws_connect(stream) as ws:
        await playground.say("help")
        # The Playground's user speaks en-US: the bot answers in English.
        assert "what you can do here" in await _next_reply(ws, playground)

        await playground.say("taal nl")
        await _next_reply(ws, playground)
        await playground.say("help")
        assert "wat je hier kunt doen" in await _next_reply(ws, playground)

        await playground.say("signaal")
        started = await _next_reply(ws, playground)
        assert "Anoniem signaal" in started
        await playground.say("stop")
        await _next_reply(ws, playground)
