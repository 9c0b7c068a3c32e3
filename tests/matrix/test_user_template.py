"""People's Matrix ids by the organisation's convention: the Matrix adapter's knowledge.

Work-system notices reach someone who is not in the people directory yet through the port
extra ``EmailLookup``; on Matrix that is ``[matrix] user_template`` applied to the e-mail's
local part (before issue 21 the notices feature did this itself from
``[hooks] matrix_user_template``, which is still read and moved).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bots.config import ConfigError, parse_config
from bots.matrix.adapter import MatrixAdapter
from bots.matrix.settings import MatrixSettings
from commands.notices.directory import EmailLookup

BOT = "@hartslag:gemeente.example"


def _adapter(tmp_path: Path, template: str) -> MatrixAdapter:
    # No request is made: the lookup is a convention, not a call to the homeserver.
    settings = MatrixSettings(enabled=True, homeserver="http://127.0.0.1:9", user_id=BOT,
                              access_token="t", device_id="D", data_dir=str(tmp_path / "m"),
                              user_template=template)
    return MatrixAdapter(settings)


async def test_the_port_names_a_person_by_the_convention(tmp_path: Path) -> None:
    port = _adapter(tmp_path, "@{local}:gemeente.example").port
    assert isinstance(port, EmailLookup)
    found = await port.find_user_by_email("Sara.de.Vries@Gemeente.example")
    assert found is not None and (found.platform, found.id) == (
        "matrix", "@sara.de.vries:gemeente.example")
    assert await port.find_user_by_email("@gemeente.example") is None


async def test_without_a_convention_nobody_is_found(tmp_path: Path) -> None:
    port = _adapter(tmp_path, "").port
    assert isinstance(port, EmailLookup)
    assert await port.find_user_by_email("sara@gemeente.example") is None


def _config(**sections: Any) -> Any:
    return parse_config({"storage": {"url": "sqlite+aiosqlite:///:memory:"}, **sections}, env={})


def test_the_older_notices_key_is_moved_to_the_matrix_section() -> None:
    config = _config(hooks={"matrix_user_template": "@{local}:gemeente.example"})
    assert config.matrix.user_template == "@{local}:gemeente.example"
    # Written in both places, the new one wins.
    both = _config(hooks={"matrix_user_template": "@{local}:oud.example"},
                   matrix={"user_template": "@{local}:nieuw.example"})
    assert both.matrix.user_template == "@{local}:nieuw.example"


def test_a_matrix_value_that_is_no_section_is_a_config_error_not_a_crash() -> None:
    with pytest.raises(ConfigError, match=r"^matrix"):
        _config(hooks={"matrix_user_template": "@{local}:gemeente.example"}, matrix="aan")


@pytest.mark.parametrize("template", ["{local}:gemeente.example", "@sara:gemeente.example",
                                      "@{local}"])
def test_a_template_that_cannot_name_a_user_is_refused(template: str) -> None:
    with pytest.raises(ConfigError, match=r"matrix\.user_template: .*@\{local\}:example\.org"):
        _config(matrix={"user_template": template})
