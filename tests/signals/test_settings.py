"""``[signals]`` is documented in the example config, validated with the key named, and its
secrets arrive from the environment without being shown."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bots.config import ConfigError, load_config, parse_config
from commands.signals.settings import SignalSettings

ROOT = Path(__file__).resolve().parents[2]


def test_example_config_documents_every_signals_key() -> None:
    config = load_config(ROOT / "config.example.toml", env={})
    documented = tomllib.loads((ROOT / "config.example.toml").read_text())["signals"]
    assert set(SignalSettings.model_fields) == set(documented)
    assert config.signals.retention_months == 12


def test_secrets_come_from_the_environment_and_are_never_shown() -> None:
    config = parse_config({}, env={"HARTSLAG_SIGNALS_RELAY_KEY": "k1,k2",
                                   "HARTSLAG_SIGNALS_HMAC_SECRET": "s3cret"})
    assert config.signals.relay_key.get_secret_value() == "k1,k2"
    assert "s3cret" not in repr(config) and "k1,k2" not in str(config.signals)


@pytest.mark.parametrize(("values", "message"), [
    ({"max_length": 10}, "signals.max_length: must be between 100 and 20000"),
    ({"categories": ["a", "A"]}, "signals.categories: names must be unique"),
    ({"digest_time": "9 uur"}, "signals.digest_time: must be HH:MM"),
    ({"retention_months": 0}, "signals.retention_months: must be between 1 and 120"),
    ({"relay_keyy": "x"}, "signals.relay_keyy: unknown key"),
])
def test_bad_settings_name_the_key(values: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"signals": values}, env={})
    assert str(caught.value).startswith(message), str(caught.value)


def test_keygen_prints_a_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARTSLAG_")}
    result = subprocess.run([sys.executable, "-m", "bots.cli", "signals", "keygen"],
                            capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip()) == 44
