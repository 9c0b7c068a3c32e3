"""The announcements feature, declared (commands/feature.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from commands.announcements.settings import AnnouncementSettings
from commands.feature import DataKind, Feature
from commands.port import ReactionCounter
from storage.announcements import (
    Announcement,
    AnnouncementAck,
    AnnouncementAudience,
    AnnouncementPost,
    AnnouncementRun,
    AnnouncementTemplate,
)

if TYPE_CHECKING:
    from commands.router import Router


def _register(router: Router) -> None:
    from commands.announcements import register

    register(router)


FEATURE = Feature(
    name="announcements",
    register=_register,
    settings=AnnouncementSettings,
    tables=(Announcement, AnnouncementRun, AnnouncementPost, AnnouncementAck,
            AnnouncementAudience, AnnouncementTemplate),
    migrations="announcements",
    privacy=(
        DataKind("Announcements", ("announcement", "announcement_run", "announcement_post"),
                 "title, body, targets, schedule, author and approver, per-target post ids",
                 "staff", "kept while the comms team needs them; delete by command"),
        DataKind("Announcement acknowledgements", ("announcement_ack",),
                 "who pressed Read on which announcement, when", "identifying",
                 "privacy.acknowledgements_days"),
        DataKind("Audiences and templates", ("announcement_audience", "announcement_template"),
                 "named target lists and Jinja2 templates", "staff", "until deleted by command"),
    ),
    cli=("bots.cli_announce",),
    ports=(ReactionCounter,),  # reach counts reactions where the platform has them
)
