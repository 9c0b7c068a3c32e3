"""Configuration: ``config.example.toml`` documents every key; this module loads a TOML file
into typed, frozen models, applies environment overrides, and turns every problem into one
line that names the key (``slack.signing_secret: missing``).

The platform's sections are declared here (``CoreConfig``); each feature's section comes
from its manifest (``Feature.settings``, commands/features.py), added by ``config_model``.

Environment overrides: ``HARTSLAG_<SECTION>_<KEY>`` (upper case) replaces ``[section] key``;
that is how secrets are meant to arrive. pydantic-settings reads them (``_SectionEnv``):
booleans as words, lists and tables as JSON, a list also comma-separated. ``HARTSLAG_CONFIG``
names the file when ``--config`` is not given.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast, get_args, get_origin

from pydantic import (
    BaseModel,
    Field,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, EnvSettingsSource

from bots.local.settings import LocalSettings
from bots.matrix.settings import MatrixSettings
from bots.settings_base import Section
from bots.slack.settings import SlackSettings
from bots.teams.settings import TeamsSettings
from commands.feature import Feature
from commands.features import FEATURES
from commands.i18n import LOCALES
from commands.settings import SettingsBag
from scheduling.settings import DeliverySettings, SchedulerSettings

ENV_PREFIX = "HARTSLAG_"
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})  # environment booleans; other words: false


MAX_WORKERS = 32
M = TypeVar("M", bound=BaseModel)


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
    port: int = Field(default=8080, ge=0, le=65535)
    # Extra HTTP worker processes sharing the port (bots/workers.py).
    workers: int = Field(default=0, ge=0, le=MAX_WORKERS, description="0 = one process")

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


class CoreConfig(Section):
    """The platform's sections; ``config_model`` adds one per feature from its manifest."""

    features: ClassVar[tuple[Feature, ...]] = ()
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

    if TYPE_CHECKING:  # the features' sections (``config.pulse``), added by config_model
        def __getattr__(self, name: str) -> Any: ...

    @model_validator(mode="after")
    def _workers_share(self) -> CoreConfig:
        """HTTP workers are separate processes: they must find the same database and share
        what each feature's manifest says must be shared (``Feature.shared_check``)."""
        if not self.server.workers:
            return self
        url = self.storage.url
        if url.startswith("sqlite") and (":memory:" in url or url.rstrip("/") in (
                "sqlite:", "sqlite+aiosqlite:")):
            raise ValueError("server.workers: needs a database file or PostgreSQL "
                             "(storage.url is in memory)")
        bag = self.settings_bag()
        for feature in self.features:
            problem = feature.shared_check(bag) if feature.shared_check else None
            if problem:
                raise ValueError(problem)
        return self

    @model_validator(mode="after")
    def _teams_dev_switch(self) -> CoreConfig:
        if self.teams.enabled and self.teams.dangerously_skip_auth and not self.server.is_loopback:
            raise ValueError(
                "teams.dangerously_skip_auth: refused because server.host is not a loopback "
                "address; it is for local development only"
            )
        return self

    def settings_bag(self) -> SettingsBag:
        """Every section, for ``ctx.settings.get(Model)``."""
        return SettingsBag(getattr(self, name) for name in type(self).model_fields)

    def section(self, model: type[M]) -> M:
        """A section by its model, typed (``config.section(PulseSettings).key``)."""
        return self.settings_bag().get(model)


@cache
def config_model(features: tuple[Feature, ...]) -> type[CoreConfig]:
    """The config model: the platform's sections and one per feature with settings, named
    by its manifest. A section name used twice is a programming error, refused here."""
    sections: dict[str, Any] = {}
    for feature in features:
        name, model = feature.section_name, feature.settings
        if not name or model is None:
            continue
        if name in CoreConfig.model_fields or name in sections:
            raise ValueError(f"feature {feature.name}: section [{name}] is taken")
        sections[name] = (model, model())
    config = create_model("Config", __base__=CoreConfig, __module__=__name__, **sections)
    config.features = features
    return config


