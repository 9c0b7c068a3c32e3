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
    assert "Er ontbreekt --antwoord <tekst>" in missing and "Voorbeeld: `faq toevoegen" in missing
    unknown = text(await bot.command(COMMS, "faq", 'add x --question q --answer a --colour red'))
    assert "De optie `--colour` hoort niet bij dit commando" in unknown
    bad_url = text(await bot.command(COMMS, "faq", 'add x --question q --answer a --url ftp://x'))
    assert "url" in bad_url
    await bot.command(COMMS, "faq", "add x --question q --answer a")
    assert "al een item" in text(await bot.command(COMMS, "faq", "add x --question q --answer a"))
    assert "geen item" in text(await bot.command(COMMS, "faq", "edit nope --answer a"))
    unknown_sub = text(await bot.command(COMMS, "faq", "frobnicate"))
    assert "`faq frobnicate` ken ik niet" in unknown_sub and "`faq hiaten`" in unknown_sub


async def test_dutch_words_and_options_reach_the_same_handlers(bot: Bot) -> None:
    added = text(await bot.command(COMMS, "faq", 'toevoegen fiets --vraag "Waar zet ik mijn '
                                                 'fiets?" --antwoord "In de kelder." '
                                                 '--trefwoorden "fietsenstalling; stalling"'))
    assert "Item `fiets` toegevoegd" in added
    shown = text(await bot.command(COMMS, "faq", "toon fiets"))
    assert "In de kelder." in shown and "fietsenstalling; stalling" in shown
    assert "bijgewerkt" in text(await bot.command(COMMS, "faq", 'wijzig fiets --antwoord "Buiten."'))
    assert "Buiten." in text(await bot.command(COMMS, "faq", "show fiets"))


async def test_employees_cannot_change_the_knowledge_base(bot: Bot) -> None:
    for args in ("add x --question q --answer a", "list", "remove x", "gaps"):
        refused = text(await bot.command(EMPLOYEE, "faq", args))
        assert "communicatie" in refused.lower() or "comms" in refused.lower(), refused


async def test_help_lists_faq_only_for_comms(bot: Bot) -> None:
    employee = text(await bot.command(EMPLOYEE, "help"))
    assert "`waar`" in employee and "faq" not in employee
    comms = text(await bot.command(COMMS, "help"))
    assert "`faq toevoegen|wijzig|verwijder|lijst|toon|hiaten|negeer`" in comms
    # alias/reviewed are for owners too (no role says who owns what): reached from the
    # digest and the review reminder, not listed.
    assert "gecontroleerd" not in comms


async def test_faq_help_gives_usage_with_examples(bot: Bot) -> None:
    for args in ("help", ""):
        out = text(await bot.command(COMMS, "faq", args))
        assert "`faq toon <id>`" in out and "Voorbeeld: `faq toon loonstrook`" in out, args
    assert "communicatie" in text(await bot.command(EMPLOYEE, "faq", "help"))
