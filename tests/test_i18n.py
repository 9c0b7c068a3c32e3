"""Every catalog has every key in every locale, with the same placeholders."""

from __future__ import annotations

import importlib
import pkgutil

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
