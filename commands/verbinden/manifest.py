"""Verbinden, declared (commands/feature.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from commands.feature import DataKind, Feature
from commands.port import GroupPort
from commands.verbinden.settings import VerbindenSettings
from storage.verbinden import (
    VerbindenMember,
    VerbindenParticipant,
    VerbindenProgramme,
    VerbindenRound,
)

if TYPE_CHECKING:
    from commands.router import Router


def _register(router: Router) -> None:
    from commands.verbinden import register

    register(router)


FEATURE = Feature(
    name="verbinden",
    register=_register,
    settings=VerbindenSettings,
    tables=(VerbindenProgramme, VerbindenParticipant, VerbindenRound, VerbindenMember),
    migrations="verbinden",
    privacy=(
        DataKind("Verbinden programmes and rounds", ("verbinden_programme", "verbinden_round"),
                 "programme settings and organiser; per round only counts (participants, "
                 "groups, follow-up answers)", "staff",
                 "kept for the organiser's figures (counts, no person)"),
        DataKind("Verbinden participants and pairing history",
                 ("verbinden_participant", "verbinden_member"),
                 "who joined which programme (team, location) and who was in which group, with "
                 "their own follow-up answer; never what they said to each other", "identifying",
                 "group rows for the last verbinden.history_rounds rounds only; all of a "
                 "person's rows deleted when they stop, everyone's when the programme ends"),
    ),
    ports=(GroupPort,),  # one conversation for the group where the platform can open one
)
