"""Per-feature message catalogs in Dutch (default) and English.

A ``Catalog`` checks on construction that every key exists in every locale with the same
placeholders, so a missing translation fails at import (and in ``tests/test_i18n.py``),
never in front of a user.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

LOCALES: tuple[str, ...] = ("nl", "en")
DEFAULT_LOCALE = "nl"


def normalise_locale(value: str | None) -> str | None:
    """``"en-GB"``, ``"EN"``, ``"english"`` -> ``"en"``; None when not a supported locale."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    aliases = {"english": "en", "engels": "en", "nederlands": "nl", "dutch": "nl"}
    code = aliases.get(code, code)
    return code if code in LOCALES else None


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Catalog:
    """Strings of one feature: ``catalog.get(locale, key, **values)``."""

    def __init__(self, name: str, strings: Mapping[str, Mapping[str, str]]) -> None:
        self.name = name
        self._strings = {loc: dict(strings.get(loc, {})) for loc in LOCALES}
        self._check()

    def _check(self) -> None:
        reference = self._strings[DEFAULT_LOCALE]
        for locale in LOCALES:
            table = self._strings[locale]
            missing = reference.keys() ^ table.keys()
            if missing:
                raise ValueError(f"catalog {self.name}: keys {sorted(missing)} not in every locale")
            for key, text in table.items():
                if _fields(text) != _fields(reference[key]):
                    raise ValueError(f"catalog {self.name}: placeholders of {key!r} differ in {locale}")

    def keys(self) -> set[str]:
        return set(self._strings[DEFAULT_LOCALE])

    def has(self, key: str) -> bool:
        return key in self._strings[DEFAULT_LOCALE]

    def locales(self) -> Mapping[str, Mapping[str, str]]:
        return self._strings

    def get(self, locale: str, key: str, /, **values: object) -> str:
        table = self._strings.get(locale) or self._strings[DEFAULT_LOCALE]
        text = table.get(key)
        if text is None:
            raise KeyError(f"catalog {self.name}: no key {key!r}")
        return text.format(**values) if values else text
