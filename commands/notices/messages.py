"""Strings of work-system notifications."""

from __future__ import annotations

from commands.i18n import Catalog

TEXT = Catalog(
    "notices",
    {
        "nl": {
            "digest.title": "Je werkvoorraad: {summary}",
            "digest.count": "{count} {label}",
            "not_in_directory": "Je staat nog niet in de personenlijst van hartslag, dus ik "
            "stuur je geen meldingen. Vraag de beheerder je toe te voegen (`hartslag people "
            "import`).",
            "show": "Je krijgt meldingen **{mode}**. Samenvatting om {digest}; stille uren "
            "{quiet} (en in het weekend). Wijzigen: `/hartslag meldingen direct`, "
            "`/hartslag meldingen digest 08:30` of `/hartslag meldingen stil 18:00-08:00`.",
            "mode.immediate": "direct",
            "mode.digest": "één keer per dag als samenvatting",
            "set": "Opgeslagen. {show}",
            "bad_time": "`{value}` is geen tijd. Schrijf bijvoorbeeld `08:30`.",
            "bad_quiet": "`{value}` is geen tijdvak. Schrijf bijvoorbeeld `18:00-08:00`.",
            "failures.none": "Er zijn geen mislukte meldingen.",
            "failures.title": "**Meldingen die niet verwerkt konden worden** (nieuwste eerst):",
            "failures.line": "- #{id} `{source}` {day}: {reason}",
        },
        "en": {
            "digest.title": "Your work queue: {summary}",
            "digest.count": "{count} {label}",
            "not_in_directory": "You are not in hartslag's directory of people yet, so I send "
            "you no notifications. Ask the administrator to add you (`hartslag people "
            "import`).",
            "show": "You receive notifications **{mode}**. Digest at {digest}; quiet hours "
            "{quiet} (and at weekends). Change it: `/hartslag notifications direct`, "
            "`/hartslag notifications digest 08:30` or `/hartslag notifications quiet "
            "18:00-08:00`.",
            "mode.immediate": "immediately",
            "mode.digest": "once a day as a digest",
            "set": "Saved. {show}",
            "bad_time": "`{value}` is not a time. Write for example `08:30`.",
            "bad_quiet": "`{value}` is not a time range. Write for example `18:00-08:00`.",
            "failures.none": "There are no failed notifications.",
            "failures.title": "**Notifications that could not be processed** (newest first):",
            "failures.line": "- #{id} `{source}` {day}: {reason}",
        },
    },
)
