"""ruff and mypy as part of the test command, so CI keeps the code clean (issue 17).

Both run as subprocesses of the test interpreter's environment (they are in the `test`
extra), on the repository's own configuration in pyproject.toml.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# mypy on the whole product takes about a minute on two cores; far under the suite's timeout.
LINT_TIMEOUT = 600


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=LINT_TIMEOUT, check=False)


def test_ruff_finds_nothing() -> None:
    done = run_tool("ruff", "check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_nothing() -> None:
    done = run_tool("mypy", "--no-incremental")
    assert done.returncode == 0, done.stdout + done.stderr


def test_tests_read_no_files_outside_the_repository() -> None:
    """A fresh clone has nothing beside it: no test or benchmark may read the team folder
    next to the checkout."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("tests", "benchmarks")
        for path in (ROOT / folder).rglob("*.py")
        if path.name != Path(__file__).name
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if '"shared"' in line or "../shared" in line
    ]
    if offenders:
        pytest.fail("reads outside the repository: " + ", ".join(offenders))