if TYPE_CHECKING:
    Config = CoreConfig
else:
    Config = config_model(FEATURES)


class _SectionEnv(EnvSettingsSource):
    """pydantic-settings reading ``HARTSLAG_<SECTION>_<KEY>`` for one section's keys.

    It reads the variables it is given (``parse_config(env=...)``, narrowed to the section's
    prefix and lower-cased), not ``os.environ``. Only the section's own keys are looked up,
    so other HARTSLAG_* variables stay ignored as before: a hook's secret_env,
    HARTSLAG_CONFIG, test switches, a typo. The value syntax is the one operators already use
    (see ``prepare_field_value`` and ``decode_complex_value``).
    """

    def __init__(self, model: type[BaseModel], prefix: str, env: dict[str, str | None]) -> None:
        self._environ = env
        # A section is a plain model, not a BaseSettings: the source reads only its
        # model_config and model_fields, and every option it would take from there is given.
        super().__init__(cast("type[BaseSettings]", model), case_sensitive=False,
                         env_prefix=prefix, env_nested_delimiter="", env_ignore_empty=False)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return self._environ

    def prepare_field_value(self, field_name: str, field: FieldInfo, value: Any,
                            value_is_complex: bool) -> Any:
        # Booleans as words: "1", "true", "yes", "on" (any case) are true, anything else is
        # false. pydantic would also read "y" and "t" as true and refuse other words, which
        # would flip or break values deployments use today.
        if field.annotation is bool and isinstance(value, str):
            return value.strip().lower() in TRUE_WORDS
        return super().prepare_field_value(field_name, field, value, value_is_complex)

    def decode_complex_value(self, field_name: str, field: FieldInfo, value: Any) -> Any:
        """Lists and tables as JSON; a list may also be written comma-separated
        (``local:anna,slack:U1``). Other text is passed on for validation to name the key."""
        try:
            decoded = super().decode_complex_value(field_name, field, value)
        except json.JSONDecodeError:
            if get_origin(field.annotation) in (list, tuple):
                return [part.strip() for part in value.split(",") if part.strip()]
            return value
        # JSON null would make the source skip the variable silently; validation reports it.
        return value if decoded is None else decoded


def _env_overlay(env: Mapping[str, str],
                 config: type[CoreConfig] = Config) -> dict[str, dict[str, Any]]:
    """``{section: {key: value}}`` for every ``HARTSLAG_<SECTION>_<KEY>`` set in ``env``."""
    overlay: dict[str, dict[str, Any]] = {}
    for section, field in config.model_fields.items():
        prefix = f"{ENV_PREFIX}{section}_".upper()
        # Upper-case names only, as before (the source matches lower-cased names). A section
        # with no variable gets no source: building one costs about 0.1 ms.
        names: dict[str, str | None] = {name.lower(): value for name, value in env.items()
                                        if name.startswith(prefix) and name == name.upper()}
        model = field.annotation
        if names and isinstance(model, type) and issubclass(model, BaseModel):
            values = _SectionEnv(model, prefix, names)()
            if values:
                overlay[section] = values
    return overlay


def _apply_env(data: dict[str, Any], env: Mapping[str, str],
               config: type[CoreConfig] = Config) -> dict[str, Any]:
    """Precedence environment > file > defaults. A variable replaces its key's whole value (a
    table given in the environment is not merged into the file's table)."""
    merged = dict(data)
    for section, values in _env_overlay(env, config).items():
        target = merged.get(section, {})
        if isinstance(target, Mapping):  # a section that is no table is reported by validation
            merged[section] = {**target, **values}
    return merged


