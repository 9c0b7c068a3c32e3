"""``hartslag announce send|schedule|list|cancel``: the same checks as chat, no chat needed;
the running process delivers what the CLI queued."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bots.cli import main
from storage.announcements import STATES, AnnouncementRepository
from storage.db import Database


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
    assert "#1: Hij gaat nu uit naar 1 kanaal/kanalen." in capsys.readouterr().out
    assert main(["--config", cfg, "announce", "schedule", "--title", "Weekstart", "--body", "x",
                 "--to", "local:#algemeen", "--at", "elke maandag 9:00", "--locale", "en"]) == 0
    assert "Scheduled: every Monday at 09:00" in capsys.readouterr().out
    assert main(["--config", cfg, "announce", "list"]) == 0
    listing = capsys.readouterr().out
    assert "#2\tingepland\t" in listing and "#1\tverstuurd\t-\tStoring" in listing
    assert main(["--config", cfg, "announce", "cancel", "2"]) == 0
    assert "geannuleerd" in capsys.readouterr().out
    # No `hartslag run` delivered #1 yet: its queued copy can still be stopped, once.
    assert main(["--config", cfg, "announce", "cancel", "1"]) == 0
    assert "(1 nog niet verstuurde berichten tegengehouden)" in capsys.readouterr().out
    assert main(["--config", cfg, "announce", "cancel", "1"]) == 2
    assert "kan niet meer" in capsys.readouterr().err
    assert [state for _, state, _ in stored(db_url)] == ["cancelled", "cancelled"]


def test_bad_input_exits_2_with_the_reason_and_stores_nothing(
        tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config_file(tmp_path, db_url)
    assert main(["--config", cfg, "announce", "send", "--title", "x", "--body", "y",
                 "--to", "slack:#general"]) == 2
    assert "met zijn id" in capsys.readouterr().err
    assert main(["--config", cfg, "announce", "send", "--title", "x", "--body", "y",
                 "--to", "local:#a", "--embargo", "vandaag 00:05"]) == 2
    assert stored(db_url) == []
