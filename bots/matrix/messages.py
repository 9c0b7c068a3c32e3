"""Strings the Matrix adapter adds itself: how to answer a message with choices."""

from __future__ import annotations

from commands.i18n import Catalog

MATRIX = Catalog(
    "matrix",
    {
        "nl": {
            "hint.room": "Reageer met het cijfer van je keuze.",
            "hint.direct": "Antwoord met het nummer van je keuze, of reageer met het cijfer.",
            "number.range": "Kies een nummer van 1 tot {count}.",
        },
        "en": {
            "hint.room": "React with the number of your choice.",
            "hint.direct": "Reply with the number of your choice, or react with the digit.",
            "number.range": "Choose a number from 1 to {count}.",
        },
    },
)
