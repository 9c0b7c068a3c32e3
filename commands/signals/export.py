"""What is stored about signals, for an open-government (Woo) request or a DPIA.

Everything in the case and entry tables is exported as stored. Left out, with counts and the
reason: the sealed relay mappings (opening them would reveal senders; they cannot be opened
without the key, which is not in the database) and the keyed hashes of the rate limit and
blocks (pseudonymous identifiers that serve only abuse prevention).
"""

from __future__ import annotations

from typing import Any

from commands.context import Context
from commands.signals.service import today
from commands.signals.settings import SignalSettings
from storage.signals import SignalRepository

LEFT_OUT = {
    "signal_relay": "sealed case-to-sender mappings (AES-GCM, key outside the database); "
    "not exported: opening them would reveal who sent a signal",
    "signal_rate": "keyed hashes per rate-limit period; pseudonymous, abuse prevention only",
    "signal_block": "keyed hashes of blocked senders with an end day; pseudonymous",
}


async def export_signals(ctx: Context) -> dict[str, Any]:
    conf = ctx.settings.get(SignalSettings)  # the records exist also when turned off
    repo = ctx.store.repo(SignalRepository)
    cases = await repo.export()
    counts = await repo.table_counts()
    return {
        "kind": "hartslag signals export",
        "exported_on": today(ctx).isoformat(),
        "retention_months": conf.retention_months,
        "what_is_stored": "per case: text, topic, team, status, the day received and closed, the "
        "triage member it is assigned to, and entries (answers, the sender's replies, internal "
        "notes, follow-ups) with their day and, for triage entries, the triage member. No "
        "sender identifiers, no times, no platform message or channel ids.",
        "cases": [
            {
                "ref": case.ref,
                "received_day": case.received.isoformat(),
                "closed_day": case.closed.isoformat() if case.closed else None,
                "status": case.status,
                "category": case.category,
                "team": case.team,
                "assignee": case.assignee,
                "text": case.text,
                "can_be_answered": case.has_relay,
                "entries": [
                    {"kind": e.kind, "day": e.day.isoformat(), "author": e.author or None,
                     "text": e.text}
                    for e in entries
                ],
            }
            for case, entries in cases
        ],
        "left_out": {table: {"rows": counts.get(table, 0), "why": why}
                     for table, why in LEFT_OUT.items()},
    }
