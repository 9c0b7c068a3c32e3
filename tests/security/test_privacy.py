"""The data inventory covers every table; the report prints configured retention; the
standing purge deletes what outlived its setting and keeps the rest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from bots.app import App
from commands.delivery import Delivery
from commands.features import FEATURES
from commands.model import Address, OutgoingMessage
from commands.privacy import PURGE
from commands.privacy.inventory import inventory
from storage.events import EventLedger, ProcessedEvent
from storage.privacy import PURGES
from storage.schema import metadata
from tests.support.chat import ChatDriver


def test_every_table_is_in_the_inventory_once() -> None:
    listed = [table for kind in inventory(FEATURES) for table in kind.tables]
    assert sorted(listed) == sorted(set(listed)), "a table is listed twice"
    assert set(listed) == set(metadata.tables), (
        f"undocumented: {set(metadata.tables) - set(listed)}; "
        f"unknown: {set(listed) - set(metadata.tables)}")
    for rule in PURGES:
        assert rule.column in metadata.tables[rule.table].c


def test_privacy_report_shows_configured_retention(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARTSLAG_")}
    env["HARTSLAG_DELIVERY_RETENTION_DAYS"] = "14"
    result = subprocess.run([sys.executable, "-m", "bots.cli", "privacy", "report", "--json"],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    rows = {row["kind"]: row for row in json.loads(result.stdout)}
    assert rows["Outbox"]["retention"] == "14 days (delivery.retention_days) after sending"
    assert "12 months (signals.retention_months)" in rows["Anonymous signals"]["retention"]
    assert rows["Pulse answers"]["people"] == "keyed hash"


async def test_the_standing_purge_runs_daily_and_deletes_only_what_expired(
    app: App, chat: ChatDriver
) -> None:
    standing = [s for s in await app.scheduler.list(owner="system") if s.kind == PURGE]
    assert len(standing) == 1
    ledger = app.store.repo(EventLedger)
    await ledger.claim("slack:old", at=app.clock.now())
    here = Address("local", "local", "#algemeen")
    await app.outbox.enqueue([Delivery(OutgoingMessage("oud bericht"), address=here)],
                             batch="privacy-test-old")
    await app.outbox.drain()
    await chat.advance(timedelta(days=8))  # past 03:30 several times
    await ledger.claim("slack:new", at=app.clock.now())
    async with app.db.session(readonly=True) as session:
        keys = [row.key for row in await session.exec(select(ProcessedEvent))]
        outbox = list(await session.exec(select(metadata.tables["outbox"].c.batch)))  # type: ignore[call-overload]
    assert keys == ["slack:new"]
    assert outbox, "deliveries are kept for delivery.retention_days (30)"
    await chat.advance(timedelta(days=90))
    async with app.db.session(readonly=True) as session:
        outbox = list(await session.exec(select(metadata.tables["outbox"].c.batch)))  # type: ignore[call-overload]
        bodies = list(await session.exec(select(metadata.tables["outbox_message"].c.digest)))  # type: ignore[call-overload]
        used = list(await session.exec(select(metadata.tables["outbox"].c.digest)))  # type: ignore[call-overload]
    assert not [b for b in outbox if b == ("privacy-test-old",)]
    assert set(bodies) <= set(used), "message bodies no outbox row refers to were left behind"
