"""Strings of manager summaries."""

from __future__ import annotations

from commands.i18n import Catalog

SUMMARY = Catalog(
    "summaries",
    {
        "nl": {
            "chart_x": "Ronde (datum)",
            "chart_y_likert": "Gemiddelde (1 = oneens, 5 = eens)",
            "chart_y_enps": "eNPS (-100 tot 100)",
            "unknown_team": "Team `{team}` ken ik niet. Jij bent leidinggevende van: {mine}.",
            "not_your_team": "Je bent leidinggevende van {mine}, niet van `{team}`: die "
            "samenvatting is voor de leidinggevenden van dat team.",
            "bad_pulse": "`{word}` is geen nummer van een peiling. Gebruik: {usage}",
            "bad_switch": "Zet `aan` of `uit` achter het team. Gebruik: {usage}",
            "no_pulse": "Peiling {id} bestaat niet.",
            "trend": "{arrow} {delta} t.o.v. vorige ronde",
            "no_team": "Team `{team}` bestaat niet.",
            "nothing": "Er is nog geen gesloten peiling voor team `{team}`.",
            "title": "Team **{team}**: {title}, ronde {number} (gesloten {closed})",
            "too_few": "_Te weinig reacties om te tonen._",
            "too_few_text": "_Open antwoorden tonen we pas vanaf {k:reactie|reacties}._",
            "trend_head": "Verloop over de laatste {n:ronde|rondes} (– = te weinig reacties):",
            "heading": "Samenvatting {team}",
            "weekly_on": "Je krijgt elke maandag om 9:00 de samenvatting van team `{team}` "
            "als er die week een ronde sloot.",
            "weekly_off": "Geen wekelijkse samenvatting meer voor team `{team}`.",
        },
        "en": {
            "chart_x": "Round (date)",
            "chart_y_likert": "Average (1 = disagree, 5 = agree)",
            "chart_y_enps": "eNPS (-100 to 100)",
            "unknown_team": "I don't know team `{team}`. You manage: {mine}.",
            "not_your_team": "You manage {mine}, not `{team}`: that summary is for the managers "
            "of that team.",
            "bad_pulse": "`{word}` is not a poll number. Usage: {usage}",
            "bad_switch": "Put `on` or `off` after the team. Usage: {usage}",
            "no_pulse": "Poll {id} does not exist.",
            "trend": "{arrow} {delta} vs previous round",
            "no_team": "Team `{team}` does not exist.",
            "nothing": "There is no closed poll for team `{team}` yet.",
            "title": "Team **{team}**: {title}, round {number} (closed {closed})",
            "too_few": "_Not enough responses to show._",
            "too_few_text": "_Open answers are shown only from {k:response|responses}._",
            "trend_head": "Trend over the last {n:round|rounds} (– = not enough responses):",
            "heading": "Summary {team}",
            "weekly_on": "Every Monday at 9:00 you get the summary of team `{team}` when a "
            "round closed that week.",
            "weekly_off": "No more weekly summary for team `{team}`.",
        },
    },
)
