"""The pulse feature, declared (commands/feature.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from commands.feature import DataKind, Feature
from commands.pulse.settings import PulseSettings
from commands.settings import SettingsBag
from storage.pulse import (
    PulseAnswer,
    PulseComment,
    PulseParticipation,
    PulseRound,
    PulseSeries,
    PulseShown,
)

if TYPE_CHECKING:
    from commands.context import Context
    from commands.router import Router


def _register(router: Router) -> None:
    from commands.pulse import register

    register(router)


def _shared_key(settings: SettingsBag) -> str | None:
    """Every process must derive the same voter keys, so the master key must be shared."""
    pulse = settings.get(PulseSettings)
    if pulse.key or pulse.key_file:
        return None
    return ("server.workers: set pulse.key_file (or HARTSLAG_PULSE_KEY) so every process "
            "derives the same voter keys")


async def _master_key(ctx: Context) -> None:
    """The master key must exist before a second process derives voter keys (a key_file is
    created on first use; two processes creating it would race)."""
    from commands.pulse.runtime import PulseRuntime

    await ctx.state(PulseRuntime).keys(ctx.settings.get(PulseSettings)).master()


async def _warm(ctx: Context) -> None:
    from commands.pulse.answer import warm

    await warm(ctx)


FEATURE = Feature(
    name="pulse",
    register=_register,
    settings=PulseSettings,
    tables=(PulseSeries, PulseRound, PulseAnswer, PulseComment, PulseParticipation, PulseShown),
    migrations="pulse",
    privacy=(
        DataKind("Pulse series and rounds", ("pulse_series", "pulse_round"),
                 "questions, schedule, author and approver, counts invited, per-round key salt",
                 "staff",
                 "kept for trends; the key salt is forgotten after the round: pulse.key_days"),
        DataKind("Pulse answers", ("pulse_answer", "pulse_comment"),
                 "answers and comments with a per-round keyed hash instead of the person",
                 "keyed hash",
                 "unlinkable once the round key is forgotten: pulse.key_days after the round"),
        DataKind("Pulse participation ledger", ("pulse_participation",),
                 "who answered (keyed hash, other key than answers), only for pulses that opted "
                 "in to reminding non-respondents", "keyed hash", "deleted when the round closes"),
        DataKind("Pulse result decisions", ("pulse_shown",),
                 "per shown result who was invited (keyed hashes, never who answered) and the "
                 "question keys, for the differencing rule across time", "keyed hash",
                 "kept for the rule (pulse.difference_days); hidden results keep no audience"),
    ),
    cli=("bots.cli_pulse",),
    shared_check=_shared_key,
    before_sharing=_master_key,
    warm=_warm,
)
