"""Work-system notifications, declared (commands/feature.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from commands.feature import DataKind, Feature, Inbound
from commands.notices.directory import EmailLookup
from commands.notices.settings import HookSettings
from storage.notices import HookEvent, PendingNotice, RejectedHook
from storage.people import Person

if TYPE_CHECKING:
    from commands.context import Context
    from commands.notices.intake import Outcome
    from commands.router import Router


def _register(router: Router) -> None:
    from commands.notices import register

    register(router)


async def _receive(ctx: Context, source: str, payload: dict[str, Any]) -> Outcome:
    from commands.notices.intake import receive

    return await receive(ctx, source, payload)


def _failed() -> Outcome:
    from commands.notices.intake import Outcome

    return Outcome(500, {"error": "internal error; the event was not taken, retry later"})


FEATURE = Feature(
    name="notices",
    register=_register,
    settings=HookSettings,
    section="hooks",
    tables=(HookEvent, PendingNotice, RejectedHook, Person),
    migrations="notices",
    privacy=(
        DataKind("People directory", ("person",),
                 "employee id, e-mail, name, platform ids, notification choices", "identifying",
                 "until changed by import"),
        DataKind("Work-system events", ("hook_event", "rejected_hook", "pending_notice"),
                 "event ids; rejected payloads for the admin; notices held for a digest",
                 "identifying", "privacy.hook_events_days; held notices until delivered"),
    ),
    cli=("bots.cli_people",),
    inbound=Inbound(routes="bots.webhooks:hook_routes", problems="bots.webhooks:missing_secrets",
                    receive=_receive, failed=_failed),
    ports=(EmailLookup,),  # a recipient given by e-mail, where the platform can look it up
)
