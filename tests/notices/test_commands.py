"""``notifications`` and ``hooks`` on the declared command tree (issues 20 #4 and 21): help
lists ``hooks`` only to administrators, usage errors come from the tree, and the old words
still work."""

from __future__ import annotations

from typing import Any

from storage.people import PeopleRepository, PersonRow


async def _in_directory(app: Any, name: str) -> None:
    await app.store.repo(PeopleRepository).upsert(
        [PersonRow(None, f"{name}@gemeente.example", name.title(), {"local": name})])


async def test_help_lists_hooks_only_to_administrators(chat: Any) -> None:
    employee = await chat.run("@joost\ndm\nhelp\n")
    assert "- `meldingen toon|direct|digest|stil`" in employee and "koppelingen" not in employee
    admin = await chat.run("@anna\ndm\nhelp\n")
    assert "- `koppelingen mislukt`" in admin
    out = await chat.run("@joost\ndm\nkoppelingen help\n")
    assert "Dat mag alleen iemand met de rol beheerder" in out


async def test_command_help_gives_usage_and_examples(chat: Any) -> None:
    out = await chat.run("@joost\ndm\nmeldingen help\n")
    assert "- `meldingen stil <uren>`" in out and "Voorbeeld: `meldingen stil 18:00-08:00`" in out
    out = await chat.run("taal en\nhelp notifications\n")
    assert "- `notifications digest [<time>]`" in out
    assert "Example: `notifications digest 08:30`" in out


async def test_preferences_through_the_tree(chat: Any, app: Any) -> None:
    await _in_directory(app, "joost")
    out = await chat.run("@joost\ndm\nmeldingen stil\nmeldingen soms\nmeldingen digest 25:00\n")
    assert "Er ontbreekt <uren>. Gebruik: `meldingen stil <uren>`" in out
    assert "`meldingen soms` ken ik niet" in out and "- `meldingen direct`" in out
    assert "`25:00` is geen tijd" in out
    out = await chat.run("notificaties samenvatting\nmeldingen\n")
    assert "Opgeslagen. Je krijgt meldingen **één keer per dag als samenvatting**" in out
    assert "Samenvatting om 08:30" in out
    out = await chat.run("meldingen meteen\nkoppelingen\n")
    assert "Je krijgt meldingen **direct**" in out
    assert "Dat mag alleen iemand met de rol beheerder" in out
    out = await chat.run("@anna\ndm\nhooks\nkoppelingen fouten\n")
    assert out.count("Er zijn geen mislukte meldingen.") == 2
