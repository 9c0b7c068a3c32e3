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


def tour_script(text: str, marker: str = "pulse results") -> str:
    """A demo script of the docs: the ``printf`` block holding ``marker`` (the README's tour
    holds "pulse results"), as the script lines it pipes into ``hartslag chat``."""
    import shlex

    block = next(b for b in re.findall(r"^```\n(printf .*?)^```", text, re.DOTALL | re.M)
                 if marker in b)
    words = shlex.split(block.replace("\\\n", " ").split("|")[0])
    return "\n".join(words[2:]) + "\n"


def run_chat(script: str, tmp_path: Path) -> str:
    """Pipe a script into ``python -m bots.cli chat`` (as ``.venv/bin/hartslag chat`` runs it)
    in an empty folder with its own state directory, and return the transcript."""
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "bots.cli", "chat"], input=script, cwd=tmp_path,
                          capture_output=True, text=True, timeout=180, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT),
                               "XDG_STATE_HOME": str(tmp_path / "state")})
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_readme_tour_shows_pulse_results(tmp_path: Path) -> None:
    """Issue 20 #1: the demo team is big enough for the minimum group size, so the tour
    ends with results, not "too few responses"."""
    transcript = run_chat(tour_script((ROOT / "README.md").read_text(encoding="utf-8")), tmp_path)
    # The demo's past holds pulse 1 (bots/demo/history.py), so the tour's pulse is number 2.
    assert "**Concept van peiling 2**" in transcript
    assert "anna: /hartslag pulse results 2" in transcript, "the tour must read its own pulse"
    results = transcript.rsplit("anna: /hartslag pulse results 2", 1)[-1]
    assert "Deelname: 5 van 6" in results and "Gemiddeld **3.6** (5 antwoorden)" in results
    assert "Te weinig" not in results
