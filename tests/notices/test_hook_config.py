"""Issue 18 finding 11: a hook source's template that cannot compile is refused at start,
with the source and the line, instead of failing every event of that source later."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bots.config import DEMO_DEFAULTS, ConfigError, parse_config

ROOT = Path(__file__).resolve().parents[2]


def hooks(template: str) -> dict[str, object]:
    data: dict[str, object] = {k: dict(v) if isinstance(v, dict) else v
                               for k, v in DEMO_DEFAULTS.items()}
    data["hooks"] = {"sources": {"corsa": {"secret_env": "CORSA_SECRET", "template": template}}}
    return data


@pytest.mark.parametrize(("template", "line", "reason"), [
    ("Poststuk {{ kenmerk }\nvan {{ afzender }}", 1, "unexpected '}'"),
    ("Poststuk {{ kenmerk }}\nvan {{ afzender | hoofdletters }}", 2, "No filter named"),
    ("{% if urgent %}\nSpoed: {{ kenmerk }}", 2, "Unexpected end of template"),
])
def test_a_template_that_cannot_compile_is_refused_with_source_and_line(
        template: str, line: int, reason: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(hooks(template), env={})
    message = str(caught.value)
    assert message.startswith(f"hooks.sources.corsa.template: template error on line {line}: ")
    assert reason in message


def test_templates_that_compile_are_accepted_even_with_variables_unknown_at_start() -> None:
    config = parse_config(hooks("{% if urgent %}**Spoed** {% endif %}{{ kenmerk | upper }}"),
                          env={})
    assert "corsa" in config.hooks.sources


def test_hartslag_run_refuses_to_start_and_says_where(tmp_path: Path) -> None:
    config = tmp_path / "hartslag.toml"
    config.write_text(
        f'[storage]\nurl = "sqlite:///{tmp_path / "h.db"}"\n[server]\nport = 0\n'
        '[hooks.sources.corsa]\nsecret_env = "CORSA_SECRET"\n'
        'template = """Poststuk {{ kenmerk }}\nvan {{ afzender }"""\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARTSLAG_")}
    env["PYTHONPATH"] = str(ROOT)
    try:
        done = subprocess.run([sys.executable, "-m", "bots.cli", "--config", str(config), "run"],
                              capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("hartslag run started with a broken hook template")
    assert done.returncode == 2, done.stderr[-1000:]
    assert "hooks.sources.corsa.template: template error on line 2" in done.stderr
    assert not (tmp_path / "h.db").exists()  # nothing stored
