"""Strings the Matrix adapter adds itself: how to answer a message with choices, and what to
change when the bot cannot read an encrypted message."""

from __future__ import annotations

from commands.i18n import Catalog

MATRIX = Catalog(
    "matrix",
    {
        "nl": {
            "hint.room": "Reageer met het cijfer van je keuze.",
            "hint.direct": "Antwoord met het nummer van je keuze, of reageer met het cijfer.",
            "number.range": "Kies een nummer van 1 tot {count}.",
            "crypto.unverified": (
                "Ik kan je berichten niet lezen: je app deelt de sleutels alleen met "
                "geverifieerde sessies. Verifieer hartslag (in Element: klik op de naam van "
                "de bot en kies Verifiëren), of zet \"Alleen naar geverifieerde sessies "
                "versturen\" uit voor dit gesprek. Stuur je bericht daarna opnieuw."
            ),
            "crypto.blacklisted": (
                "Ik kan je berichten niet lezen: je app heeft de sessie van hartslag "
                "geblokkeerd. Deblokkeer die sessie (in Element: klik op de naam van de bot, "
                "open Sessies) en stuur je bericht daarna opnieuw."
            ),
            "crypto.undecryptable": (
                "Ik kon je laatste bericht niet ontsleutelen. Stuur het nog eens. Gebeurt dit "
                "vaker, kijk dan of je app alleen naar geverifieerde sessies versleutelt en "
                "zet dat uit voor dit gesprek, of verifieer hartslag."
            ),
        },
        "en": {
            "hint.room": "React with the number of your choice.",
            "hint.direct": "Reply with the number of your choice, or react with the digit.",
            "number.range": "Choose a number from 1 to {count}.",
            "crypto.unverified": (
                "I cannot read your messages: your app shares its keys with verified sessions "
                "only. Verify hartslag (in Element: click the bot's name and choose Verify), "
                "or turn off \"Never send encrypted messages to unverified sessions\" for "
                "this conversation. Then send your message again."
            ),
            "crypto.blacklisted": (
                "I cannot read your messages: your app has blocked hartslag's session. "
                "Unblock that session (in Element: click the bot's name, open Sessions) and "
                "send your message again."
            ),
            "crypto.undecryptable": (
                "I could not decrypt your last message. Please send it again. If this keeps "
                "happening, check whether your app encrypts for verified sessions only and "
                "turn that off for this conversation, or verify hartslag."
            ),
        },
    },
)
