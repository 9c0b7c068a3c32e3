"""The anonymous signals feature, declared (commands/feature.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from commands.feature import DataKind, Feature
from commands.signals.settings import SignalSettings
from storage.signals import SignalBlock, SignalCase, SignalEntry, SignalRate, SignalRelay

if TYPE_CHECKING:
    from commands.router import Router


def _register(router: Router) -> None:
    from commands.signals import register

    register(router)


FEATURE = Feature(
    name="signals",
    register=_register,
    settings=SignalSettings,
    tables=(SignalCase, SignalEntry, SignalRelay, SignalRate, SignalBlock),
    migrations="signals",
    privacy=(
        DataKind("Anonymous signals", ("signal_case", "signal_entry"),
                 "text, category, team, status and the day received; triage notes", "none",
                 "signals.retention_months"),
        DataKind("Signal relay", ("signal_relay",),
                 "case to sender, encrypted with a key outside the database", "sealed",
                 "deleted when the case closes, at the latest signals.retention_months"),
        DataKind("Signal abuse limits", ("signal_rate", "signal_block"),
                 "keyed hashes per period and blocks", "keyed hash",
                 "one rate period: signals.rate_period_days; blocks until they end"),
    ),
    cli=("bots.cli_signals",),
)
