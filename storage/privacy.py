"""What hartslag stores, per kind of data, and the generic retention purge.

``INVENTORY`` describes every table: what it holds, whether it can identify a person, and
which setting bounds how long it is kept. ``hartslag privacy report`` prints it with the
configured values (input for a DPIA and for the works council); ``tests/security`` fails when
a table is missing here, so a new table cannot slip in undocumented.

``PURGES`` are the deletions the daily ``privacy.purge`` job runs for data whose feature has
no purge of its own (signals and pulse keys purge themselves: see their settings).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from storage.db import Database
from storage.schema import metadata


@dataclass(frozen=True)
class DataKind:
    kind: str
    tables: tuple[str, ...]
    holds: str
    people: str  # "none", "staff" (who did their job), "identifying", "keyed hash", "sealed"
    retention: str  # a setting ("delivery.retention_days") or a rule in words


INVENTORY: tuple[DataKind, ...] = (
    DataKind("Announcements", ("announcement", "announcement_run", "announcement_post"),
             "title, body, targets, schedule, author and approver, per-target post ids",
             "staff", "kept while the comms team needs them; delete by command"),
    DataKind("Announcement acknowledgements", ("announcement_ack",),
             "who pressed Read on which announcement, when", "identifying",
             "privacy.acknowledgements_days"),
    DataKind("Audiences and templates", ("announcement_audience", "announcement_template"),
             "named target lists and Jinja2 templates", "staff", "until deleted by command"),
    DataKind("Pulse series and rounds", ("pulse_series", "pulse_round"),
             "questions, schedule, author and approver, counts invited, per-round key salt",
             "staff",
             "kept for trends; the key salt is forgotten after the round: pulse.key_days"),
    DataKind("Pulse answers", ("pulse_answer", "pulse_comment"),
             "answers and comments with a per-round keyed hash instead of the person",
             "keyed hash", "unlinkable once the round key is forgotten: pulse.key_days after the round"),
    DataKind("Pulse participation ledger", ("pulse_participation",),
             "who answered (keyed hash, other key than answers), only for pulses that opted in "
             "to reminding non-respondents", "keyed hash", "deleted when the round closes"),
    DataKind("Pulse result decisions", ("pulse_shown",),
             "per shown result who was invited (keyed hashes, never who answered) and the "
             "question keys, for the differencing rule across time", "keyed hash",
             "kept for the rule (pulse.difference_days); hidden results keep no audience"),
    DataKind("Teams and managers", ("org_team", "org_member"),
             "team names, members and managers per platform", "identifying",
             "until changed by import or command"),
    DataKind("Anonymous signals", ("signal_case", "signal_entry"),
             "text, category, team, status and the day received; triage notes", "none",
             "signals.retention_months"),
    DataKind("Signal relay", ("signal_relay",),
             "case to sender, encrypted with a key outside the database", "sealed",
             "deleted when the case closes, at the latest signals.retention_months"),
    DataKind("Signal abuse limits", ("signal_rate", "signal_block"),
             "keyed hashes per period and blocks", "keyed hash",
             "one rate period: signals.rate_period_days; blocks until they end"),
    DataKind("Knowledge base", ("faq_entry",), "questions, answers, owners", "staff",
             "until removed by command"),
    DataKind("Knowledge-base vectors", ("faq_vector",),
             "the embedding of each entry text, keyed by model and text hash", "none",
             "deleted when no entry uses the text any more"),
    DataKind("Questions asked", ("faq_question",),
             "question text, matched entry, feedback, the day; never who asked", "none",
             "wheres.question_retention_days"),
    DataKind("People directory", ("person",),
             "employee id, e-mail, name, platform ids, notification choices", "identifying",
             "until changed by import"),
    DataKind("Work-system events", ("hook_event", "rejected_hook", "pending_notice"),
             "event ids; rejected payloads for the admin; notices held for a digest",
             "identifying", "privacy.hook_events_days; held notices until delivered"),
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
    DataKind("Verbinden programmes and rounds", ("verbinden_programme", "verbinden_round"),
             "programme settings and organiser; per round only counts (participants, groups, "
             "follow-up answers)", "staff", "kept for the organiser's figures (counts, no person)"),
    DataKind("Verbinden participants and pairing history",
             ("verbinden_participant", "verbinden_member"),
             "who joined which programme (team, location) and who was in which group, with "
             "their own follow-up answer; never what they said to each other", "identifying",
             "group rows for the last verbinden.history_rounds rounds only; all of a person's "
             "rows deleted when they stop, everyone's when the programme ends"),
    DataKind("Teams conversation references", ("teams_conversation", "teams_user", "teams_sent"),
             "conversation ids and service URLs for proactive messages; sent activity ids",
             "identifying", "until the app is uninstalled; sent ids privacy.sent_ids_days"),
)


@dataclass(frozen=True)
class Purge:
    table: str
    column: str
    setting: str  # field of PrivacySettings
    where: str = ""  # an extra SQL condition


PURGES: tuple[Purge, ...] = (
    Purge("processed_event", "seen_at", "inbound_events_days"),
    Purge("hook_event", "received_at", "hook_events_days"),
    Purge("rejected_hook", "received_at", "hook_events_days"),
    Purge("announcement_ack", "at", "acknowledgements_days"),
    Purge("teams_sent", "sent_at", "sent_ids_days"),
)


class RetentionRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def purge(self, purge: Purge, *, before: datetime) -> int:
        table = metadata.tables[purge.table]
        query = sa.delete(table).where(table.c[purge.column] < before)
        if purge.where:
            query = query.where(sa.text(purge.where))
        async with self._db.session() as session:
            result = await session.exec(  # type: ignore[call-overload]
                query)
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def purge_orphans(self) -> int:
        """Message bodies and batches of the outbox no row refers to any more."""
        outbox, bodies, batches = (metadata.tables[n] for n in ("outbox", "outbox_message",
                                                                 "outbox_batch"))
        async with self._db.session() as session:
            gone = await session.exec(  # type: ignore[call-overload]
                sa.delete(bodies).where(
                ~bodies.c.digest.in_(sa.select(outbox.c.digest))))
            empty = await session.exec(  # type: ignore[call-overload]
                sa.delete(batches).where(
                ~batches.c.batch.in_(sa.select(outbox.c.batch))))
            return int(gone.rowcount or 0) + int(empty.rowcount or 0)  # type: ignore[attr-defined]
