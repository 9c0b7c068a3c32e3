"""Targets: platform:channel, platform:workspace/channel, and clear errors."""

from __future__ import annotations

import pytest

from commands.announcements.settings import AnnouncementSettings
from commands.announcements.targets import TargetError, parse_target, show_target, split_targets
from commands.model import Address

S = AnnouncementSettings(workspaces={"slack": "T0123"})


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
    assert parse_target(text, S) == expected
    assert parse_target(show_target(expected, S), S) == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("C0123", "bad_target_form"),
    ("irc:#x", "bad_target_platform"),
    ("local:algemeen", "bad_target_local"),
    ("slack:#general", "bad_target_slack"),
    ("matrix:room", "bad_target_matrix"),
    ("matrix:#alias-without-server", "bad_target_matrix"),
    ("matrix:!id with space", "bad_target_matrix"),
    ("slack:", "bad_target_form"),
])
def test_bad_targets_say_why(text: str, reason: str) -> None:
    with pytest.raises(TargetError) as caught:
        parse_target(text, S)
    assert caught.value.reason == reason


def test_split_on_commas_spaces_and_semicolons() -> None:
    assert split_targets("slack:C1, local:#a;matrix:!r:x  teams:19:y") == [
        "slack:C1", "local:#a", "matrix:!r:x", "teams:19:y"]


def test_a_full_address_is_taken_as_is() -> None:
    from commands.announcements.settings import AnnouncementSettings
    from commands.announcements.targets import TargetError, parse_target
    from commands.model import Address

    settings = AnnouncementSettings()
    assert parse_target("slack://T123/C456", settings) == Address("slack", "T123", "C456")
    with pytest.raises(TargetError) as caught:
        parse_target("irc://x", settings)
    assert caught.value.reason == "bad_target_form"
