"""Targets as people write them: ``platform:channel`` or ``platform:workspace/channel``.

``slack:C0123`` takes the workspace from ``[announcements] workspaces`` (empty: the adapter's
own workspace), ``local:#algemeen`` the local chat's one workspace. Matrix room ids
(``!room:example.org``) and Teams conversation ids (``19:abc@thread.tacv2``) contain colons,
so only the first colon separates the platform, and only a ``/`` introduces a workspace.

What a channel looks like is the adapter's knowledge (``Capabilities.channel``), so this
module checks a target without naming a platform. A platform that is known but not running
here passes (an audience may be set up before its platform is); composing an announcement
refuses it (``platform_off``).
"""

from __future__ import annotations

import re

from commands.announcements.settings import AnnouncementSettings
from commands.context import Context
from commands.model import PLATFORMS, Address
from commands.port import ChannelSyntax, enabled_platforms

MAX_TARGET = 300
_SPLIT = re.compile(r"[\s,;]+")


class TargetError(ValueError):
    """``text`` is not a target; ``reason`` is a catalog key (bad_target_*) and ``fields``
    fill its placeholders besides ``target``."""

    def __init__(self, text: str, reason: str, **fields: str) -> None:
        super().__init__(f"{text}: {reason}")
        self.text = text
        self.reason = reason
        self.fields = fields


def split_targets(text: str) -> list[str]:
    """``"slack:C1, local:#algemeen"`` -> the two target strings (comma, space or semicolon)."""
    return [part for part in _SPLIT.split(text.strip()) if part]


def _syntax(ctx: Context, platform: str) -> ChannelSyntax | None:
    return ctx.port.capabilities(platform).channel


def _running(ctx: Context) -> tuple[str, ...]:
    """The platforms running here, or all when the port does not say (one bare port)."""
    return enabled_platforms(ctx.port) or PLATFORMS


def default_workspace(ctx: Context, platform: str) -> str:
    syntax = _syntax(ctx, platform)
    if syntax is not None and syntax.workspace:
        return syntax.workspace
    return ctx.settings.get(AnnouncementSettings).workspaces.get(platform, "")


def examples(ctx: Context) -> str:
    """One written target per running platform, for messages: `` `slack:C0123` ``."""
    shown = []
    for platform in _running(ctx):
        syntax = _syntax(ctx, platform)
        if syntax is not None:
            shown.append(f"`{platform}:{syntax.forms[0]}`")
    return ", ".join(shown) or "`platform:id`"


def parse_target(ctx: Context, text: str) -> Address:
    """The Address of one written target; TargetError says why it is not one. A full address
    (``slack://T123/C456``, what a Slack ``#channel`` in a command becomes) is taken as is."""
    if "://" in text:
        try:
            return Address.parse(text.strip())
        except ValueError:
            raise TargetError(text, "bad_target_form", examples=examples(ctx)) from None
    platform, sep, rest = text.strip().partition(":")
    platform = platform.lower()
    if not sep or not rest or len(text) > MAX_TARGET:
        raise TargetError(text, "bad_target_form", examples=examples(ctx))
    if platform not in PLATFORMS:
        raise TargetError(text, "bad_target_platform", platforms=", ".join(PLATFORMS),
                          examples=examples(ctx))
    workspace = default_workspace(ctx, platform)
    channel = rest
    if "/" in rest and not rest.startswith("#"):
        workspace, _, channel = rest.partition("/")
    syntax = _syntax(ctx, platform)
    if not channel or (syntax is not None and not syntax.accepts(channel)):
        raise TargetError(text, "bad_target_channel", **_channel_fields(ctx, platform, syntax))
    return Address(platform, workspace, channel)


def _channel_fields(ctx: Context, platform: str, syntax: ChannelSyntax | None) -> dict[str, str]:
    forms = syntax.forms if syntax is not None else ("…",)
    return {"platform": ctx.port.capabilities(platform).name or platform,
            "forms": ", ".join(f"`{platform}:{form}`" for form in forms)}


def show_target(ctx: Context, address: Address | str) -> str:
    """The short written form of a stored target (inverse of ``parse_target``)."""
    found = Address.parse(address) if isinstance(address, str) else address
    if found.workspace and found.workspace != default_workspace(ctx, found.platform):
        return f"{found.platform}:{found.workspace}/{found.channel}"
    return f"{found.platform}:{found.channel}"
