"""Every privileged command, tried by an employee without the role: a clear refusal naming
the role, and nothing in any table changes. The same commands work for the role holders."""

from __future__ import annotations

import pytest

from tests.support.chat import ChatDriver
from tests.support.db import all_rows

REFUSED = [
    ("rol grant comms local:joost", "beheerder"),
    ("rol revoke comms local:anna", "beheerder"),
    ('aankondiging nieuw --titel "X" --tekst "Y" --naar "local:#algemeen"', "communicatie"),
    ("aankondiging lijst", "communicatie"),
    ("aankondiging bereik 1", "communicatie"),
    ("aankondiging doelgroep add x local:#algemeen", "communicatie"),
    ('aankondiging sjabloon add x --tekst "Hallo"', "communicatie"),
    ("summary demo", "leidinggevende"),
    ("team add x", "beheerder"),
    ("team manager demo local:joost", "beheerder"),
    ("hooks failures", "beheerder"),
    ('faq add x --question "q" --answer "a"', "communicatie"),
    ("faq remove salaris", "communicatie"),
    ("signaal inbox", "signalen-team"),
    ("signaal beantwoord S-ABC123 hoi", "signalen-team"),
    ("signaal blokkeer S-ABC123 7", "signalen-team"),
    ("signaal publiceer S-ABC123 #algemeen gedaan", "signalen-team"),
    ("signaal overzicht", "signalen-team"),
]


@pytest.mark.parametrize(("command", "role"), REFUSED, ids=[c for c, _ in REFUSED])
async def test_employees_are_refused_and_nothing_changes(chat: ChatDriver, command: str,
                                                         role: str) -> None:
    # First what happens anyway: standing jobs due at the start, and the teams from the
    # config copied into the directory on first use.
    await chat.run("@anna\ndm\n/hartslag team list\n")
    before = await all_rows(chat.app)
    out = await chat.run(f"@joost\ndm\n/hartslag {command}\n")
    assert f"Dat mag alleen iemand met de rol {role}." in out, out
    after = await all_rows(chat.app)
    changed = {t for t in after if after[t] != before.get(t)}
    assert changed - {"scheduler_lease"} == set()  # the lease renews itself in the background


async def test_role_holders_may(chat: ChatDriver) -> None:
    out = await chat.run("@anna\ndm\n/hartslag team add redactie\n/hartslag hooks failures\n"
                         "@tess\ndm\n/hartslag signaal inbox\n@mila\ndm\n/hartslag summary demo\n")
    assert "Dat mag alleen" not in out
