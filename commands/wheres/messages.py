"""User-facing text of "where do I find X", in Dutch (default) and English."""

from __future__ import annotations

from commands.i18n import Catalog

TEXT = Catalog("wheres", {
    "nl": {
        "usage.where": "Wat zoek je? Bijvoorbeeld: `waar vind ik mijn salarisstrook`",
        "answer.more": "Meer: {url}",
        "answer.alternatives": "Bedoel je misschien:",
        "abstain": "Dat weet ik (nog) niet zeker, dus ik gok liever niet. Ik heb je vraag "
                   "doorgegeven zodat de kennisbank beter wordt.",
        "abstain.hints": "Misschien helpt een van deze:",
        "empty": "De kennisbank is nog leeg.",
        "button.helped": "Dit hielp",
        "button.unhelpful": "Hielp niet",
        "feedback.thanks": "Dank je, dat helpt ons de antwoorden beter te maken.",
        "feedback.sorry": "Jammer. We kijken ernaar; je vraag komt op de lijst voor de "
                          "kennisbank.",
        "feedback.done": "Je feedback is al genoteerd.",
        "feedback.unknown": "Die vraag ken ik niet meer.",
        "entry.gone": "Dat antwoord bestaat niet meer.",
        "faq.invalid": "Dat item klopt niet: {reason}",
        "faq.exists": "Er is al een item `{id}`; gebruik `faq edit {id}`.",
        "faq.missing": "Er is geen item `{id}`.",
        "faq.added": "Item `{id}` toegevoegd.",
        "faq.edited": "Item `{id}` bijgewerkt.",
        "faq.unchanged": "Item `{id}` was al zo.",
        "faq.removed": "Item `{id}` verwijderd.",
        "faq.list.empty": "Geen items gevonden.",
        "faq.list.title": "Items in de kennisbank ({count}):",
        "faq.list.more": "... en nog {count}.",
        "faq.show": "`{id}` ({lang}, eigenaar: {owner}, review elke {days:dag|dagen}, "
                    "{helped} keer "
                    "geholpen, {unhelpful} keer niet)\n**{question}**\n{answer}\n{url}\n"
                    "Trefwoorden: {keywords}\nAliassen: {aliases}",
        "faq.nobody": "niemand",
        "faq.none": "geen",
        "faq.not_owner": "Alleen de eigenaar van `{id}` of de communicatierol mag dit.",
        "faq.question.missing": "Er is geen vraag met nummer {number}.",
        "faq.alias.added": "“{text}” is nu een alias van `{id}`; zo'n vraag krijgt voortaan dat "
                           "antwoord.",
        "faq.alias.exists": "“{text}” hoorde al bij `{id}`.",
        "faq.reviewed": "`{id}` is gemarkeerd als gecontroleerd.",
        "faq.dismissed": "Vraag {number} staat niet meer op de lijst.",
        "gaps.none": "Geen onbeantwoorde of onbehulpzame vragen.",
        "gaps.title": "Vragen zonder goed antwoord ({count}):",
        "gaps.line": "{number}. “{text}”: {count} keer ({unanswered} onbeantwoord, {unhelpful} "
                     "hielp niet){entry}",
        "gaps.entry": ", dichtstbij: `{id}`",
        "gaps.hint": "Bevestig een vraag als parafrase met de knop of `faq alias <nummer> <id>`.",
        "gaps.confirm": "{number} hoort bij {id}",
        "digest.title": "**Wekelijkse lijst van de kennisbank**",
        "review.title": "**Tijd voor een controle**: deze items zijn langer dan hun "
                        "reviewtermijn niet bekeken:",
        "review.line": "- `{id}`: {question} (laatst gecontroleerd {date})",
        "review.hint": "Pas ze aan met `faq edit <id>` of bevestig met `faq reviewed <id>`.",
        "import.summary": "{created} nieuw, {updated} bijgewerkt, {unchanged} ongewijzigd, "
                          "{invalid} ongeldig",
        "import.invalid": "{position} ({id}): {reason}",
    },
    "en": {
        "usage.where": "What are you looking for? For example: `where is my payslip`",
        "answer.more": "More: {url}",
        "answer.alternatives": "Or did you mean:",
        "abstain": "I am not sure about that one, so I would rather not guess. I passed your "
                   "question on so the knowledge base gets better.",
        "abstain.hints": "One of these may help:",
        "empty": "The knowledge base is still empty.",
        "button.helped": "This helped",
        "button.unhelpful": "Did not help",
        "feedback.thanks": "Thank you, that helps us improve the answers.",
        "feedback.sorry": "Sorry about that. Your question goes on the list for the knowledge "
                          "base.",
        "feedback.done": "Your feedback was already recorded.",
        "feedback.unknown": "I no longer know that question.",
        "entry.gone": "That answer no longer exists.",
        "faq.invalid": "That entry is not valid: {reason}",
        "faq.exists": "There already is an entry `{id}`; use `faq edit {id}`.",
        "faq.missing": "There is no entry `{id}`.",
        "faq.added": "Entry `{id}` added.",
        "faq.edited": "Entry `{id}` updated.",
        "faq.unchanged": "Entry `{id}` was already like that.",
        "faq.removed": "Entry `{id}` removed.",
        "faq.list.empty": "No entries found.",
        "faq.list.title": "Entries in the knowledge base ({count}):",
        "faq.list.more": "... and {count} more.",
        "faq.show": "`{id}` ({lang}, owner: {owner}, review every {days:day|days}, helped "
                    "{helped:time|times}, not {unhelpful:time|times})\n**{question}**\n"
                    "{answer}\n{url}\n"
                    "Keywords: {keywords}\nAliases: {aliases}",
        "faq.nobody": "nobody",
        "faq.none": "none",
        "faq.not_owner": "Only the owner of `{id}` or the comms role may do this.",
        "faq.question.missing": "There is no question number {number}.",
        "faq.alias.added": "“{text}” is now an alias of `{id}`; such questions get that answer "
                           "from now on.",
        "faq.alias.exists": "“{text}” already belonged to `{id}`.",
        "faq.reviewed": "`{id}` is marked as reviewed.",
        "faq.dismissed": "Question {number} is off the list.",
        "gaps.none": "No unanswered or unhelpful questions.",
        "gaps.title": "Questions without a good answer ({count}):",
        "gaps.line": "{number}. “{text}”: {count} times ({unanswered} unanswered, {unhelpful} "
                     "did not help){entry}",
        "gaps.entry": ", closest: `{id}`",
        "gaps.hint": "Confirm a question as a paraphrase with its button or "
                     "`faq alias <number> <id>`.",
        "gaps.confirm": "{number} belongs to {id}",
        "digest.title": "**Weekly knowledge base list**",
        "review.title": "**Time for a review**: these entries are past their review interval:",
        "review.line": "- `{id}`: {question} (last reviewed {date})",
        "review.hint": "Update them with `faq edit <id>` or confirm with `faq reviewed <id>`.",
        "import.summary": "{created} new, {updated} updated, {unchanged} unchanged, "
                          "{invalid} invalid",
        "import.invalid": "{position} ({id}): {reason}",
    },
})
