"""The app manifest asks for what the adapter uses, and the example config documents [slack]."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

from bots.config import load_config
from bots.slack.settings import SlackSettings

ROOT = Path(__file__).resolve().parents[2]


def test_manifest_matches_the_adapter() -> None:
    manifest = yaml.safe_load((ROOT / "bots/slack/manifest.yaml").read_text())
    settings = SlackSettings()
    command = manifest["features"]["slash_commands"][0]
    assert command["command"] == settings.command
    assert command["url"].endswith(settings.events_path)
    assert manifest["settings"]["interactivity"]["request_url"].endswith(settings.events_path)
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_mention", "message.im"}
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "im:write", "im:history", "app_mentions:read",
            "channels:read", "groups:read", "users:read", "files:write"} <= scopes
    assert "users:read.email" in scopes  # find_user_by_email for work-system notices
    assert "reactions:read" in scopes  # reaction_count for the announcement reach report
    assert "chat:write.customize" not in scopes  # not used: not asked for
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True


def test_example_config_documents_every_slack_key() -> None:
    data = tomllib.loads((ROOT / "config.example.toml").read_text())
    assert set(SlackSettings.model_fields) <= set(data["slack"])
    config = load_config(ROOT / "config.example.toml", env={})
    assert not config.slack.enabled
