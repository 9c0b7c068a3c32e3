"""Strings of the core: the error boundary, refusals, help, language and roles."""

from __future__ import annotations

from commands.i18n import Catalog

CORE = Catalog(
    "core",
    {
        "nl": {
            "apology": "Sorry, daar ging iets mis aan onze kant. Probeer het zo nog eens; "
            "blijft het misgaan, meld het dan bij de beheerder.",
            "unknown_command": "Ik ken het commando `{name}` niet. Typ `/hartslag help` "
            "voor wat je kunt doen.",
            "unknown_action": "Deze knop werkt niet meer. Vraag het bericht opnieuw op.",
            "refused": "Dat mag alleen iemand met de rol {role}. Vraag een beheerder om "
            "die rol als je hem nodig hebt.",
            "too_long": "Dat is te lang voor mij: hooguit {limit} tekens. Maak het korter en "
            "probeer het opnieuw.",
            # shlex refuses only an unclosed quote or a lone \ at the end: say that, in
            # our words (its own English "No closing quotation" never reaches a reader).
            "bad_args": "Ik kan dit commando niet lezen: een aanhalingsteken wordt niet "
            "gesloten (of er staat een losse \\ aan het eind). Zet tekst met spaties tussen "
            "\"aanhalingstekens\".",
            "role.admin": "beheerder",
            "role.comms": "communicatie",
            "role.triage": "signalen-team",
            "role.manager": "leidinggevende",
            "help.title": "**hartslag**: wat je hier kunt doen",
            "help.more": "Typ `help <commando>` voor uitleg met een voorbeeld, bijvoorbeeld "
            "`help {example}`.",
            "help.unknown": "Ik ken het commando `{name}` niet. Dit kun je doen:",
            "tree.unknown_sub": "`{command} {word}` ken ik niet. Wat je met `{command}` kunt:"
            "\n{usage}",
            "tree.unknown_option": "De optie `--{option}` hoort niet bij dit commando. "
            "Gebruik: {usage}",
            "tree.needs_value": "Achter `--{option}` hoort een waarde. Gebruik: {usage}",
            "tree.missing": "Er ontbreekt {what}. Gebruik: {usage}",
            "tree.example": "Voorbeeld: `{example}`",
            "tree.bad_choice": "`{word}` past hier niet: kies {choices}. Gebruik: {usage}",
            "help.footer": "Je kunt ook gewoon een vraag stellen, bijvoorbeeld "
            "\"waar vind ik mijn loonstrook\". In een privébericht mag `/hartslag` weg.",
            "language.set": "Ik praat vanaf nu Nederlands met je.",
            "language.channel_set": "In dit kanaal praat ik vanaf nu Nederlands, met iedereen "
            "die zelf geen taal koos.",
            "language.show": "Je taal is Nederlands. Kies met `/hartslag taal en` voor Engels.",
            "language.bad": "`{value}` ken ik niet als taal. Kies `nl` (Nederlands) of "
            "`en` (English).",
            "role.bad_role": "`{value}` is geen rol. Kies uit: admin, comms, triage, manager.",
            "role.bad_user": "`{value}` is geen persoon. Schrijf `platform:id`, bijvoorbeeld "
            "`slack:U0123`, `matrix:@anna:example.org` of `local:anna`.",
            "role.team_needed": "De rol manager hoort bij een team: `/hartslag rol grant "
            "manager <persoon> <team>`.",
            "role.granted": "{user} heeft nu de rol {role}{team}.",
            "role.revoked": "{user} heeft de rol {role}{team} niet meer.",
            "role.not_found": "{user} had de rol {role}{team} niet (via chat).",
            "role.list_empty": "Er zijn nog geen rollen toegekend.",
            "role.list_title": "**Rollen** (uit de configuratie en via chat):",
            "role.team_suffix": " voor team {team}",
        },
        "en": {
            "apology": "Sorry, something went wrong on our side. Please try again in a "
            "moment; if it keeps failing, tell the administrator.",
            "unknown_command": "I don't know the command `{name}`. Type `/hartslag help` "
            "to see what you can do.",
            "unknown_action": "This button no longer works. Please ask for the message again.",
            "refused": "Only someone with the {role} role may do that. Ask an administrator "
            "for that role if you need it.",
            "too_long": "That is too long for me: at most {limit} characters. Please shorten it "
            "and try again.",
            "bad_args": "I can't read this command: a quote is not closed (or there is a lone "
            "\\ at the end). Put text with spaces between \"quotes\".",
            "role.admin": "administrator",
            "role.comms": "communications",
            "role.triage": "signals team",
            "role.manager": "manager",
            "help.title": "**hartslag**: what you can do here",
            "help.more": "Type `help <command>` for its usage with an example, for example "
            "`help {example}`.",
            "help.unknown": "I don't know the command `{name}`. This is what you can do:",
            "tree.unknown_sub": "I don't know `{command} {word}`. What you can do with "
            "`{command}`:\n{usage}",
            "tree.unknown_option": "The option `--{option}` does not belong to this command. "
            "Usage: {usage}",
            "tree.needs_value": "`--{option}` needs a value after it. Usage: {usage}",
            "tree.missing": "{what} is missing. Usage: {usage}",
            "tree.example": "Example: `{example}`",
            "tree.bad_choice": "`{word}` does not fit here: choose {choices}. Usage: {usage}",
            "help.footer": "You can also just ask a question, for example \"where is my "
            "payslip\". In a direct message you may leave out `/hartslag`.",
            "language.set": "I'll speak English with you from now on.",
            "language.channel_set": "In this channel I'll speak English from now on, with "
            "everyone who chose no language of their own.",
            "language.show": "Your language is English. Choose Dutch with `/hartslag "
            "language nl`.",
            "language.bad": "I don't know `{value}` as a language. Choose `nl` (Nederlands) "
            "or `en` (English).",
            "role.bad_role": "`{value}` is not a role. Choose from: admin, comms, triage, "
            "manager.",
            "role.bad_user": "`{value}` is not a person. Write `platform:id`, for example "
            "`slack:U0123`, `matrix:@anna:example.org` or `local:anna`.",
            "role.team_needed": "The manager role belongs to a team: `/hartslag role grant "
            "manager <person> <team>`.",
            "role.granted": "{user} now has the {role} role{team}.",
            "role.revoked": "{user} no longer has the {role} role{team}.",
            "role.not_found": "{user} did not have the {role} role{team} (via chat).",
            "role.list_empty": "No roles have been granted yet.",
            "role.list_title": "**Roles** (from the configuration and via chat):",
            "role.team_suffix": " for team {team}",
        },
    },
)
