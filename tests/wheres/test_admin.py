"""``faq add|edit|remove|list|show`` for the comms role."""

from __future__ import annotations

from tests.wheres.conftest import COMMS, EMPLOYEE, Bot


def text(reply: object) -> str:
    message = getattr(reply, "message", None)
    assert message is not None
    return str(message.markdown)


async def test_add_edit_remove_list(bot: Bot) -> None:
    added = await bot.command(COMMS, "faq", 'add parkeren --question "Waar mag ik parkeren?" '
                                            '--answer "In de garage onder het stadskantoor." '
                                            '--url https://intranet.example/parkeren '
                                            '--keywords "parkeergarage; auto"')
    assert "toegevoegd" in text(added)
    assert "garage" in text(await bot.dm(EMPLOYEE, "parkeergarage"))
    edited = await bot.command(COMMS, "faq", 'edit parkeren --answer "Op het Plein."')
    assert "bijgewerkt" in text(edited)
    assert "Plein" in text(await bot.dm(EMPLOYEE, "parkeergarage"))
    listed = text(await bot.command(COMMS, "faq", "list"))
    assert "`parkeren`: Waar mag ik parkeren?" in listed
    shown = text(await bot.command(COMMS, "faq", "show parkeren"))
    assert f"eigenaar: {COMMS.key}" in shown and "parkeergarage; auto" in shown
    assert "verwijderd" in text(await bot.command(COMMS, "faq", "remove parkeren"))
    assert "leeg" in text(await bot.dm(EMPLOYEE, "parkeergarage"))


async def test_invalid_input_is_explained(bot: Bot) -> None:
    missing = text(await bot.command(COMMS, "faq", 'add x --question "Waar?"'))
    assert "answer: missing" in missing
    bad_url = text(await bot.command(COMMS, "faq", 'add x --question q --answer a --url ftp://x'))
    assert "url" in bad_url
    await bot.command(COMMS, "faq", "add x --question q --answer a")
    assert "al een item" in text(await bot.command(COMMS, "faq", "add x --question q --answer a"))
    assert "geen item" in text(await bot.command(COMMS, "faq", "edit nope --answer a"))
    assert "Gebruik" in text(await bot.command(COMMS, "faq", "frobnicate"))


async def test_employees_cannot_change_the_knowledge_base(bot: Bot) -> None:
    for args in ("add x --question q --answer a", "list", "remove x", "gaps"):
        refused = text(await bot.command(EMPLOYEE, "faq", args))
        assert "communicatie" in refused.lower() or "comms" in refused.lower(), refused
