"""Outbound credentials: a client secret (the SDK's own MSAL flow) or a certificate.

The SDK has no certificate credential, but it accepts a token callback; this one uses MSAL's
certificate client-credentials flow (in a thread: MSAL is blocking) and lets MSAL cache tokens.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from msal import ConfidentialClientApplication


class CertificateTokenProvider:
    """``token(scope, tenant_id) -> access token`` for ``TokenCredentials``."""

    def __init__(self, *, app_id: str, certificate_path: str, thumbprint: str,
                 login_endpoint: str, default_tenant: str) -> None:
        self._app_id = app_id
        self._pem = Path(certificate_path).read_text(encoding="utf-8")
        self._thumbprint = thumbprint.replace(":", "").strip()
        self._login = login_endpoint.rstrip("/")
        self._default_tenant = default_tenant
        self._clients: dict[str, ConfidentialClientApplication] = {}

    def _client(self, tenant: str) -> ConfidentialClientApplication:
        client = self._clients.get(tenant)
        if client is None:
            credential: dict[str, Any] = {"private_key": self._pem, "thumbprint": self._thumbprint}
            if "BEGIN CERTIFICATE" in self._pem:
                credential["public_certificate"] = self._pem  # sends x5c (subject name/issuer)
            client = ConfidentialClientApplication(
                self._app_id, client_credential=credential,
                authority=f"{self._login}/{tenant}",
            )
            self._clients[tenant] = client
        return client

    async def __call__(self, scope: str | list[str], tenant_id: str | None) -> str:
        scopes = [scope] if isinstance(scope, str) else list(scope)
        client = self._client(tenant_id or self._default_tenant)
        result: dict[str, Any] = await asyncio.to_thread(client.acquire_token_for_client, scopes)
        token = result.get("access_token")
        if not token:
            raise RuntimeError(f"certificate token failed: {result.get('error', 'unknown')}")
        return str(token)
