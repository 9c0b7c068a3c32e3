"""Base for every settings section: frozen, and unknown keys are errors (a typo in the
config must not be silently ignored)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

from commands.i18n import LOCALES


class Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _locale_or_empty(value: str) -> str:
    if value and value not in LOCALES:
        raise ValueError(f"must be one of {', '.join(LOCALES)} or empty")
    return value


# A platform's default language: a locale the bot speaks, or empty for the root [locale].
LocaleOrEmpty = Annotated[str, AfterValidator(_locale_or_empty)]
