"""The privacy inventory: what hartslag stores, per kind of data (``hartslag privacy
report``, input for a DPIA and the works council).

The platform's own tables (outbox, schedules, preferences, ...) are listed here; every
feature lists its tables in its manifest (``Feature.privacy``). ``tests/security`` fails when
a table is in no entry, so a new table cannot slip in undocumented.
"""

from __future__ import annotations

from collections.abc import Sequence

from commands.feature import DataKind, Feature

PLATFORM: tuple[DataKind, ...] = (
    DataKind("Outbox", ("outbox", "outbox_batch", "outbox_message"),
             "what was sent to which channel or person, state, platform message id",
             "identifying", "delivery.retention_days after sending"),
    DataKind("Delivery bookkeeping", ("installation", "delivery_budget"),
             "this database's random installation id (part of every delivery id) and the "
             "next free send slot per rate scope (platform, workspace, method)", "none",
             "kept while the installation exists"),
    DataKind("Schedules", ("schedule", "schedule_run", "scheduler_lease"),
             "job kinds, triggers, payloads, run ledger, the leader lease", "staff",
             "scheduler.run_retention_days for the run ledger"),
    DataKind("Preferences and roles", ("preference", "role_grant"),
             "chosen language per person or channel; roles granted by admins", "identifying",
             "until changed by command"),
    DataKind("Inbound event ids", ("processed_event",),
             "platform event ids, to handle a retry once", "none",
             "privacy.inbound_events_days"),
    DataKind("Teams conversation references", ("teams_conversation", "teams_user", "teams_sent"),
             "conversation ids and service URLs for proactive messages; sent activity ids",
             "identifying", "until the app is uninstalled; sent ids privacy.sent_ids_days"),
)


def inventory(features: Sequence[Feature]) -> tuple[DataKind, ...]:
    """Each feature's kinds in the order of the feature list (``commands.features``, which
    the caller passes: this module sits below it), then the platform's."""
    return (*(kind for feature in features for kind in feature.privacy), *PLATFORM)
