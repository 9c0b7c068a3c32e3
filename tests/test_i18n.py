"""Every catalog has every key in every locale, with the same placeholders."""

from __future__ import annotations

import importlib
import pkgutil
import re
import string

import pytest

import commands
from commands.i18n import LOCALES, Catalog


def all_catalogs() -> list[Catalog]:
    found: dict[int, Catalog] = {}
    for info in pkgutil.walk_packages(commands.__path__, "commands."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, Catalog):
                found[id(value)] = value
    return list(found.values())


def test_catalogs_are_found() -> None:
    names = {c.name for c in all_catalogs()}
    assert "core" in names


@pytest.mark.parametrize("catalog", all_catalogs(), ids=lambda c: c.name)
def test_every_key_in_every_locale(catalog: Catalog) -> None:
    tables = catalog.locales()
    for locale in LOCALES:
        assert tables[locale].keys() == tables["nl"].keys()
        assert all(text.strip() for text in tables[locale].values())


def test_a_missing_translation_fails_at_construction() -> None:
    with pytest.raises(ValueError, match="not in every locale"):
        Catalog("broken", {"nl": {"a": "x", "b": "y"}, "en": {"a": "x"}})
    with pytest.raises(ValueError, match="placeholders"):
        Catalog("broken", {"nl": {"a": "{n} dagen"}, "en": {"a": "{days} days"}})


def test_plural_forms_follow_the_language() -> None:
    catalog = Catalog("plurals", {
        "nl": {"sent": "Naar {count:kanaal|kanalen}; er {count:~is|zijn} {left} over."},
        "en": {"sent": "To {count:channel|channels}; {left} {count:~is|are} left."},
    })
    assert catalog.get("nl", "sent", count=1, left=0) == "Naar 1 kanaal; er is 0 over."
    assert catalog.get("nl", "sent", count=1200, left=3) == "Naar 1.200 kanalen; er zijn 3 over."
    assert catalog.get("en", "sent", count=0, left=2) == "To 0 channels; 2 are left."
    assert catalog.get("fr", "sent", count=1, left=1) == "Naar 1 kanaal; er is 1 over."


# A plural written as a hint instead of chosen: "verzoek(en)", "channel(s)", "kanaal/kanalen".
HINTED = re.compile(r"\w\((?:s|en|n|es|'s)\)|\b(?:kanaal/kanalen|vraag/vragen|channel/channels)\b")
# A number next to the wrong form, once the message is rendered with 1 and with 2.
AFTER_ONE = re.compile(
    r"\b1 (?:vragen|kanalen|rondes|berichten|verzoeken|signalen|mensen|personen|reacties|"
    r"antwoorden|dagen|weken|uren|minuten|leden|teams|items|questions|channels|rounds|"
    r"messages|requests|signals|people|persons|responses|answers|days|weeks|hours|minutes|"
    r"members|entries)\b")
AFTER_TWO = re.compile(
    r"\b2 (?:vraag|kanaal|ronde|bericht|verzoek|signaal|persoon|reactie|antwoord|dag|week|"
    r"minuut|lid|question|channel|round|message|request|signal|person|response|answer|day|"
    r"week|hour|minute|member|entry)\b")


def _render(catalog: Catalog, locale: str, key: str, number: int) -> str:
    text = catalog.locales()[locale][key]
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return catalog.get(locale, key, **dict.fromkeys(names, number))


def slips(catalog: Catalog) -> list[str]:
    found = []
    for locale in LOCALES:
        for key, text in catalog.locales()[locale].items():
            if HINTED.search(text):
                found.append(f"{catalog.name}.{key} [{locale}]: {HINTED.search(text)}")
                continue
            for number, wrong in ((1, AFTER_ONE), (2, AFTER_TWO)):
                rendered = _render(catalog, locale, key, number)
                if wrong.search(rendered):
                    found.append(f"{catalog.name}.{key} [{locale}] with {number}: {rendered!r}")
    return found


@pytest.mark.parametrize("catalog", all_catalogs(), ids=lambda c: c.name)
def test_no_plural_slips_with_one_and_two(catalog: Catalog) -> None:
    assert slips(catalog) == []
