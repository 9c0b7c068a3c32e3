"""``hartslag announce send|schedule|list|cancel``: the same checks as chat, no chat needed;
the running process delivers what the CLI queued."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bots.cli import main
from scheduling.engine import LEASE
from storage.announcements import STATES, Announcement, AnnouncementRepository
from storage.db import Database
from storage.scheduling import ScheduleRepository, instance_name

AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture(autouse=True)
def keep_logging() -> Iterator[None]:
    """``main()`` sets up logging for a process (root handlers, library levels); put back
    pytest's handlers afterwards so later tests still capture their logs."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def config_file(tmp_path: Path, db_url: str) -> str:
    path = tmp_path / "hartslag.toml"
    path.write_text(f'[storage]\nurl = "{db_url}"\n[local]\nfiles_dir = "{tmp_path}/files"\n'
                    '[roles]\ncomms = ["local:anna", "local:bram"]\n', encoding="utf-8")
    return str(path)


def stored(db_url: str) -> list[tuple[int | None, str, str]]:
    async def read() -> list[tuple[int | None, str, str]]:
        db = Database(db_url)
        try:
            rows = await AnnouncementRepository(db).open(states=STATES)
            return [(a.id, a.state, a.title) for a in rows]
        finally:
            await db.dispose()

    return asyncio.run(read())


def test_send_schedule_list_cancel(tmp_path: Path, db_url: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config_file(tmp_path, db_url)
    assert main(["--config", cfg, "announce", "send", "--title", "Storing", "--body",
                 "De VPN is **weer** bereikbaar.", "--to", "local:#algemeen", "--ack", ""]) == 0
    assert "#1: Hij gaat nu uit naar 1 kanaal." in capsys.readouterr().out
    assert main(["--config", cfg, "announce", "schedule", "--title", "Weekstart", "--body", "x",
                 "--to", "local:#algemeen", "--at", "elke maandag 9:00", "--locale", "en"]) == 0
    assert "Scheduled: every Monday at 09:00" in capsys.readouterr().out
    assert main(["--config", cfg, "announce", "list"]) == 0
    listing = capsys.readouterr().out
    # Nothing delivered it yet (no server runs): "queued", not "sent", as the chat would say.
    assert "#2\tingepland\t" in listing and "#1\tin de wachtrij\t-\tStoring" in listing
    assert main(["--config", cfg, "announce", "cancel", "2"]) == 0
    assert "geannuleerd" in capsys.readouterr().out
    # No `hartslag run` delivered #1 yet: its queued copy can still be stopped, once.
    assert main(["--config", cfg, "announce", "cancel", "1"]) == 0
    assert "(1 nog niet verstuurd bericht tegengehouden)" in capsys.readouterr().out
    assert main(["--config", cfg, "announce", "cancel", "1"]) == 2
    assert "kan niet meer" in capsys.readouterr().err
    assert [state for _, state, _ in stored(db_url)] == ["cancelled", "cancelled"]


def test_bad_input_exits_2_with_the_reason_and_stores_nothing(
        tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config_file(tmp_path, db_url)
    assert main(["--config", cfg, "announce", "send", "--title", "x", "--body", "y",
                 "--to", "local:algemeen"]) == 2
    assert "Schrijf het als `local:#algemeen`" in capsys.readouterr().err
    # A platform this config does not run is refused before its syntax matters.
    assert main(["--config", cfg, "announce", "send", "--title", "x", "--body", "y",
                 "--to", "slack:#general"]) == 2
    assert "`slack` staat niet aan" in capsys.readouterr().err
    assert main(["--config", cfg, "announce", "send", "--title", "x", "--body", "y",
                 "--to", "local:#a", "--embargo", "vandaag 00:05"]) == 2
    assert stored(db_url) == []


def test_the_cli_says_when_no_server_will_deliver(
        tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config_file(tmp_path, db_url)
    args = ["--config", cfg, "announce", "send", "--title", "a", "--body", "b",
            "--to", "local:#algemeen"]
    assert main(args) == 0
    assert "geen hartslag-server" in capsys.readouterr().out

    async def hold() -> None:  # a live server's lease, as `hartslag run` holds it
        db = Database(db_url)
        try:
            assert await ScheduleRepository(db).acquire(
                LEASE, instance_name(), now=datetime.now(UTC), ttl=timedelta(minutes=5))
        finally:
            await db.dispose()

    asyncio.run(hold())
    assert main(args) == 0
    assert "geen hartslag-server" not in capsys.readouterr().out


def test_a_weekly_announcement_reads_its_ack_day_from_the_first_send(
        tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The example of docs/comms.md works on every weekday: "vrijdag 17:00" is the Friday
    after the first Monday, even on a Thursday when the next Friday comes before that Monday."""
    cfg = config_file(tmp_path, db_url)
    assert main(["--config", cfg, "announce", "schedule", "--title", "Weekstart", "--body", "x",
                 "--to", "local:#algemeen", "--at", "elke maandag 9:00",
                 "--ack", "vrijdag 17:00"]) == 0, capsys.readouterr().err
    rows = asyncio.run(_first(db_url))
    assert rows.ack_due is not None and rows.ack_due.astimezone(AMS).weekday() == 4
    first = (rows.ack_due - timedelta(days=4)).astimezone(AMS)
    assert first.weekday() == 0 and first.date() >= datetime.now(AMS).date()


async def _first(db_url: str) -> Announcement:
    db = Database(db_url)
    try:
        found = await AnnouncementRepository(db).get(1)
        assert found is not None
        return found
    finally:
        await db.dispose()


def test_the_cli_refuses_what_the_chat_refuses(
        tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config_file(tmp_path, db_url)
    assert main(["--config", cfg, "announce", "send", "--title", "x", "--body", "y",
                 "--to", "slack:C0123"]) == 2
    assert "`slack` staat niet aan" in capsys.readouterr().err
    assert main(["--config", cfg, "announce", "cancel", "99"]) == 2
    assert "Aankondiging 99 bestaat niet" in capsys.readouterr().err
    assert stored(db_url) == []
