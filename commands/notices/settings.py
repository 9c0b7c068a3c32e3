"""``[hooks]`` settings: the work systems that may post to ``/hooks/<source>`` and the default
quiet hours and digest time of people who chose none."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from commands.templating import TemplateError, TemplateRenderer

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
_RENDERER = TemplateRenderer()


def check_time(value: str) -> str:
    if not _TIME.match(value):
        raise ValueError(f"{value!r} is not a time like 08:30")
    return value


def check_quiet(value: str) -> str:
    start, sep, end = value.partition("-")
    if not sep:
        raise ValueError(f"{value!r} is not a range like 18:00-08:00")
    check_time(start)
    check_time(end)
    return value


class HookSource(BaseModel):
    """One work system. Auth: ``secret_env`` (HMAC-SHA256 signature) or ``token_env``
    (bearer token): each names the environment variable that holds the secret."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    secret_env: str = ""
    token_env: str = ""
    template: str
    to: Literal["person", "channel", "audience"] = "person"
    person_field: str = "email"  # dotted path in the payload: e-mail or employee id
    channel: str = ""  # platform:channel-id, for to = "channel"
    audience: str = ""  # an announcements audience, for to = "audience"
    event_id_field: str = "id"  # dotted path; a hash of the payload when absent
    urgent_field: str = "urgent"  # dotted path; true bypasses quiet hours and digests
    label: str = "melding"  # the noun in a digest ("3 nieuwe poststukken")
    label_plural: str = "meldingen"

    @field_validator("template")
    @classmethod
    def _compiles(cls, value: str) -> str:
        """A template that cannot compile would fail every event of the source (422 each
        time); refuse it at start, with its line. Rendering with no variables compiles it
        (syntax, unknown filters and tests) and stops at the first variable, harmlessly."""
        try:
            _RENDERER.render(value, {})
        except TemplateError as exc:
            if exc.problem.kind in ("syntax", "too_long"):
                where = f" on line {exc.problem.line}" if exc.problem.line else ""
                raise ValueError(f"template error{where}: {exc.problem.reason}") from None
        return value

    @model_validator(mode="after")
    def _auth_and_route(self) -> HookSource:
        if not self.secret_env and not self.token_env:
            raise ValueError("secret_env: missing (or token_env): every source must authenticate")
        if self.to == "channel" and not self.channel:
            raise ValueError("channel: missing for to = \"channel\" (e.g. slack:C0123)")
        if self.to == "audience" and not self.audience:
            raise ValueError("audience: missing for to = \"audience\"")
        return self


class HookSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    max_body_bytes: int = 65_536
    timestamp_window_s: int = 300
    default_digest_time: str = "08:30"
    default_quiet: str = "18:00-08:00"
    working_days: list[int] = [0, 1, 2, 3, 4]  # Monday = 0; other days are quiet all day
    timezone: str = "Europe/Amsterdam"
    # Order in which a person's platforms are tried for a direct message.
    platforms: list[str] = ["slack", "teams", "matrix", "local"]
    sources: dict[str, HookSource] = {}

    @field_validator("default_digest_time")
    @classmethod
    def _digest(cls, value: str) -> str:
        return check_time(value)

    @field_validator("default_quiet")
    @classmethod
    def _quiet(cls, value: str) -> str:
        return check_quiet(value)

    @field_validator("sources")
    @classmethod
    def _names(cls, value: dict[str, HookSource]) -> dict[str, HookSource]:
        for name in value:
            if not _NAME.match(name):
                raise ValueError(f"{name!r}: source names are lower case letters, digits, - and _")
        return value
