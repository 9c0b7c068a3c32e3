"""Targets: platform:channel, platform:workspace/channel, and clear errors.

The channel syntax comes from the adapters (``Capabilities.channel``); the context here runs
the real local, Slack and Matrix ports' capabilities behind one MultiPort, as the app does.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from bots.local.capabilities import CAPABILITIES as LOCAL
from bots.matrix.capabilities import CAPABILITIES as MATRIX
from bots.slack.capabilities import CAPABILITIES as SLACK
from bots.teams.capabilities import CAPABILITIES as TEAMS
from commands.announcements.messages import TEXT
from commands.announcements.settings import AnnouncementSettings
from commands.announcements.targets import TargetError, parse_target, show_target, split_targets
from commands.model import Address
from commands.port import Capabilities, MultiPort
from commands.settings import SettingsBag


class _Port:
    """A port that only answers what it can show (the parser asks nothing else)."""

    def __init__(self, capabilities: Capabilities) -> None:
        self._capabilities = capabilities

    def capabilities(self, platform: str) -> Capabilities:
        return self._capabilities


def _ctx(settings: AnnouncementSettings, **caps: Capabilities) -> Any:
    port = MultiPort({name: _Port(c) for name, c in caps.items()})  # type: ignore[misc]
    return SimpleNamespace(port=port, settings=SettingsBag([settings]))


ALL = {"local": LOCAL, "slack": SLACK, "matrix": MATRIX, "teams": TEAMS}
S = _ctx(AnnouncementSettings(workspaces={"slack": "T0123"}), **ALL)


@pytest.mark.parametrize(("text", "expected"), [
    ("slack:C0123", Address("slack", "T0123", "C0123")),
    ("slack:T0999/C0456", Address("slack", "T0999", "C0456")),
    ("local:#algemeen", Address("local", "local", "#algemeen")),
    ("matrix:!room:example.org", Address("matrix", "", "!room:example.org")),
    # Room version 12 (Synapse's default since 1.163): the id has no server part.
    ("matrix:!Tq3E7wXyH0sF_kP-2nDa9bLm4cRvZgUe1oIjY8hA5W6", Address(
        "matrix", "", "!Tq3E7wXyH0sF_kP-2nDa9bLm4cRvZgUe1oIjY8hA5W6")),
    ("matrix:#algemeen:example.org", Address("matrix", "", "#algemeen:example.org")),
    ("teams:19:abc@thread.tacv2", Address("teams", "", "19:abc@thread.tacv2")),
    ("teams:tenant-1/19:abc@thread.tacv2", Address("teams", "tenant-1", "19:abc@thread.tacv2")),
])
def test_parse(text: str, expected: Address) -> None:
    assert parse_target(S, text) == expected
    assert parse_target(S, show_target(S, expected)) == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("C0123", "bad_target_form"),
    ("irc:#x", "bad_target_platform"),
    ("local:algemeen", "bad_target_channel"),
    ("slack:#general", "bad_target_channel"),
    ("matrix:room", "bad_target_channel"),
    ("matrix:#alias-without-server", "bad_target_channel"),
    ("matrix:!id with space", "bad_target_channel"),
    ("slack:", "bad_target_form"),
])
def test_bad_targets_say_why(text: str, reason: str) -> None:
    with pytest.raises(TargetError) as caught:
        parse_target(S, text)
    assert caught.value.reason == reason


@pytest.mark.parametrize(("text", "locale", "expected"), [
    ("slack:#general", "nl", "`slack:#general` is geen kanaal van Slack. Schrijf het als "
                             "`slack:C0123`."),
    ("matrix:room", "en", "`matrix:room` is not a channel on Matrix. Write it as `matrix:!id`, "
                          "`matrix:!id:server`, `matrix:#alias:server`."),
    ("local:algemeen", "en", "`local:algemeen` is not a channel on chat. Write it as "
                             "`local:#algemeen`."),
])
def test_the_message_shows_the_adapters_forms(text: str, locale: str, expected: str) -> None:
    with pytest.raises(TargetError) as caught:
        parse_target(S, text)
    message = TEXT.get(locale, caught.value.reason, target=text,
                                 **caught.value.fields)
    assert message == expected


def test_examples_come_from_the_running_platforms_only() -> None:
    only_local = _ctx(AnnouncementSettings(), local=LOCAL)
    with pytest.raises(TargetError) as caught:
        parse_target(only_local, "algemeen")
    assert caught.value.fields == {"examples": "`local:#algemeen`"}
    with pytest.raises(TargetError) as caught:
        parse_target(only_local, "irc:#x")
    assert caught.value.fields["platforms"] == "local, slack, teams, matrix"


def test_a_platform_without_a_syntax_takes_any_id() -> None:
    # Teams conversation ids are opaque; a known platform that is not running passes too
    # (an audience may be set up before its platform is; composing refuses it).
    assert parse_target(S, "teams:whatever-id") == Address("teams", "", "whatever-id")
    only_local = _ctx(AnnouncementSettings(), local=LOCAL)
    assert parse_target(only_local, "slack:#general") == Address("slack", "", "#general")


def test_split_on_commas_spaces_and_semicolons() -> None:
    assert split_targets("slack:C1, local:#a;matrix:!r:x  teams:19:y") == [
        "slack:C1", "local:#a", "matrix:!r:x", "teams:19:y"]


def test_a_full_address_is_taken_as_is() -> None:
    ctx = _ctx(AnnouncementSettings(), **ALL)
    assert parse_target(ctx, "slack://T123/C456") == Address("slack", "T123", "C456")
    with pytest.raises(TargetError) as caught:
        parse_target(ctx, "irc://x")
    assert caught.value.reason == "bad_target_form"
