"""Fixtures for pulse tests: an app with an organisation of teams and a fixed pulse key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bots.config import Config
from tests.conftest import make_config
from tests.support.db import all_rows  # noqa: F401  (re-exported for the tests here)

PULSE_KEY = "k" * 16 + "0123456789abcdef0123"
ZORG = [f"z{i}" for i in range(1, 8)]  # 7 people
ICT = [f"i{i}" for i in range(1, 6)]  # 5 people
NOORD = ["n1", "n2"]  # 2 people: a sub-team below k


def teams() -> dict[str, Any]:
    return {
        "org": {"members": [], "managers": ["local:anna"]},
        "zorg": {"parent": "org", "members": [f"local:{p}" for p in ZORG],
                 "managers": ["local:mila"]},
        "zorg-noord": {"parent": "zorg", "members": [f"local:{p}" for p in NOORD],
                       "managers": ["local:sara"]},
        "ict": {"parent": "org", "members": [f"local:{p}" for p in ICT],
                "managers": ["local:omar"]},
    }


def pulse_config(db_url: str, tmp_path: Path, **values: Any) -> Config:
    pulse = {"key": PULSE_KEY, "teams": teams(), **values}
    return make_config(db_url, tmp_path, pulse=pulse)


@pytest.fixture
def config(db_url: str, tmp_path: Path) -> Config:
    return pulse_config(db_url, tmp_path)


TEAM_PULSE = (
    '/hartslag pulse create --confirm "Week pulse" --team zorg --duration 2d --reminder off '
    '--q1 "likert: Ik kan mijn werk goed doen" '
    '--q2 "enps: Zou je ons team aanraden als werkplek?" '
    '--q3 "single: Werkdruk? | te laag | goed | te hoog" '
    '--q4 "multi: Wat helpt? | rust | overleg | thuiswerken" '
    '--q5 "text: Wat wil je nog kwijt?"')


def answer_script(person: str, presses: list[str]) -> str:
    """``person`` opens the latest pulse in their DM and presses/types ``presses``."""
    lines = [f"@{person}", "dm", "press 1"]
    for step in presses:
        lines.append(step if not step.isdigit() else f"press {step}")
    return "\n".join(lines)


# Likert 4 (press 4), eNPS 9 (press 10), "goed" (press 2), multi rust+thuiswerken then Done,
# then "Type an answer" and a text.
FULL = ["4", "10", "2", "1", "3", "4", "1"]


async def jump(app: Any, clock: Any, delta: Any, *, step: Any = None) -> None:
    """Let time pass in steps of an hour (faster than chat.advance for days and weeks)."""
    from datetime import timedelta

    step = step or timedelta(hours=1)
    end = clock.now() + delta
    while clock.now() < end:
        clock.set(min(end, clock.now() + step))
        await app.scheduler.run_due()
        await app.outbox.drain()


async def delivered(app: Any, batch: str, *, tries: int = 200) -> None:
    """Wait until the outbox batch exists and is fully sent. The app's own scheduler timer
    runs in the background too, so a job may be running already when a test calls run_due."""
    import asyncio

    for _ in range(tries):
        await app.scheduler.run_due()
        await app.outbox.drain()
        report = await app.outbox.report(batch)
        if report.total and not report.pending:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"batch {batch} was not delivered")