_BOUND_ERRORS = {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}
_BOUND_WORDS = (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<="))


def _field_at(loc: Sequence[Any], config: type[CoreConfig] = Config) -> FieldInfo | None:
    """The field an error location names, through sections, tables and lists."""
    annotation: Any = config
    found: FieldInfo | None = None
    for part in loc:
        origin = get_origin(annotation)
        if origin in (dict, list, tuple):  # a table key or list index: into the value type
            annotation = get_args(annotation)[-1 if origin is dict else 0]
            continue
        fields = getattr(annotation, "model_fields", {})
        if part not in fields:
            return None
        found = fields[part]
        annotation = found.annotation
    return found


def _bound_message(error: Mapping[str, Any], config: type[CoreConfig] = Config) -> str:
    """A ``Field(ge=..., le=...)`` error as a person reads it: the whole allowed range (not
    only the bound that was crossed), the value given, and the field's description (what 0
    means, a unit) when it has one: ``must be between 0 and 32 (got 40; 0 = one process)``."""
    bounds = dict(error.get("ctx") or {})
    field = _field_at(error.get("loc", ()), config)
    for item in field.metadata if field else ():
        bounds |= {key: getattr(item, key) for key, _ in _BOUND_WORDS if hasattr(item, key)}
    if "ge" in bounds and "le" in bounds:
        text = f"must be between {bounds['ge']} and {bounds['le']}"
    else:
        text = "must be " + " and ".join(f"{word} {bounds[key]}" for key, word in _BOUND_WORDS
                                         if key in bounds)
    got = f"got {error.get('input')}"
    if field and field.description:
        got += f"; {field.description}"
    return f"{text} ({got})"


def _format_error(error: Mapping[str, Any], config: type[CoreConfig] = Config) -> str:
    loc = ".".join(str(part) for part in error.get("loc", ()))
    message = str(error.get("msg", "invalid"))
    message = message.removeprefix("Value error, ")
    head, sep, rest = message.partition(": ")
    if sep and head.replace("_", "").replace(".", "").isalnum() and " " not in head:
        loc = f"{loc}.{head}" if loc else head
        message = rest
    if error.get("type") == "extra_forbidden":
        message = "unknown key (a typo? see config.example.toml)"
    if error.get("type") in _BOUND_ERRORS:
        message = _bound_message(error, config)
    return f"{loc}: {message}" if loc else message


def parse_config(data: Mapping[str, Any], env: Mapping[str, str] | None = None, *,
                 features: Sequence[Feature] = FEATURES) -> Config:
    """``features``: whose sections the config has (default: the deployment's list)."""
    config = config_model(tuple(features))
    try:
        data = _upgrade(dict(data), features)
        return config.model_validate(_apply_env(data, env if env is not None else os.environ,
                                                config))
    except ValidationError as exc:
        raise ConfigError(_format_error(exc.errors()[0], config)) from None


def _upgrade(data: dict[str, Any], features: Sequence[Feature]) -> dict[str, Any]:
    """Older layouts of the file (a moved section) rewritten by the feature that moved it
    (``Feature.upgrade_config``); its ValueError is the operator's one line."""
    data = _matrix_template(data)
    for feature in features:
        if feature.upgrade_config is not None:
            try:
                data = feature.upgrade_config(data)
            except ValueError as exc:
                raise ConfigError(str(exc)) from None
    return data


def _matrix_template(data: dict[str, Any]) -> dict[str, Any]:
    """``[hooks] matrix_user_template`` (before issue 21) is ``[matrix] user_template``: the
    convention is the Matrix adapter's to apply, not the notices feature's."""
    hooks, matrix = data.get("hooks"), data.get("matrix", {})
    if not isinstance(hooks, Mapping) or "matrix_user_template" not in hooks:
        return data
    if not isinstance(matrix, Mapping):  # validation names what is wrong with [matrix]
        return data
    matrix = dict(matrix)
    matrix.setdefault("user_template", hooks["matrix_user_template"])
    rest = {k: v for k, v in hooks.items() if k != "matrix_user_template"}
    return {**data, "hooks": rest, "matrix": matrix}


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
    "org": {
        "teams": {
            "demo": {"members": ["local:joost", "local:sara", "local:omar", "local:lisa",
                                 "local:noor", "local:daan", "local:mila"],
                     "managers": ["local:mila"]},
        }
    },
}
