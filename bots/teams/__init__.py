"""Microsoft Teams adapter (Teams SDK v2, ``microsoft-teams-apps``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bots.adapter import AdapterDeps
    from bots.teams.adapter import TeamsAdapter
    from bots.teams.settings import TeamsSettings


def build_adapter(settings: TeamsSettings, deps: AdapterDeps) -> TeamsAdapter:
    """The Teams adapter for the composition root (the SDK is imported only when enabled)."""
    from bots.teams.adapter import TeamsAdapter

    return TeamsAdapter(settings, deps)
