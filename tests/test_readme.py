"""The README starts with the two commands, and .ci/run runs exactly the test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def shell_blocks(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", text, re.DOTALL)]


def test_the_first_two_commands_install_run_and_test() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    run, test = shell_blocks(readme)[:2]
    assert "pip install ." in run and run.endswith("hartslag run")
    assert "'.[test]'" in test and "pytest" in test
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
          if line.strip() and not line.lstrip().startswith(("#", "set ", "cd ", "export "))]
    assert ci == [test]
