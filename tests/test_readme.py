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


def tour_script(readme: str) -> str:
    """The demo tour of "The local chat": the printf block, as the script lines it pipes."""
    import shlex

    block = next(b for b in re.findall(r"^```\n(printf .*?)^```", readme, re.DOTALL | re.M)
                 if "pulse results" in b)
    words = shlex.split(block.replace("\\\n", " ").split("|")[0])
    return "\n".join(words[2:]) + "\n"


def test_the_readme_tour_shows_pulse_results(tmp_path: Path) -> None:
    """Issue 20 #1: the demo team is big enough for the minimum group size, so the tour
    ends with results, not "too few responses"."""
    import subprocess
    import sys

    script = tour_script((ROOT / "README.md").read_text(encoding="utf-8"))
    done = subprocess.run([sys.executable, "-m", "bots.cli", "chat"], input=script, cwd=tmp_path,
                          capture_output=True, text=True, timeout=180, check=False,
                          env={**__import__("os").environ, "PYTHONPATH": str(ROOT),
                               "XDG_STATE_HOME": str(tmp_path / "state")})
    assert done.returncode == 0, done.stderr[-2000:]
    results = done.stdout.rsplit("anna: /hartslag pulse results 1", 1)[-1]
    assert "Deelname: 5 van 6" in results and "Gemiddeld **3.6** (5 antwoorden)" in results
    assert "Te weinig" not in results
