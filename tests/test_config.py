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
    ("word", "expected"),
    [("true", True), ("TRUE", True), (" yes ", True), ("On", True), ("1", True),
     # Words pydantic itself would read as true, or refuse: false, as they always were here.
     ("y", False), ("t", False), ("nope", False), ("", False), ("false", False), ("0", False)],
)
def test_environment_booleans_are_words(word: str, expected: bool) -> None:
    config = parse_config({"verbinden": {"group_conversations": not expected}},
                          env={"HARTSLAG_VERBINDEN_GROUP_CONVERSATIONS": word})
    assert config.verbinden.group_conversations is expected


def test_environment_beats_the_file_and_replaces_a_table_whole() -> None:
    data = {"server": {"host": "0.0.0.0", "port": 9000},
            "roles": {"managers": {"zorg": ["local:mila"]}}}
    config = parse_config(data, env={"HARTSLAG_SERVER_PORT": "9100",
                                     "HARTSLAG_ROLES_MANAGERS": '{"ict": ["local:omar"]}'})
    assert (config.server.host, config.server.port) == ("0.0.0.0", 9100)  # file, then env
    assert config.roles.managers == {"ict": ["local:omar"]}  # not merged with the file's
    assert config.server.workers == 0  # neither: the default


def test_environment_lists_of_any_kind_take_json_or_commas() -> None:
    config = parse_config({}, env={"HARTSLAG_SIGNALS_CATEGORIES": "werkdruk, ICT",
                                   "HARTSLAG_SIGNALS_TEAMS": '["zorg"]',
                                   "HARTSLAG_VERBINDEN_SKIP_DATES": "2026-12-25,2026-12-26",
                                   "HARTSLAG_HOOKS_WORKING_DAYS": "[0, 2]"})
    assert config.signals.categories == ("werkdruk", "ICT")
    assert config.signals.teams == ("zorg",)
    assert [d.isoformat() for d in config.verbinden.skip_dates] == ["2026-12-25", "2026-12-26"]
    assert config.hooks.working_days == [0, 2]


def test_other_hartslag_variables_are_ignored() -> None:
    """A hook's secret_env, test switches, a section without a key, a key nobody has and a
    name not in upper case all leave the config as it is."""
    env = {"HARTSLAG_HOOK_TOPDESK_SECRET": "s", "HARTSLAG_HOOKS_TOPDESK_SECRET": "s",
           "HARTSLAG_TEST_POSTGRES_URL": "postgresql://x", "HARTSLAG_SLACK": "{}",
           "HARTSLAG_SLACK_TYPO": "x", "HARTSLAG_PULSE_TEAMS_DEMO_MEMBERS": "local:x",
           "hartslag_storage_url": "sqlite:///lower.db", "HARTSLAG_storage_url": "sqlite:///m.db",
           "HARTSLAG_CONFIG": "elsewhere.toml"}
    assert parse_config({}, env=env) == parse_config({}, env={})


