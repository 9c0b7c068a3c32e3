"""Retention: the daily ``privacy.purge`` job deletes what has outlived its setting in
``[privacy]``. Features with their own retention (signals, pulse keys) purge themselves."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import time, timedelta
from typing import TYPE_CHECKING, Any

from commands.privacy.settings import PrivacySettings
from commands.schedule import Trigger
from commands.settings import SettingsBag

if TYPE_CHECKING:  # annotations only: the manifest imports this package (start-up)
    from commands.context import Context
    from commands.router import Router

log = logging.getLogger("hartslag.privacy")

PURGE = "privacy.purge"


async def purge(payload: Mapping[str, Any], ctx: Context) -> None:
    # Imported here: storage.privacy imports the schema, which imports every manifest,
    # this package's among them.
    from storage.privacy import PURGES, RetentionRepository

    settings = ctx.settings.get(PrivacySettings)
    repo = ctx.store.repo(RetentionRepository)
    now = ctx.clock.now()
    for rule in PURGES:
        days = int(getattr(settings, rule.setting))
        deleted = await repo.purge(rule, before=now - timedelta(days=days))
        if deleted:
            log.info("purged", extra={"table": rule.table, "rows": deleted})
    await repo.purge_orphans()


def daily(settings: SettingsBag) -> Trigger:
    hours, minutes = settings.get(PrivacySettings).purge_time.split(":")
    return Trigger("daily", time=time(int(hours), int(minutes)))


def register(router: Router) -> None:
    # The standing schedule is created once, at the first start (the row is the truth).
    router.job(PURGE, purge, standing=daily)
