"""Outbound credentials: a certificate goes to MSAL with its thumbprint (and the certificate
for subject-name/issuer auth), per tenant, off the event loop; a secret goes to the SDK."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bots.teams import credentials
from bots.teams.credentials import CertificateTokenProvider

PEM = "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n" \
      "-----BEGIN CERTIFICATE-----\ndef\n-----END CERTIFICATE-----\n"


class FakeMsal:
    made: list[dict[str, Any]] = []

    def __init__(self, client_id: str, *, client_credential: dict[str, Any],
                 authority: str) -> None:
        FakeMsal.made.append({"client_id": client_id, "credential": client_credential,
                              "authority": authority})

    def acquire_token_for_client(self, scopes: list[str]) -> dict[str, Any]:
        return {"access_token": f"token-for-{scopes[0]}"}


async def test_certificate_token_provider(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pem = tmp_path / "bot.pem"
    pem.write_text(PEM)
    monkeypatch.setattr(credentials, "ConfidentialClientApplication", FakeMsal)
    FakeMsal.made.clear()
    provider = CertificateTokenProvider(app_id="app", certificate_path=str(pem),
                                        thumbprint="AB:CD:EF", login_endpoint="https://login/",
                                        default_tenant="tenant-1")
    assert await provider("https://api.botframework.com/.default", None) == (
        "token-for-https://api.botframework.com/.default")
    await provider(["scope"], "tenant-1")
    await provider("scope", "other")
    assert [m["authority"] for m in FakeMsal.made] == ["https://login/tenant-1",
                                                       "https://login/other"]
    credential = FakeMsal.made[0]["credential"]
    assert credential["thumbprint"] == "ABCDEF" and credential["public_certificate"] == PEM


def test_settings_take_a_secret_or_a_certificate() -> None:
    from pydantic import ValidationError

    from bots.teams.settings import TeamsSettings

    TeamsSettings(enabled=True, app_id="a", app_password="s")
    TeamsSettings(enabled=True, app_id="a", certificate_path="c.pem", certificate_thumbprint="t")
    bads: tuple[dict[str, Any], ...] = (
        {"app_id": "a"}, {"app_id": "a", "certificate_path": "c.pem"},
        {"app_id": "a", "app_password": "s", "certificate_path": "c",
         "certificate_thumbprint": "t"},
        {"app_password": "s"}, {"app_id": "a", "app_password": "s", "cloud": "mars"},
        {"app_id": "a", "app_password": "s", "default_locale": "fr"})
    for bad in bads:
        with pytest.raises(ValidationError):
            TeamsSettings.model_validate({"enabled": True, **bad})
