"""``[slack]`` settings."""

from __future__ import annotations

from pydantic import model_validator

from bots.settings_base import Section


class SlackSettings(Section):
    enabled: bool = False
    bot_token: str = ""  # secret: HARTSLAG_SLACK_BOT_TOKEN
    signing_secret: str = ""  # secret: HARTSLAG_SLACK_SIGNING_SECRET
    app_token: str = ""  # secret: HARTSLAG_SLACK_APP_TOKEN (Socket Mode)
    socket_mode: bool = False
    api_base_url: str = ""  # default: Slack's own https://slack.com/api/
    default_locale: str = ""
    workspace_locales: dict[str, str] = {}
    command: str = "/hartslag"

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
