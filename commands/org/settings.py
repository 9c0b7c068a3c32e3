"""``[org]``: the organisation's teams as the config gives them, ``[org.teams."<name>"]``.

Teams are the organisation's, not one feature's: pulses go to them, summaries are for their
managers, verbinden pairs across them. (Older configs wrote them under ``[pulse.teams]``;
bots/config.py still reads that, with a warning.)
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator, model_validator


class TeamSettings(BaseModel):
    """``[org.teams."<name>"]``: people are written ``platform:id``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    parent: str = ""
    members: list[str] = []
    managers: list[str] = []

    @field_validator("members", "managers")
    @classmethod
    def _people(cls, value: list[str]) -> list[str]:
        for person in value:
            if ":" not in person:
                raise ValueError(f"{person!r} is not platform:id (e.g. slack:U0123)")
        return value


class OrgSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    teams: dict[str, TeamSettings] = {}

    @model_validator(mode="after")
    def _parents(self) -> OrgSettings:
        for name, team in self.teams.items():
            if team.parent and team.parent not in self.teams:
                raise ValueError(f"teams.{name}.parent: no team {team.parent!r} in [org.teams]")
        return self
