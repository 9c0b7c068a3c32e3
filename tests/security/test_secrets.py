"""Secrets never reach a log line: the app is run with production logging at DEBUG, with the
Slack adapter, pulse and signal keys configured, and a few flows are driven."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from bots.logs import setup_logging
from commands.signals.keys import new_key
from tests.pulse.conftest import PULSE_KEY
from tests.slack.conftest import SlackHarness
from tests.slack.signed import SECRET

RELAY, HMAC = new_key(), new_key()


@pytest.fixture
def slack_sections() -> dict[str, Any]:
    teams = {"zorg": {"members": ["slack:U0Z1"], "managers": ["slack:U0MILA"]}}
    return {"pulse": {"key": PULSE_KEY, "teams": teams},
            "signals": {"relay_key": RELAY, "hmac_secret": HMAC, "allow_demo_keys": False},
            "logging": {"level": "DEBUG"}}


@pytest.fixture
def production_logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    buffer = io.StringIO()
    setup_logging("DEBUG", fmt="json", stream=buffer)
    try:
        yield buffer
    finally:
        root.handlers[:], _ = saved[0], root.setLevel(saved[1])


async def test_no_secret_in_any_log_line(production_logs: io.StringIO, slack: SlackHarness) -> None:
    await slack.command("help")
    await slack.command('pulse create "Week" --team zorg --duration 1d --reminder off '
                        '--q1 "single: Goed? | ja | nee"')
    await slack.command("signaal", trigger_id="t-1")
    await slack.command("bestaat-niet")
    await slack.advance(timedelta(minutes=5))
    logs = production_logs.getvalue()
    assert logs, "the flows logged nothing at all: the capture is not working"
    for secret in ("xoxb-test", SECRET, PULSE_KEY, RELAY, HMAC):
        assert secret not in logs
