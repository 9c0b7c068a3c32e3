"""Quiet hours, working days and digest times, including around the DST changes."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from commands.notices.directory import parse_people_csv
from commands.notices.timing import is_quiet, next_digest, next_open

AMS = ZoneInfo("Europe/Amsterdam")
WORKDAYS = [0, 1, 2, 3, 4]


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMS)


@pytest.mark.parametrize(
    ("when", "quiet", "expected"),
    [
        (at(2026, 11, 23, 9, 0), "18:00-08:00", False),
        (at(2026, 11, 23, 7, 59), "18:00-08:00", True),
        (at(2026, 11, 23, 18, 0), "18:00-08:00", True),
        (at(2026, 11, 23, 12, 30), "12:00-13:00", True),
        (at(2026, 11, 23, 13, 0), "12:00-13:00", False),
        (at(2026, 11, 28, 11, 0), "18:00-08:00", True),  # Saturday
        (at(2026, 11, 23, 3, 0), "00:00-00:00", False),  # no quiet hours
    ],
)
def test_is_quiet(when: datetime, quiet: str, expected: bool) -> None:
    assert is_quiet(when, quiet=quiet, working_days=WORKDAYS, tz=AMS) is expected


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (at(2026, 11, 23, 20, 0), at(2026, 11, 24, 8, 0)),
        (at(2026, 11, 27, 19, 0), at(2026, 11, 30, 8, 0)),  # Friday evening -> Monday
        (at(2026, 3, 28, 20, 0), at(2026, 3, 30, 8, 0)),  # over the spring DST change
        (at(2026, 10, 24, 20, 0), at(2026, 10, 26, 8, 0)),  # over the autumn DST change
        (at(2026, 11, 23, 10, 0), at(2026, 11, 23, 10, 0)),  # open now
    ],
)
def test_next_open(after: datetime, expected: datetime) -> None:
    found = next_open(after, quiet="18:00-08:00", working_days=WORKDAYS, tz=AMS)
    assert found == expected and found.utcoffset() == expected.utcoffset()


def test_next_digest_skips_weekends_and_the_current_time() -> None:
    assert next_digest(at(2026, 11, 23, 8, 0), at="08:30", working_days=WORKDAYS, tz=AMS) == at(2026, 11, 23, 8, 30)
    assert next_digest(at(2026, 11, 23, 8, 30), at="08:30", working_days=WORKDAYS, tz=AMS) == at(2026, 11, 24, 8, 30)
    assert next_digest(at(2026, 11, 27, 9, 0), at="08:30", working_days=WORKDAYS, tz=AMS) == at(2026, 11, 30, 8, 30)


def test_people_csv_reports_bad_rows_with_their_line() -> None:
    rows, problems = parse_people_csv(
        "employee_id,email,name,slack\nE1,a@x.nl,Anna,U1\n,,Nobody,\nE3,not-an-email,C,\n"
    )
    assert [r.employee_id for r in rows] == ["E1"] and rows[0].ids == {"slack": "U1"}
    assert problems == ["line 3: needs an employee_id or an email",
                        "line 4: 'not-an-email' is not an e-mail address"]
    assert parse_people_csv("who,what\n1,2\n")[1][0].startswith("line 1: unknown columns")


def test_people_import_cli_is_idempotent(tmp_path: Path) -> None:
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("employee_id,email,name,local\nE1,joost@x.nl,Joost,joost\n,,bad,\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARTSLAG_")}
    env["HARTSLAG_STORAGE_URL"] = f"sqlite:///{tmp_path / 'p.db'}"
    command = [sys.executable, "-m", "bots.cli", "people", "import", str(csv_file)]
    first = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    second = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert first.returncode == 1 and "1 created, 0 updated, 1 skipped" in first.stdout
    assert "people.csv line 3: needs an employee_id or an email" in first.stdout
    assert "0 created, 1 updated, 1 skipped" in second.stdout
