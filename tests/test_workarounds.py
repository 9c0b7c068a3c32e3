"""bots/workarounds.py against the installed prometheus_client and opentelemetry-api: the
internals each workaround relies on still exist, and each still takes effect. Both change
process-wide state that a library sets once, so each check runs in a fresh interpreter.
A failure here after an upgrade means a workaround broke: read its docstring before raising
the bound in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from bots import workarounds
from tests.support.bounds import bound_problems

ROOT = Path(__file__).resolve().parents[1]


def fresh(code: str, *, env: dict[str, str] | None = None) -> str:
    """Run ``code`` in a new interpreter; its stdout (fails the test on an error)."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_sdks_are_bounded_to_the_versions_the_workarounds_were_checked_on() -> None:
    assert bound_problems(workarounds.CHECKED) == []


def test_metric_values_go_to_files_once_the_directory_is_set(tmp_path: Path) -> None:
    out = fresh(f"""
        import os
        from prometheus_client import Counter, values
        assert values.ValueClass is values.MutexValue  # chosen at import, without the variable
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = {str(tmp_path)!r}
        from bots.workarounds import reselect_metric_values
        chosen = reselect_metric_values()
        assert chosen is values.ValueClass and chosen is not values.MutexValue
        Counter("hartslag_probe", "probe").inc()
        print(sorted(os.listdir({str(tmp_path)!r})))
    """, env={"PATH": "/usr/bin:/bin"})
    assert out.startswith("['counter_") and out.endswith(".db']")


def test_the_otel_placeholder_is_recognised_and_replaced() -> None:
    out = fresh(f"""
        from opentelemetry import metrics
        assert type(metrics.get_meter_provider()).__name__ == {workarounds.OTEL_PLACEHOLDER!r}
        from bots.workarounds import bounded_otel_meters
        assert bounded_otel_meters() is True
        assert isinstance(metrics.get_meter_provider(), metrics.NoOpMeterProvider)
        assert bounded_otel_meters() is False  # set once; a configured provider stays
        print("ok")
    """)
    assert out == "ok"


def test_the_placeholder_still_keeps_every_meter_it_hands_out() -> None:
    """The control: the leak the workaround prevents (if it is gone, so is the need)."""
    out = fresh("""
        import gc
        from opentelemetry import metrics
        def meters() -> int:
            gc.collect()
            return sum(type(o).__name__ == "_ProxyMeter" for o in gc.get_objects())
        before = meters()
        for _ in range(100):
            metrics.get_meter("probe").create_counter("calls")
        print(meters() - before)
    """)
    assert int(out) >= 100
