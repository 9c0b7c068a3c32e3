"""Verbinden fixtures: the demo chat with two departments (teams) of three people each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bots.config import Config
from tests.conftest import make_config

# The platform harnesses' fixtures, for the round on each platform (test_platforms, test_teams,
# test_matrix): fake Slack, fake Bot Connector, real Synapse.
from tests.matrix.conftest import bot_user, new_person, start_bot, synapse  # noqa: F401
from tests.slack.conftest import demo, fake_slack, make_slack_app, slack  # noqa: F401
from tests.teams.conftest import (  # noqa: F401
    connector,
    connector_session,
    harness_features,
    harness_sections,
    issuer,
    teams,
)

BURGERZAKEN = ["joost", "sara", "omar"]
WERF = ["lisa", "noor", "daan"]
EVERYONE = BURGERZAKEN + WERF


def org_teams() -> dict[str, Any]:
    return {
        "burgerzaken": {"members": [f"local:{p}" for p in BURGERZAKEN], "managers": []},
        "werf": {"members": [f"local:{p}" for p in WERF], "managers": []},
    }


@pytest.fixture
def config(db_url: str, tmp_path: Path) -> Config:
    return make_config(db_url, tmp_path, pulse={"teams": org_teams()})


def pairs_of(groups: list[list[str]]) -> set[frozenset[str]]:
    return {frozenset((a, b)) for g in groups for i, a in enumerate(g) for b in g[i + 1:]}
