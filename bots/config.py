"""Configuration: ``config.example.toml`` documents every key; this module loads a TOML file
into typed, frozen models, applies environment overrides, and turns every problem into one
line that names the key (``slack.signing_secret: missing``).

Environment overrides: ``HARTSLAG_<SECTION>_<KEY>`` (upper case) replaces ``[section] key``;
that is how secrets are meant to arrive. ``HARTSLAG_CONFIG`` names the file when ``--config``
is not given.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_origin

from pydantic import ValidationError, field_validator, model_validator

from bots.local.settings import LocalSettings
from bots.matrix.settings import MatrixSettings
from bots.settings_base import Section
from bots.slack.settings import SlackSettings
from bots.teams.settings import TeamsSettings
from commands.announcements.settings import AnnouncementSettings
from commands.i18n import LOCALES
from commands.notices.settings import HookSettings
from commands.privacy.settings import PrivacySettings
from commands.pulse.settings import PulseSettings
from commands.settings import SettingsBag
from commands.signals.settings import SignalSettings
from commands.verbinden.settings import VerbindenSettings
from commands.wheres.settings import WheresSettings
from scheduling.settings import DeliverySettings, SchedulerSettings

ENV_PREFIX = "HARTSLAG_"


MAX_WORKERS = 32


class ConfigError(Exception):
    """One line for the operator: which key, what is wrong."""


class StorageSettings(Section):
    url: str = "sqlite:///./hartslag.db"

    @field_validator("url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql", "postgres")):
            raise ValueError("use sqlite:///path.db or postgresql://user@host/db")
        return value


class ServerSettings(Section):
    host: str = "127.0.0.1"
    port: int = 8080
    # Extra HTTP worker processes sharing the port (bots/workers.py): 0 = one process.
    workers: int = 0

    @field_validator("port")
    @classmethod
    def _port_range(cls, value: int) -> int:
        if not 0 <= value <= 65535:
            raise ValueError("must be between 0 and 65535")
        return value

    @field_validator("workers")
    @classmethod
    def _workers_range(cls, value: int) -> int:
        if not 0 <= value <= MAX_WORKERS:
            raise ValueError(f"must be between 0 and {MAX_WORKERS} (0: one process)")
        return value

    @property
    def is_loopback(self) -> bool:
        from bots.server import is_loopback  # the HTTP stack loads only when asked

        return is_loopback(self.host)


class LocaleSettings(Section):
    default: str = "nl"

    @field_validator("default")
    @classmethod
    def _supported(cls, value: str) -> str:
        if value not in LOCALES:
            raise ValueError(f"must be one of {', '.join(LOCALES)}")
        return value


class RoleSettings(Section):
    """People are written ``platform:id``. Managers are given per team."""

    admin: list[str] = []
    comms: list[str] = []
    triage: list[str] = []
    managers: dict[str, list[str]] = {}

    @model_validator(mode="after")
    def _people(self) -> RoleSettings:
        lists = {"admin": self.admin, "comms": self.comms, "triage": self.triage}
        lists |= {f"managers.{team}": people for team, people in self.managers.items()}
        for key, people in lists.items():
            for person in people:
                if ":" not in person:
                    raise ValueError(f"{key}: {person!r} is not platform:id (e.g. slack:U0123)")
        return self


class LoggingSettings(Section):
    level: str = "INFO"
    format: str = "json"  # json | text

    @field_validator("level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @field_validator("format")
    @classmethod
    def _format(cls, value: str) -> str:
        if value not in ("json", "text"):
            raise ValueError("must be json or text")
        return value


class Config(Section):
    storage: StorageSettings = StorageSettings()
    server: ServerSettings = ServerSettings()
    locale: LocaleSettings = LocaleSettings()
    logging: LoggingSettings = LoggingSettings()
    roles: RoleSettings = RoleSettings()
    local: LocalSettings = LocalSettings()
    slack: SlackSettings = SlackSettings()
    teams: TeamsSettings = TeamsSettings()
    matrix: MatrixSettings = MatrixSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    delivery: DeliverySettings = DeliverySettings()
    announcements: AnnouncementSettings = AnnouncementSettings()
    signals: SignalSettings = SignalSettings()
    pulse: PulseSettings = PulseSettings()
    wheres: WheresSettings = WheresSettings()
    verbinden: VerbindenSettings = VerbindenSettings()
    hooks: HookSettings = HookSettings()
    privacy: PrivacySettings = PrivacySettings()

    @model_validator(mode="after")
    def _workers_share(self) -> Config:
        """HTTP workers are separate processes: they must find the same database and derive
        the same pulse voter keys as the primary."""
        if not self.server.workers:
            return self
        url = self.storage.url
        if url.startswith("sqlite") and (":memory:" in url or url.rstrip("/") in (
                "sqlite:", "sqlite+aiosqlite:")):
            raise ValueError("server.workers: needs a database file or PostgreSQL "
                             "(storage.url is in memory)")
        if not (self.pulse.key or self.pulse.key_file):
            raise ValueError("server.workers: set pulse.key_file (or HARTSLAG_PULSE_KEY) so "
                             "every process derives the same voter keys")
        return self

    @model_validator(mode="after")
    def _teams_dev_switch(self) -> Config:
        if self.teams.enabled and self.teams.dangerously_skip_auth and not self.server.is_loopback:
            raise ValueError(
                "teams.dangerously_skip_auth: refused because server.host is not a loopback "
                "address; it is for local development only"
            )
        return self

    def settings_bag(self) -> SettingsBag:
        """Every section, for ``ctx.settings.get(Model)``."""
        return SettingsBag(getattr(self, name) for name in type(self).model_fields)


def _apply_env(data: dict[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    merged = {k: dict(v) if isinstance(v, dict) else v for k, v in data.items()}
    for section, model in Config.model_fields.items():
        fields = getattr(model.annotation, "model_fields", {})
        for name, field in fields.items():
            value = env.get(f"{ENV_PREFIX}{section}_{name}".upper())
            if value is None:
                continue
            target = merged.setdefault(section, {})
            if not isinstance(target, dict):
                continue
            target[name] = _env_value(field.annotation, value)
    return merged


def _env_value(annotation: Any, value: str) -> Any:
    """An environment string for a key of type ``annotation``: booleans as words, lists and
    tables as JSON (a list may also be written comma-separated: ``local:anna,slack:U1``)."""
    if annotation is bool:
        return value.strip().lower() in ("1", "true", "yes", "on")
    origin = get_origin(annotation)
    if origin in (list, dict):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            if origin is list:
                return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _format_error(error: Mapping[str, Any]) -> str:
    loc = ".".join(str(part) for part in error.get("loc", ()))
    message = str(error.get("msg", "invalid"))
    message = message.removeprefix("Value error, ")
    head, sep, rest = message.partition(": ")
    if sep and head.replace("_", "").replace(".", "").isalnum() and " " not in head:
        loc = f"{loc}.{head}" if loc else head
        message = rest
    if error.get("type") == "extra_forbidden":
        message = "unknown key (a typo? see config.example.toml)"
    return f"{loc}: {message}" if loc else message


def parse_config(data: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Config:
    try:
        return Config.model_validate(_apply_env(dict(data), env if env is not None else os.environ))
    except ValidationError as exc:
        raise ConfigError(_format_error(exc.errors()[0])) from None


def load_config(path: Path | None, env: Mapping[str, str] | None = None) -> Config:
    """Load ``path`` (or embedded defaults when None). Raises ConfigError with one line."""
    env = env if env is not None else os.environ
    if path is None and env.get(f"{ENV_PREFIX}CONFIG"):
        path = Path(env[f"{ENV_PREFIX}CONFIG"])
    if path is None:
        return parse_config(DEMO_DEFAULTS, env)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config: file {path} not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config: {path} is not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"config: cannot read {path} ({exc.strerror})") from None
    return parse_config(data, env)


# With no config file at all, hartslag runs on SQLite and the local chat with a few demo
# people who hold roles, so a newcomer can try every feature at once.
DEMO_DEFAULTS: dict[str, Any] = {
    "roles": {
        "admin": ["local:anna"],
        "comms": ["local:anna", "local:bram"],
        "triage": ["local:tess"],
        "managers": {"demo": ["local:mila"]},
    },
    "local": {
        "channels": {
            "#algemeen": ["anna", "bram", "tess", "mila", "joost", "sara", "omar", "lisa",
                          "noor", "daan"],
            "#demo": ["mila", "joost", "sara", "omar", "lisa", "noor", "daan"],
        }
    },
    # Team "demo" for pulses and summaries: the people of #demo, managed by mila. Six
    # respondents besides the manager, so a demo pulse reaches the minimum group size (k = 5)
    # and shows its results (with four, as before, it never could).
    "pulse": {
        "teams": {
            "demo": {"members": ["local:joost", "local:sara", "local:omar", "local:lisa",
                                 "local:noor", "local:daan", "local:mila"],
                     "managers": ["local:mila"]},
        }
    },
}