def test_only_the_given_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """The overlay hands pydantic-settings its own variables (EnvSettingsSource's
    ``_load_env_vars``); a pydantic-settings release that stops calling that hook would read
    os.environ instead and fail here."""
    monkeypatch.setenv("HARTSLAG_STORAGE_URL", "sqlite:///from-os-environ.db")
    assert parse_config({}, env={}).storage.url == "sqlite:///./hartslag.db"
    assert parse_config({}, env={"HARTSLAG_STORAGE_URL": "sqlite:///given.db"}).storage.url == (
        "sqlite:///given.db")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"HARTSLAG_ROLES_MANAGERS": "{zorg"}, "roles.managers: Input should be a valid dictionary"),
        ({"HARTSLAG_ROLES_ADMIN": "null"}, "roles.admin: Input should be a valid list"),
        ({"HARTSLAG_SERVER_PORT": "eighty"}, "server.port: Input should be a valid integer"),
    ],
)
def test_bad_environment_values_name_the_key(env: dict, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({}, env=env)
    assert str(caught.value).startswith(message), str(caught.value)


@pytest.mark.parametrize(
    ("data", "env", "message"),
    [
        # The whole range, the value given and what the field's description adds.
        ({"server": {"port": 70000}}, {}, "server.port: must be between 0 and 65535 (got 70000)"),
        ({}, {"HARTSLAG_SERVER_PORT": "99999"},
         "server.port: must be between 0 and 65535 (got 99999)"),
        ({"server": {"workers": -1}}, {},
         "server.workers: must be between 0 and 32 (got -1; 0 = one process)"),
        ({"signals": {"digest_weekday": 7}}, {},
         "signals.digest_weekday: must be between 0 and 6 (got 7; 0 = Monday, 6 = Sunday)"),
        ({"wheres": {"min_confidence": 1.5}}, {},
         "wheres.min_confidence: must be between 0 and 1 (got 1.5)"),
        ({"announcements": {"max_targets": 0}}, {},
         "announcements.max_targets: must be >= 1 (got 0)"),
        ({"privacy": {"sent_ids_days": 0}}, {}, "privacy.sent_ids_days: must be >= 1 (got 0)"),
        ({"delivery": {"rate_headroom": 0}}, {},
         "delivery.rate_headroom: must be > 0 and <= 1 (got 0)"),
        # Inside a table of models: the field is still found.
        ({"delivery": {"limits": {"slack": {"channel_burst": 0}}}}, {},
         "delivery.limits.slack.channel_burst: must be >= 1 (got 0)"),
    ],
)
def test_range_errors_read_as_one_line(data: dict, env: dict, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(data, env=env)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("data", "env", "message"),
    [
        ({"slack": {"enabled": True, "signing_secret": "s"}}, {}, "slack.bot_token: missing"),
        ({"slack": {"enabled": True}}, {"HARTSLAG_SLACK_BOT_TOKEN": "xoxb"},
         "slack.signing_secret: missing"),
        ({"server": {"port": "eighty"}}, {}, "server.port:"),
        ({"server": {"port": 70000}}, {}, "server.port: must be between 0 and 65535"),
        ({"locale": {"default": "de"}}, {}, "locale.default: must be one of nl, en"),
        # Every platform's default language is checked alike (a typo never falls back quietly).
        ({"slack": {"default_locale": "fr"}}, {}, "slack.default_locale: must be one of nl, en"),
        ({"teams": {"default_locale": "NL"}}, {}, "teams.default_locale: must be one of nl, en"),
        ({"matrix": {"default_locale": "de"}}, {}, "matrix.default_locale: must be one of nl, en"),
        ({"local": {"default_locale": "eng"}}, {}, "local.default_locale: must be one of nl, en"),
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


def test_teams_are_read_from_org_and_still_from_the_older_pulse_section(
        caplog: pytest.LogCaptureFixture) -> None:
    """Issue 21: teams live in [org.teams]; [pulse.teams] configs keep working, with a
    warning, and a config with both is refused rather than guessed at."""
    team = {"members": ["local:a"], "managers": ["local:m"]}
    assert parse_config({"org": {"teams": {"zorg": team}}}, env={}).org.teams["zorg"].members == [
        "local:a"]
    with caplog.at_level("WARNING", logger="hartslag.config"):
        old = parse_config({"pulse": {"k": 6, "teams": {"zorg": team}}}, env={})
    assert old.org.teams["zorg"].managers == ["local:m"] and old.pulse.k == 6
    assert "[pulse.teams] is read as [org.teams]" in caplog.text
    with pytest.raises(ConfigError, match="both"):
        parse_config({"org": {"teams": {"a": team}}, "pulse": {"teams": {"b": team}}}, env={})
    with pytest.raises(ConfigError, match="no team 'nergens'"):
        parse_config({"org": {"teams": {"a": {"parent": "nergens"}}}}, env={})
