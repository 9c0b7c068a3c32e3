"""The local chat adapter (no account needed)."""

from __future__ import annotations

from bots.adapter import AdapterDeps
from bots.local.adapter import LocalAdapter
from bots.local.settings import LocalSettings


def build_adapter(settings: LocalSettings, deps: AdapterDeps) -> LocalAdapter:
    return LocalAdapter(settings)


__all__ = ["LocalAdapter", "build_adapter"]
