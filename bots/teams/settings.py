"""``[teams]`` settings."""

from __future__ import annotations

from pydantic import field_validator, model_validator

from bots.settings_base import LocaleOrEmpty, Section

CLOUDS = ("public", "usgov", "usgovdod", "china")


class TeamsSettings(Section):
    """The bot's Entra (Azure AD) app registration and how it behaves in Teams.

    Credentials: either ``app_password`` (a client secret) or ``certificate_path`` +
    ``certificate_thumbprint`` (a certificate uploaded to the app registration).
    """

    enabled: bool = False
    app_id: str = ""
    app_password: str = ""  # secret: HARTSLAG_TEAMS_APP_PASSWORD
    certificate_path: str = ""  # PEM file with the private key (and certificate)
    certificate_thumbprint: str = ""  # SHA-1 hex of the certificate, as the Azure portal shows
    tenant_id: str = ""  # single-tenant apps (government tenants): the directory id
    default_locale: LocaleOrEmpty = ""  # "nl" or "en"; empty: the root [locale] default
    cloud: str = "public"  # public | usgov | usgovdod | china
    universal_actions: bool = False  # buttons as Action.Execute (invoke) instead of Action.Submit
    # Development only: skip inbound token validation. Refused unless server.host is loopback.
    dangerously_skip_auth: bool = False

    @field_validator("cloud")
    @classmethod
    def _cloud(cls, value: str) -> str:
        if value.lower() not in CLOUDS:
            raise ValueError(f"must be one of {', '.join(CLOUDS)}")
        return value.lower()

    @model_validator(mode="after")
    def _complete(self) -> TeamsSettings:
        if not self.enabled:
            return self
        if not self.app_id:
            raise ValueError("app_id: missing (the bot's Microsoft app id)")
        if self.certificate_path and not self.certificate_thumbprint:
            raise ValueError("certificate_thumbprint: missing (needed with certificate_path)")
        if self.app_password and self.certificate_path:
            raise ValueError("app_password: give either app_password or certificate_path, not both")
        if not (self.app_password or self.certificate_path) and not self.dangerously_skip_auth:
            raise ValueError(
                "app_password: missing (set HARTSLAG_TEAMS_APP_PASSWORD or certificate_path)"
            )
        return self
