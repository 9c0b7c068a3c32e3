"""Strings of the ``team`` command."""

from __future__ import annotations

from commands.i18n import Catalog

ORG = Catalog(
    "org",
    {
        "nl": {
            "bad_name": "`{value}` is geen geldige teamnaam: gebruik letters, cijfers, `-`, `_` "
            "of `.` (hoogstens 100 tekens).",
            "no_team": "Team `{team}` bestaat niet. `/hartslag team list` toont de teams.",
            "not_your_team": "Je bent geen leidinggevende van team `{team}`; je kunt alleen "
            "de teams bekijken die jij leidt.",
            "no_parent": "Het bovenliggende team `{team}` bestaat niet.",
            "cycle": "Dan zou team `{team}` onder zichzelf hangen; kies een ander bovenliggend team.",
            "bad_user": "`{value}` is geen persoon. Schrijf `platform:id`, bijvoorbeeld "
            "`slack:U0123` of `local:anna`.",
            "added": "Team `{team}` staat erin{parent}.",
            "parent_suffix": " (onder `{parent}`)",
            "removed": "Team `{team}` is verwijderd; subteams hangen nu een niveau hoger.",
            "people_changed": "Team `{team}`: {count:wijziging|wijzigingen} bij de {what}.",
            "what.member": "leden",
            "what.manager": "leidinggevenden",
            "list_empty": "Er zijn nog geen teams. Maak er een met `/hartslag team add <team>`.",
            "list_title": "**Teams**",
            "list_line": "`{team}`{parent}: {members:lid|leden}, {managers:leidinggevende|leidinggevenden}",
            "show": "**Team {team}**{parent}\nLeden ({count}): {members}\n"
            "Leidinggevenden: {managers}\nSubteams: {children}",
            "none": "geen",
        },
        "en": {
            "bad_name": "`{value}` is not a valid team name: use letters, digits, `-`, `_` or "
            "`.` (at most 100 characters).",
            "no_team": "Team `{team}` does not exist. `/hartslag team list` shows the teams.",
            "not_your_team": "You are not a manager of team `{team}`; you can only look at the "
            "teams you manage.",
            "no_parent": "The parent team `{team}` does not exist.",
            "cycle": "That would put team `{team}` below itself; choose another parent team.",
            "bad_user": "`{value}` is not a person. Write `platform:id`, for example "
            "`slack:U0123` or `local:anna`.",
            "added": "Team `{team}` is saved{parent}.",
            "parent_suffix": " (under `{parent}`)",
            "removed": "Team `{team}` is removed; its sub-teams moved up one level.",
            "people_changed": "Team `{team}`: {count:change|changes} to the {what}.",
            "what.member": "members",
            "what.manager": "managers",
            "list_empty": "There are no teams yet. Create one with `/hartslag team add <team>`.",
            "list_title": "**Teams**",
            "list_line": "`{team}`{parent}: {members:member|members}, {managers:manager|managers}",
            "show": "**Team {team}**{parent}\nMembers ({count}): {members}\n"
            "Managers: {managers}\nSub-teams: {children}",
            "none": "none",
        },
    },
)
