"""The anonymity audit (issue 12): several simulated people answer an anonymous pulse and
send anonymous signals, through the local chat and through the Slack path. Afterwards every
row that their actions added or changed, every log line written meanwhile (our loggers at
DEBUG, everything at INFO and above) and /metrics hold no user id, name or e-mail of any of
them. The only trace allowed is the sealed relay (encrypted with a key outside the database).

Rows that existed before (team memberships, the invitations the outbox sent) are the
directory, not the answers: the promise is that answering adds nothing that points back.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import generate_latest

from bots.config import Config
from bots.logs import OneLineFormatter
from commands.signals.keys import new_key
from tests.conftest import make_config
from tests.pulse.conftest import PULSE_KEY, delivered, jump
from tests.slack.conftest import SlackHarness, buttons, fill
from tests.support.chat import ChatDriver
from tests.support.db import all_rows

PEOPLE = ["xqalpha", "xqbravo", "xqcharlie", "xqdelta", "xqecho", "xqfoxtrot"]
SLACK_PEOPLE = {f"U0Q{i}": (f"Quirin{i} Qadir", f"quirin{i}@gemeente.example")
                for i in range(1, 6)}
SECRETS = {"relay_key": new_key(), "hmac_secret": new_key()}


def _changes(before: dict[str, list[tuple[Any, ...]]],
             after: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """Rows added or changed, per table (a changed row shows as a new tuple)."""
    out = {}
    for table, rows in after.items():
        earlier = set(before.get(table, []))
        added = [row for row in rows if row not in earlier]
        if added:
            out[table] = added
    return out


def _hits(text: str, markers: list[str]) -> list[str]:
    return [m for m in markers
            if re.search(rf"(?<![A-Za-z0-9]){re.escape(m)}(?![A-Za-z0-9])", text, re.IGNORECASE)]


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Every log line as production formats it, our loggers at DEBUG."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(OneLineFormatter(json_lines=True))
    handler.setLevel(logging.DEBUG)
    root, ours = logging.getLogger(), logging.getLogger("hartslag")
    saved = (root.level, ours.level)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    ours.setLevel(logging.DEBUG)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[0])
        ours.setLevel(saved[1])


@pytest.fixture
def config(db_url: str, tmp_path: Path) -> Config:
    return make_config(db_url, tmp_path, pulse={"key": PULSE_KEY},
                       signals={**SECRETS, "allow_demo_keys": False})


def assert_no_trace(changes: dict[str, Any], logs: str, metrics: str, markers: list[str]) -> None:
    for table, rows in changes.items():
        if table == "signal_relay":
            continue  # sealed: checked below to be ciphertext only
        dump = json.dumps(rows, default=str, ensure_ascii=False)
        assert _hits(dump, markers) == [], (table, _hits(dump, markers))
    for _, sealed in changes.get("signal_relay", []):
        assert _hits(str(sealed), markers) == []
    assert _hits(logs, markers) == [], _hits(logs, markers)
    assert _hits(metrics, markers) == []


def test_the_audit_catches_a_leak() -> None:
    """The checks above can fail: an id in a row, a log line or a metric label is found."""
    marker = ["xqalpha", "local:xqalpha"]
    with pytest.raises(AssertionError):
        assert_no_trace({"pulse_answer": [(1, "local:xqalpha", 0, "", "1")]}, "", "", marker)
    with pytest.raises(AssertionError):
        assert_no_trace({}, '{"event": "vote", "user": "xqalpha"}', "", marker)
    with pytest.raises(AssertionError):
        assert_no_trace({}, "", 'hartslag_votes_total{user="xqalpha"} 1.0', marker)
    assert_no_trace({"pulse_answer": [(1, "9f" * 32, 0, "", "1")]}, "", "", marker)


async def test_local_chat_pulse_and_signals_leave_no_trace(
    chat: ChatDriver, log_lines: io.StringIO
) -> None:
    app = chat.app
    await chat.run('@anna\n#algemeen\n/hartslag pulse create --confirm "Koffiepeiling" --duration 1d '
                   '--q1 "single: Koffie of thee? | koffie | thee" '
                   '--q2 "text: Wat mist er in de kantine?"')
    await delivered(app, "pulse:1:1:open")
    before = await all_rows(app)
    log_lines.truncate(0)
    for n, person in enumerate(PEOPLE):
        out = await chat.run(f"@{person}\n#algemeen\npress 1\npress {1 + n % 2}\npress 1\n"
                             f"Meer fruit graag van {person}\n")
        assert f"-> {person}" in out
        out = await chat.run(f"@{person}\ndm\n/hartslag signaal\n1\ngeen\n"
                             f"De kantine is te vol tussen twaalf en een, merkt {person}.\nja\n")
        assert "Verstuur anoniem?" in out
    changes = _changes(before, await all_rows(app))
    assert {"pulse_answer", "signal_case"} <= set(changes)
    # The texts are there, but the names inside them were written by the people themselves:
    # strip what they typed before looking for identifiers the system added.
    typed = [f"Meer fruit graag van {p}" for p in PEOPLE]
    typed += [f"De kantine is te vol tussen twaalf en een, merkt {p}." for p in PEOPLE]
    cleaned = json.loads(json.dumps(changes, default=str))
    for table, rows in cleaned.items():
        cleaned[table] = [[c for c in row if not any(t in str(c) for t in typed)] for row in rows]
    metrics = generate_latest(app.metrics.registry).decode()
    logs = log_lines.getvalue()
    for text in typed:
        assert text not in logs
    assert_no_trace(cleaned, logs, metrics, [*PEOPLE, *(f"local:{p}" for p in PEOPLE)])
    await jump(app, chat.clock, timedelta(days=1, hours=1))
    out = await chat.run("@anna\n/hartslag pulse results 1")
    assert "Deelname: 6" in out


@pytest.fixture
def slack_sections() -> dict[str, Any]:
    teams = {"zorg": {"members": [f"slack:{p}" for p in SLACK_PEOPLE],
                      "managers": ["slack:U0MILA"]}}
    return {"pulse": {"key": PULSE_KEY, "teams": teams},
            "signals": {**SECRETS, "allow_demo_keys": False}}


async def test_slack_pulse_and_signals_leave_no_trace(
    slack: SlackHarness, log_lines: io.StringIO
) -> None:
    for user, (name, email) in SLACK_PEOPLE.items():
        slack.fake.add_user(user, name, email=email)
    await slack.command('pulse create --confirm "Week pulse" --team zorg --duration 2d --reminder off '
                        '--q1 "single: Werkdruk? | te laag | goed | te hoog"')
    await slack.fake.wait_for_response()
    await slack.advance(timedelta(minutes=5))
    before = await all_rows(slack.app)
    log_lines.truncate(0)
    for n, user in enumerate(SLACK_PEOPLE):
        invite = next(c for c in slack.posts() if c.args["channel"] == "D" + user[1:])
        opened_before = len(slack.fake.called("views.open"))
        await slack.press(buttons(invite.args["blocks"])[0], user=user, channel="D" + user[1:],
                          trigger_id=f"trig-{user}")
        view = (await slack.fake.wait_for("views.open", opened_before + 1))[-1].args["view"]
        choice = view["blocks"][0]["element"]["options"][n % 3]["value"]
        await slack.submit(view, fill(view, q0=choice), user=user)
        before_signal = len(slack.fake.called("views.open"))
        await slack.command("signaal", user=user, trigger_id=f"trig-s-{user}")
        signal_view = (await slack.fake.wait_for("views.open", before_signal + 1))[-1].args["view"]
        await slack.submit(signal_view, fill(signal_view, text="De roosters komen steeds te laat."),
                           user=user)
    await slack.settle_outbox()
    changes = _changes(before, await all_rows(slack.app))
    assert {"pulse_answer", "signal_case"} <= set(changes), set(changes)
    markers = [*SLACK_PEOPLE, *(f"D{u[1:]}" for u in SLACK_PEOPLE)]
    markers += [n for n, _ in SLACK_PEOPLE.values()] + [e for _, e in SLACK_PEOPLE.values()]
    markers += [f"trig-{u}" for u in SLACK_PEOPLE] + [f"trig-s-{u}" for u in SLACK_PEOPLE]
    assert_no_trace(changes, log_lines.getvalue(),
                    generate_latest(slack.app.metrics.registry).decode(), markers)

