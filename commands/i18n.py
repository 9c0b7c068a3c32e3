"""Per-feature message catalogs in Dutch (default) and English.

A ``Catalog`` checks on construction that every key exists in every locale with the same
placeholders, so a missing translation fails at import (and in ``tests/test_i18n.py``),
never in front of a user.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from babel import Locale
from babel.numbers import format_decimal

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


def number(value: int | float, locale: str) -> str:
    """A number as the language writes it: "1.200" in Dutch, "1,200" in English (the one
    number formatter; plural texts use it too)."""
    return format_decimal(value, locale=locale if locale in LOCALES else DEFAULT_LOCALE)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _has_plural(text: str) -> bool:
    return any(spec and "|" in spec for _, _, spec, _ in string.Formatter().parse(text))


class _Formatter(string.Formatter):
    """``str.format`` plus plural forms: ``{count:kanaal|kanalen}`` gives "1 kanaal" or
    "2 kanalen" (the number as the language writes it, "1.200"), ``{count:~is|zijn}`` the
    form alone. The choice follows the language's CLDR plural rule (Babel), not ``n == 1``."""

    def __init__(self, locale: str) -> None:
        self._locale = Locale.parse(locale)

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" not in format_spec:
            return super().format_field(value, format_spec)
        bare = format_spec.startswith("~")
        one, _, other = format_spec.removeprefix("~").partition("|")
        if not isinstance(value, int | float):  # a number already written out: as it is
            return other if bare else f"{value} {other}"
        form = one if self._locale.plural_form(abs(value)) == "one" else other
        return form if bare else f"{format_decimal(value, locale=self._locale)} {form}"


class Catalog:
    """Strings of one feature: ``catalog.get(locale, key, **values)``."""

    def __init__(self, name: str, strings: Mapping[str, Mapping[str, str]]) -> None:
        self.name = name
        self._strings = {loc: dict(strings.get(loc, {})) for loc in LOCALES}
        self._check()
        # Plain str.format where no plural is asked for: the vote path renders replies often.
        self._plural = {(loc, key) for loc, table in self._strings.items()
                        for key, text in table.items() if _has_plural(text)}
        self._formatters = {loc: _Formatter(loc) for loc in LOCALES}

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
        if locale not in self._strings:
            locale = DEFAULT_LOCALE
        text = self._strings[locale].get(key)
        if text is None:
            raise KeyError(f"catalog {self.name}: no key {key!r}")
        if not values:
            return text
        if (locale, key) in self._plural:
            return self._formatters[locale].vformat(text, (), values)
        return text.format(**values)
