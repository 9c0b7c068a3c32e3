"""``[local]`` settings: the built-in chat for trying hartslag without any chat account."""

from __future__ import annotations

from bots.settings_base import LocaleOrEmpty, Section


class LocalSettings(Section):
    enabled: bool = True
    # Channel members, so reminders and reach reports have someone to count.
    channels: dict[str, list[str]] = {}
    files_dir: str = "./hartslag-files"  # where charts are written for the local chat
    default_locale: LocaleOrEmpty = ""
