"""Targets as people write them: ``platform:channel`` or ``platform:workspace/channel``.

``slack:C0123`` takes the workspace from ``[announcements] workspaces`` (empty: the adapter's
own workspace), ``local:#algemeen`` is always in the local workspace. Matrix room ids
(``!room:example.org``) and Teams conversation ids (``19:abc@thread.tacv2``) contain colons,
so only the first colon separates the platform, and only a ``/`` introduces a workspace.
"""

from __future__ import annotations

import re

from commands.announcements.settings import AnnouncementSettings
from commands.model import PLATFORMS, Address

MAX_TARGET = 300
_SLACK = re.compile(r"^[A-Z0-9]{2,40}$")
# A room id is `!opaque` (room version 12 and later: no server part) or `!opaque:server`
# (older rooms); an alias always names its server.
_MATRIX_ROOM = re.compile(r"^(![A-Za-z0-9_\-+/=.]+(:[^\s:]+(:\d+)?)?|#[^\s:]+:[^\s:]+(:\d+)?)$")
_SPLIT = re.compile(r"[\s,;]+")


class TargetError(ValueError):
    """``text`` is not a target; ``reason`` is a catalog key (bad_target_*)."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"{text}: {reason}")
        self.text = text
        self.reason = reason


def split_targets(text: str) -> list[str]:
    """``"slack:C1, local:#algemeen"`` -> the two target strings (comma, space or semicolon)."""
    return [part for part in _SPLIT.split(text.strip()) if part]


def default_workspace(platform: str, settings: AnnouncementSettings) -> str:
    if platform == "local":
        return "local"
    return settings.workspaces.get(platform, "")


def parse_target(text: str, settings: AnnouncementSettings) -> Address:
    """The Address of one written target; TargetError says why it is not one. A full address
    (``slack://T123/C456``, what a Slack ``#channel`` in a command becomes) is taken as is."""
    if "://" in text:
        try:
            return Address.parse(text.strip())
        except ValueError:
            raise TargetError(text, "bad_target_form") from None
    platform, sep, rest = text.strip().partition(":")
    platform = platform.lower()
    if not sep or not rest or len(text) > MAX_TARGET:
        raise TargetError(text, "bad_target_form")
    if platform not in PLATFORMS:
        raise TargetError(text, "bad_target_platform")
    workspace = default_workspace(platform, settings)
    channel = rest
    if "/" in rest and not rest.startswith("#"):
        workspace, _, channel = rest.partition("/")
    if not channel or (platform == "local" and not channel.startswith("#")):
        raise TargetError(text, "bad_target_local" if platform == "local" else "bad_target_form")
    if platform == "slack" and not _SLACK.match(channel):
        raise TargetError(text, "bad_target_slack")
    if platform == "matrix" and not _MATRIX_ROOM.match(channel):
        raise TargetError(text, "bad_target_matrix")
    return Address(platform, workspace, channel)


def show_target(address: Address | str, settings: AnnouncementSettings) -> str:
    """The short written form of a stored target (inverse of ``parse_target``)."""
    found = Address.parse(address) if isinstance(address, str) else address
    if found.workspace and found.workspace != default_workspace(found.platform, settings):
        return f"{found.platform}:{found.workspace}/{found.channel}"
    return f"{found.platform}:{found.channel}"
