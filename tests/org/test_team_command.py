"""``team`` on the declared command tree: admins do everything; a manager may look at the
team she manages and nothing else; help lists exactly that."""

from __future__ import annotations

from typing import Any

from storage.org import OrgRepository


async def test_help_lists_team_by_role(chat: Any) -> None:
    assert "`team" not in await chat.run("@joost\ndm\nhelp")
    assert "`team toon`" in await chat.run("@mila\ndm\nhelp")
    admin = await chat.run("@anna\ndm\nhelp")
    assert "`team lijst|toon|toevoegen|verwijderen|lid|leidinggevende`" in admin


async def test_team_help_shows_what_the_caller_may_do_with_examples(chat: Any) -> None:
    manager = await chat.run("@mila\ndm\nteam help")
    assert "`team toon <team>`" in manager and "Voorbeeld: `team toon demo`" in manager
    assert "team toevoegen" not in manager
    admin = await chat.run("@anna\ndm\nhelp team")
    assert "Voorbeeld: `team lid toevoegen demo local:bram`" in admin
    english = await chat.run("taal en\nteam help")
    assert "`team member <add|remove> <team> <person...>`" in english
    assert "Example: `team member add demo local:bram`" in english


async def test_a_manager_sees_her_own_team_only(chat: Any) -> None:
    out = await chat.run("@anna\ndm\nteam toevoegen zorg --boven demo")
    assert "Team `zorg` staat erin (onder `demo`)" in out
    own = await chat.run("@mila\ndm\nteam toon demo")
    assert "**Team demo**" in own and "`local:joost`" in own
    other = await chat.run("team toon zorg")
    assert "geen leidinggevende van team `zorg`" in other and "Leden" not in other
    for line in ("team", "team lijst", "team lid toevoegen demo local:bram"):
        assert "Dat mag alleen iemand met de rol beheerder" in await chat.run(line), line


async def test_people_need_add_or_remove_and_arguments(chat: Any, app: Any) -> None:
    out = await chat.run("@anna\ndm\nteam lid foo demo local:bram")
    assert "`foo` past hier niet: kies `toevoegen`, `verwijderen`" in out
    out = await chat.run("team lid toevoegen demo")
    assert "Er ontbreekt <persoon...>" in out and "Voorbeeld: `team lid toevoegen" in out
    out = await chat.run("team toevoegen x --ouder demo")
    assert "De optie `--ouder` hoort niet bij dit commando" in out
    assert "x" not in {r.name for r in await app.store.repo(OrgRepository).all()}
    out = await chat.run("team leidinggevenden toevoegen demo local:sara")
    assert "1 wijziging bij de leidinggevenden" in out
