"""Work-system notifications (TopDesk, Corsa, Coda, Fixi, ...) in chat: webhooks become
messages to a person, a team's channel or an audience, immediately or as a daily digest,
never during quiet hours unless urgent."""

from __future__ import annotations

from commands.notices.command import hooks, notifications
from commands.notices.digest import flush
from commands.notices.intake import FLUSH
from commands.notices.messages import TEXT
from commands.router import Router


def register(router: Router) -> None:
    router.command("notifications", notifications, aliases=("meldingen", "notificaties"),
                   help=(TEXT, "help.notices"))
    router.command("hooks", hooks, aliases=("koppelingen",), role="admin",
                   help=(TEXT, "help.hooks"))
    router.job(FLUSH, flush)
