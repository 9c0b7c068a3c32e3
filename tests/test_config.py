"""The example config loads; every kind of bad config gives one line naming the key."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bots.config import Config, ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parents[1]


def test_example_config_loads_and_documents_every_core_key() -> None:
    config = load_config(ROOT / "config.example.toml", env={})
    assert isinstance(config, Config)
    data = tomllib.loads((ROOT / "config.example.toml").read_text())
    for section in ("storage", "server", "locale", "logging", "roles", "local"):
        model = type(getattr(config, section))
        documented = set(data[section])
        assert set(model.model_fields) <= documented, f"[{section}] keys missing in the example"


def test_no_file_gives_the_embedded_demo_defaults() -> None:
    config = load_config(None, env={})
    assert config.storage.url == "sqlite:///./hartslag.db"
    assert config.local.enabled and not config.slack.enabled
    assert "local:anna" in config.roles.admin


def test_environment_overrides_lists_and_tables() -> None:
    config = parse_config({}, env={"HARTSLAG_ROLES_ADMIN": "local:anna, slack:U0ANNA",
                                   "HARTSLAG_ROLES_COMMS": '["teams:x"]',
                                   "HARTSLAG_ROLES_MANAGERS": '{"zorg": ["local:mila"]}'})
    assert config.roles.admin == ["local:anna", "slack:U0ANNA"]
    assert config.roles.comms == ["teams:x"]
    assert config.roles.managers == {"zorg": ["local:mila"]}


def test_environment_overrides_a_key() -> None:
    config = parse_config({}, env={"HARTSLAG_STORAGE_URL": "sqlite:///other.db",
                                   "HARTSLAG_SLACK_ENABLED": "false"})
    assert config.storage.url == "sqlite:///other.db"


@pytest.mark.parametrize(
    ("data", "env", "message"),
    [
        ({"slack": {"enabled": True, "signing_secret": "s"}}, {}, "slack.bot_token: missing"),
        ({"slack": {"enabled": True}}, {"HARTSLAG_SLACK_BOT_TOKEN": "xoxb"},
         "slack.signing_secret: missing"),
        ({"server": {"port": "eighty"}}, {}, "server.port:"),
        ({"server": {"port": 70000}}, {}, "server.port: must be between 0 and 65535"),
        ({"locale": {"default": "de"}}, {}, "locale.default: must be one of nl, en"),
        ({"storage": {"url": "mysql://x"}}, {}, "storage.url: use sqlite"),
        ({"storage": {"urll": "x"}}, {}, "storage.urll: unknown key"),
        ({"roles": {"comms": ["anna"]}}, {}, "roles.comms: 'anna' is not platform:id"),
        ({"matrix": {"enabled": True, "homeserver": "http://x", "user_id": "@b:x"}}, {},
         "matrix.access_token: missing"),
        ({"teams": {"enabled": True, "app_id": "a", "dangerously_skip_auth": True},
          "server": {"host": "0.0.0.0"}}, {}, "teams.dangerously_skip_auth: refused"),
        ({"server": {"workers": 40}}, {}, "server.workers: must be between 0 and 32"),
        ({"server": {"workers": 2}, "storage": {"url": "sqlite:///:memory:"},
          "pulse": {"key_file": "k"}}, {}, "server.workers: needs a database file"),
        ({"server": {"workers": 2}}, {}, "server.workers: set pulse.key_file"),
    ],
)
def test_bad_config_names_the_key(data: dict, env: dict, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(data, env=env)
    text = str(caught.value)
    assert text.startswith(message), text
    assert "\n" not in text


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml", env={})
    broken = tmp_path / "broken.toml"
    broken.write_text("[storage\nurl = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(broken, env={})


def test_cli_exits_2_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[slack]\nenabled = true\nsigning_secret = "x"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARTSLAG_")}
    result = subprocess.run(
        [sys.executable, "-m", "bots.cli", "--config", str(bad), "db", "status"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "hartslag: slack.bot_token: missing (set HARTSLAG_SLACK_BOT_TOKEN)"
    ]
