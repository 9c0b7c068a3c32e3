"""The Slack adapter (slack-bolt AsyncApp; HTTP or Socket Mode).

``bots.config`` imports ``bots.slack.settings``, which runs this file first: the SDK is
imported inside ``build_adapter`` so a deployment without Slack never loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bots.adapter import AdapterDeps
    from bots.slack.adapter import SlackAdapter
    from bots.slack.settings import SlackSettings


def build_adapter(settings: SlackSettings, deps: AdapterDeps) -> SlackAdapter:
    """The Slack adapter for the composition root (``bots/app.py``)."""
    from bots.slack.adapter import SlackAdapter

    return SlackAdapter(settings, deps)


__all__ = ["build_adapter"]
