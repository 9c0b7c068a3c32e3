"""``[slack]`` settings."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from bots.settings_base import LocaleOrEmpty, Section
from commands.i18n import LOCALES


class SlackSettings(Section):
    enabled: bool = False
    bot_token: str = ""  # secret: HARTSLAG_SLACK_BOT_TOKEN
    signing_secret: str = ""  # secret: HARTSLAG_SLACK_SIGNING_SECRET
    app_token: str = ""  # secret: HARTSLAG_SLACK_APP_TOKEN (Socket Mode)
    socket_mode: bool = False
    api_base_url: str = ""  # default: Slack's own https://slack.com/api/
    default_locale: LocaleOrEmpty = ""
    workspace_locales: dict[str, str] = {}
    command: str = "/hartslag"
    events_path: str = "/slack/events"  # where Slack POSTs events, commands and interactions
    timeout_seconds: int = 10  # per Web API call
    # 429s answered by sleeping Retry-After before giving up
    rate_limit_retries: int = Field(default=2, ge=0, le=10)
    server_error_retries: int = Field(default=2, ge=0, le=10)  # 500/503 retries
    connection_retries: int = Field(default=2, ge=0, le=10)
    history_lookback: int = 200  # messages searched by find_delivery (crash reconciliation)

    @field_validator("command", "events_path")
    @classmethod
    def _slash(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with /")
        return value

    @field_validator("workspace_locales")
    @classmethod
    def _locales(cls, value: dict[str, str]) -> dict[str, str]:
        for team, locale in value.items():
            if locale not in LOCALES:
                raise ValueError(f"{team}: must be one of {', '.join(LOCALES)}")
        return value

    @model_validator(mode="after")
    def _complete(self) -> SlackSettings:
        if not self.enabled:
            return self
        if not self.bot_token:
            raise ValueError("bot_token: missing (set HARTSLAG_SLACK_BOT_TOKEN)")
        if self.socket_mode and not self.app_token:
            raise ValueError("app_token: missing, Socket Mode needs it (set HARTSLAG_SLACK_APP_TOKEN)")
        if not self.socket_mode and not self.signing_secret:
            raise ValueError("signing_secret: missing (set HARTSLAG_SLACK_SIGNING_SECRET)")
        return self
