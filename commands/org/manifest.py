"""Organisation teams, declared (commands/feature.py)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from commands.feature import DataKind, Feature
from commands.org.settings import OrgSettings
from storage.org import OrgMember, OrgTeam

if TYPE_CHECKING:
    from commands.router import Router

log = logging.getLogger("hartslag.config")


def _register(router: Router) -> None:
    from commands.org import register

    register(router)


def teams_under_org(data: dict[str, Any]) -> dict[str, Any]:
    """``[pulse.teams]`` (where teams lived before ``[org]``) still works: it moves to
    ``[org.teams]``, with a warning. Both at once is refused: which would win is a guess."""
    pulse = data.get("pulse")
    if not isinstance(pulse, Mapping) or "teams" not in pulse:
        return data
    org = dict(data.get("org") or {})
    if org.get("teams"):
        raise ValueError("pulse.teams: teams are configured under [org.teams] now; move "
                         "them there (this config has both)")
    log.warning("config: [pulse.teams] is read as [org.teams]; rename the section")
    org["teams"] = pulse["teams"]
    return {**data, "pulse": {k: v for k, v in pulse.items() if k != "teams"}, "org": org}


FEATURE = Feature(
    name="org",
    register=_register,
    settings=OrgSettings,
    upgrade_config=teams_under_org,
    tables=(OrgTeam, OrgMember),
    # The team tables were created with the pulse tables, before teams had a section of
    # their own; a migration's branch is history and is not moved.
    migrations="pulse",
    privacy=(
        DataKind("Teams and managers", ("org_team", "org_member"),
                 "team names, members and managers per platform", "identifying",
                 "until changed by import or command"),
    ),
)
