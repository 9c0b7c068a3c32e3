"""Retention purge with a FakeClock, the purge schedule, the digest job, and the Woo export."""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bots.cli_signals import run_export, run_purge
from commands.signals.jobs import months_before
from tests.signals.conftest import all_rows, code_and_ref, find_identifiers

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SEND = "@{who}\ndm\n/hartslag signaal\n1\ngeen\n{text}\nja\n"


async def test_months_before_clamps_the_day() -> None:
    assert months_before(date(2026, 11, 23), 12) == date(2025, 11, 23)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 13) == date(2024, 12, 15)


async def test_purge_after_the_retention_period(chat: Any, app: Any, clock: Any) -> None:
    out = await chat.run(SEND.format(who="joost", text="Een oud signaal van vorig jaar."))
    _, old_ref = await code_and_ref(app, out)
    await chat.run(f"@tess\ndm\n/hartslag signaal beantwoord {old_ref} Gezien.\n"
                   f"/hartslag signaal notitie {old_ref} Intern.\n")
    clock.advance(timedelta(days=200))
    _, new_ref = await code_and_ref(app, await chat.run(SEND.format(who="sara", text="Een recenter signaal.")))
    # The first triage command made the daily purge schedule.
    kinds = [info.kind for info in await app.scheduler.list(kind_prefix="signals.")]
    assert kinds == ["signals.purge"]

    clock.advance(timedelta(days=170))  # 370 days after the first signal, 170 after the second
    await app.run_job("signals.purge", {})
    rows = await all_rows(app)
    assert [r[0] for r in rows["signal_case"]] == [new_ref]
    assert all(r[0] != old_ref for r in rows["signal_entry"] + rows["signal_relay"])
    assert len(rows["signal_relay"]) == 1

    clock.advance(timedelta(days=200))
    await app.run_job("signals.purge", {})
    rows = await all_rows(app)
    assert rows["signal_case"] == rows["signal_entry"] == rows["signal_relay"] == []


async def test_the_scheduled_purge_runs_through_the_scheduler(chat: Any, app: Any, clock: Any) -> None:
    now = clock.now()
    clock.set(now - timedelta(days=400))  # a signal from long ago (the clock only moves here)
    await code_and_ref(app, await chat.run(SEND.format(who="joost", text="Wordt opgeruimd.")))
    clock.set(now)
    await chat.run("@tess\ndm\n/hartslag signaal inbox\n")  # creates the daily purge schedule
    assert len((await all_rows(app))["signal_case"]) == 1
    clock.set(datetime(2026, 11, 24, 3, 0, tzinfo=AMSTERDAM))  # 17 minutes before its first slot
    await chat.run("wait 30m\n")
    assert (await all_rows(app))["signal_case"] == []


async def test_digest_lists_open_cases_by_reference(chat: Any, app: Any, clock: Any) -> None:
    _, ref = await code_and_ref(app, await chat.run(SEND.format(who="joost", text="Open voor het overzicht.")))
    out = await chat.run("@tess\ndm\n/hartslag signaal overzicht aan #signalen\n"
                         "/hartslag signaal overzicht aan #signalen\n"
                         "/hartslag signaal overzicht\n")
    assert "elke maandag om 09:00" in out and ref in out and "werkdruk: 1" in out
    assert "Open voor het overzicht" not in out
    clock.advance(timedelta(days=6, hours=23, minutes=30))  # half an hour before Monday 09:00
    await chat.run("wait 1h\n")
    assert "Oudste open dossiers" in "\n".join(
        m.text for m in chat.adapter.world.messages if m.place == "#signalen")
    out = await chat.run("/hartslag signaal overzicht uit\n")
    assert "1 planning verwijderd" in out


async def test_export_writes_what_is_stored_and_nothing_identifying(
    chat: Any, app: Any, config: Any, tmp_path: Path
) -> None:
    out = await chat.run(SEND.format(who="joost", text="Voor het Woo-verzoek bewaard."))
    _, ref = await code_and_ref(app, out)
    await chat.run(f"@tess\ndm\n/hartslag signaal beantwoord {ref} Ons antwoord.\n")
    target = tmp_path / "export.json"
    assert await run_export(argparse.Namespace(out=target), config) == 0
    data = json.loads(target.read_text())
    (case,) = data["cases"]
    assert case["ref"] == ref and case["text"] == "Voor het Woo-verzoek bewaard."
    assert case["received_day"] == "2026-11-23" and case["can_be_answered"] is True
    assert [e["kind"] for e in case["entries"]] == ["reply"]
    assert case["entries"][0]["author"] == "local:tess"
    assert data["left_out"]["signal_relay"]["rows"] == 1
    assert find_identifiers(target.read_text(), ["joost"]) == []
    assert await run_purge(argparse.Namespace(dry_run=True), config) == 0


async def test_turned_off_it_refuses_but_retention_and_export_still_work(
    db_url: str, tmp_path: Path, clock: Any
) -> None:
    from bots.app import App
    from bots.local.adapter import LocalAdapter
    from commands.signals.export import export_signals
    from tests.signals.conftest import signal_config
    from tests.support.chat import ChatDriver

    config = signal_config(db_url, tmp_path, enabled=False)
    adapter = LocalAdapter(config.local)
    app = App(config, clock=clock, adapters=[adapter])
    await app.start(serve_http=False)
    try:
        out = await ChatDriver(app, adapter, clock).run("@joost\ndm\n/hartslag signaal\n")
        assert "staan uit" in out
        await app.run_job("signals.purge", {})
        assert (await export_signals(app.context()))["cases"] == []
    finally:
        await app.stop()
