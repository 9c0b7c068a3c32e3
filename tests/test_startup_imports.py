"""Every ``hartslag`` command starts by building the whole CLI (every feature's parser and
settings): the heavy libraries only some commands need must not be imported on that path.
matplotlib (charts), matrix-nio (the Matrix adapter) and numpy (the FAQ matcher) cost
seconds of start-up on a loaded machine (benchmarks/import_team.py's ``startup_s``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("matplotlib", "nio", "numpy")

_PROBE = """
import json, runpy, sys
sys.argv = ["hartslag", "--help"]
try:
    runpy.run_module("bots.cli", run_name="__main__")
except SystemExit:
    pass
print(json.dumps(sorted({name.partition(".")[0] for name in sys.modules})))
"""


def _loaded_after_help() -> set[str]:
    done = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    last_line = done.stdout.strip().splitlines()[-1]
    return set(json.loads(last_line))


def test_cli_start_up_leaves_the_heavy_libraries_out() -> None:
    loaded = _loaded_after_help()
    assert "bots" in loaded  # the probe really ran the CLI
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_a_chart_still_loads_matplotlib_on_first_use() -> None:
    from commands.charts import PNG_SIGNATURE, bars_png

    assert bars_png({"ja": 2, "nee": 1}).startswith(PNG_SIGNATURE)
    assert "matplotlib.figure" in sys.modules
