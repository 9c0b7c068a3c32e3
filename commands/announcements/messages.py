"""Strings of announcements, Dutch (default) and English."""

from __future__ import annotations

from commands.i18n import Catalog

TEXT = Catalog(
    "announcements",
    {
        "nl": {
            # -- composing --------------------------------------------------------------
            "need_title": "Geef een titel: `--titel \"Nieuw rooster\"`.",
            "bad_title": "De titel is te lang of heeft meerdere regels; houd hem op één "
            "regel en hoogstens {max} tekens.",
            "need_targets": "Zeg waarheen: `--naar \"slack:C0123 local:#algemeen\"` of "
            "`--doelgroep naam` (zie `/hartslag aankondiging doelgroep lijst`).",
            "too_many_targets": "Meer dan {max:kanaal|kanalen} in één aankondiging; splits hem of "
            "vraag de beheerder om `max_targets` te verhogen.",
            "platform_off": "Platform `{platform}` staat niet aan in deze installatie; "
            "ingeschakeld: {enabled}.",
            "unknown_audience": "Doelgroep `{name}` bestaat niet. Bekende doelgroepen: {known}.",
            "bad_variable": "`{name}` is geen geldige variabelenaam; gebruik letters, cijfers "
            "en _ (bijvoorbeeld `naam=Anna`).",
            "body_or_template": "Geef `--tekst` of `--sjabloon`, niet allebei.",
            "unknown_template": "Sjabloon `{name}` bestaat niet; zie `/hartslag aankondiging "
            "sjabloon lijst`.",
            "need_body": "Geef de tekst: `--tekst \"...\"` (Markdown mag), of een sjabloon "
            "met `--sjabloon naam`.",
            "bad_body": "De tekst is langer dan {max} tekens; maak hem korter of verwijs "
            "naar intranet.",
            "template_empty": "Het sjabloon levert een lege tekst op; vul het sjabloon of "
            "de variabelen aan.",
            "template_line": " op regel {line}",
            "template_syntax": "de opmaak klopt niet",
            "template_syntax_unexpected": "de opmaak klopt niet: `{detail}` staat op een plek "
            "waar het niet hoort",
            "template_syntax_unclosed": "de opmaak klopt niet: een `{{{{ ... }}}}` of "
            "`{{% {detail} %}}` wordt niet afgesloten",
            "template_syntax_tag": "de opmaak klopt niet: `{{% {detail} %}}` ken ik niet",
            "template_syntax_filter": "de opmaak klopt niet: het filter `{detail}` bestaat niet",
            "template_undefined": "de variabele `{detail}` ontbreekt; geef hem mee als "
            "`{detail}=waarde`",
            "template_unsafe": "`{detail}` mag niet in een sjabloon (namen met `_` en interne "
            "onderdelen zijn afgeschermd)",
            "template_too_long": "het sjabloon is te groot (meer dan {detail} tekens)",
            "template_error": "het sjabloon kan niet worden ingevuld; kijk de berekeningen en "
            "filters na{detail}",
            "template_failed": "Sjabloonfout{where}: {reason}. Er is niets opgeslagen of "
            "ingepland.",
            "never_fires": "Dat tijdstip komt nooit (meer) voor; kies een ander.",
            "need_moment": "Voor {what} heb ik één tijdstip nodig, bijvoorbeeld "
            "\"vrijdag 17:00\" of \"2026-12-01 12:00\", geen herhaling.",
            "what_ack": "de gelezen-datum",
            "what_embargo": "het embargo",
            "ack_before_send": "De gelezen-datum ({due}) ligt vóór het versturen ({send}); "
            "kies een latere datum.",
            "embargo_recurring": "Een embargo kan alleen bij een eenmalige aankondiging, "
            "niet bij een herhaling.",
            "embargo_late": "Dit kan niet: het embargo is {embargo} en medewerkers moeten "
            "het {lead:minuut|minuten} eerder hebben, dus uiterlijk {latest}, maar het gaat pas "
            "{send} uit. Kies een eerder tijdstip (`--om`) of een later embargo.",
            "when_now": "direct na bevestigen",
            "bad_target_form": "`{target}` is geen kanaal. Schrijf `platform:kanaal`, "
            "bijvoorbeeld {examples}.",
            "bad_target_platform": "`{target}`: onbekend platform. Kies uit {platforms}, "
            "bijvoorbeeld {examples}.",
            "bad_target_channel": "`{target}` is geen kanaal van {platform}. Schrijf het als "
            "{forms}.",
            "stray_word": "Ik weet niet wat ik met `{word}` moet. Zet tekst met spaties "
            "tussen aanhalingstekens achter een optie, en variabelen als `naam=waarde`.",
            "need_id": "Geef het nummer van de aankondiging, bijvoorbeeld "
            "`/hartslag aankondiging toon 12`.",
            "unknown_id": "Aankondiging {id} bestaat niet; zie `/hartslag aankondiging lijst`.",
            # -- the message ----------------------------------------------------------------
            "ack_button": "Gelezen",
            "ack_due_line": "_Druk op Gelezen als je dit gelezen hebt (graag vóór {due})._",
            "ack_line": "_Druk op Gelezen als je dit gelezen hebt._",
            "ack_thanks": "Dank je, genoteerd dat je \"{title}\" gelezen hebt.",
            "ack_again": "Je had \"{title}\" al als gelezen gemarkeerd; het telt één keer.",
            "ack_closed": "Voor deze aankondiging wordt niet (meer) bijgehouden wie hem las.",
            "reminder": "Herinnering: wil je de aankondiging **{title}** lezen en op "
            "Gelezen drukken? Dat werd gevraagd vóór {due}.",
            # -- preview and summary --------------------------------------------------------
            "preview_head": "**Voorbeeld van aankondiging #{id}** (nog niet verstuurd):",
            "preview_foot": "Klopt het? Bevestig hieronder. Aanpassen kan met "
            "`/hartslag aankondiging wijzig {id} ...`.",
            "show_head": "**Aankondiging #{id}** ({state}):",
            "sum_targets": "Naar: {targets}",
            "sum_audiences": "Doelgroepen: {names}",
            "sum_when": "Wanneer: {when}",
            "sum_ack_due": "Gelezen-knop: ja, herinnering aan wie niet las na {due}",
            "sum_ack": "Gelezen-knop: ja",
            "sum_embargo": "Embargo: {embargo} (medewerkers krijgen het minstens "
            "{lead:minuut|minuten} eerder)",
            "sum_template": "Sjabloon: {name}",
            "sum_mentions": "Vermeldingen (@channel, @here) werken in dit bericht",
            "sum_approval": "Goedkeuring: nodig door een tweede communicatie-collega",
            "confirm_send": "Versturen",
            "confirm_schedule": "Inplannen",
            "confirm_approval": "Ter goedkeuring aanbieden",
            "discard_button": "Annuleren",
            "discarded": "Aankondiging #{id} is weggegooid; er is niets verstuurd.",
            "only_author": "Alleen wie aankondiging #{id} opstelde kan dit bevestigen.",
            "already_handled": "Aankondiging #{id} is al verwerkt (status: {state}).",
            # -- approval -------------------------------------------------------------------
            "approval_head": "**Goedkeuring gevraagd** voor aankondiging #{id} van {author}:",
            "approval_foot": "Ook met `/hartslag aankondiging goedkeuren {id}` of "
            "`/hartslag aankondiging afwijzen {id} <reden>`.",
            "approve_button": "Goedkeuren",
            "reject_button": "Afwijzen",
            "sent_for_approval": "Aankondiging #{id} is ter goedkeuring aangeboden "
            "({count:verzoek|verzoeken}). Er gaat niets uit voor een collega goedkeurt; je hoort "
            "de uitkomst.",
            "no_approvers": "Er is geen andere communicatie-collega om goed te keuren. "
            "Vraag een beheerder iemand de rol comms te geven, of stel `approval_channel` in.",
            "own_approval": "Je kunt je eigen aankondiging niet goedkeuren of afwijzen; "
            "dat doet een andere communicatie-collega.",
            "already_decided": "Over aankondiging #{id} is al beslist (status: {state}).",
            "approved": "Aankondiging #{id} is goedgekeurd. {outcome}",
            "rejected": "Aankondiging #{id} is afgewezen; de opsteller hoort het.",
            "told_approved": "Je aankondiging #{id} \"{title}\" is goedgekeurd door {who}. "
            "{outcome}",
            "told_rejected": "Je aankondiging #{id} \"{title}\" is afgewezen door {who}. "
            "Reden: {note}. Pas hem aan met `/hartslag aankondiging wijzig {id} ...` (dan gaat "
            "hij opnieuw ter goedkeuring), of gooi hem weg met "
            "`/hartslag aankondiging annuleer {id}`.",
            "outcome_sent": "Hij gaat nu uit naar {count:kanaal|kanalen}.",
            "outcome_scheduled": "Ingepland: {when} (eerstvolgende keer {next}).",
            # -- manage ----------------------------------------------------------------------
            "state_draft": "concept",
            "state_pending": "wacht op goedkeuring",
            "state_scheduled": "ingepland",
            "state_paused": "gepauzeerd",
            "state_sent": "verstuurd",
            "state_cancelled": "geannuleerd",
            "state_rejected": "afgewezen",
            "state_queued": "in de wachtrij",
            "cli_no_server": "Let op: er draait nu geen hartslag-server op deze database. Alles "
            "staat klaar in de wachtrij en gaat uit zodra `hartslag run` draait.",
            "not_open": "Aankondiging #{id} kan niet meer worden gewijzigd of geannuleerd "
            "(status: {state}).",
            "cancelled": "Aankondiging #{id} is geannuleerd ("
            "{stopped:nog niet verstuurd bericht|nog niet verstuurde berichten} tegengehouden).",
            "cannot_pause": "Aankondiging #{id} kan niet gepauzeerd worden (status: {state}).",
            "cannot_resume": "Aankondiging #{id} is niet gepauzeerd (status: {state}).",
            "paused": "Aankondiging #{id} is gepauzeerd; hervat met `/hartslag aankondiging "
            "hervat {id}`.",
            "resumed": "Aankondiging #{id} loopt weer.",
            "list_none": "Er zijn geen open of ingeplande aankondigingen.",
            "list_head": "**Aankondigingen**",
            "list_item": "- #{id} **{title}** ({state}), {when}; volgende keer: {next}",
            # The way forward from each state, named wherever the state is shown.
            "next_draft": "Nog niet bevestigd: `/hartslag aankondiging toon {id}` geeft de knop "
            "Versturen, `/hartslag aankondiging annuleer {id}` gooit hem weg.",
            "next_pending": "Wacht op goedkeuring door een andere communicatie-collega; "
            "intrekken met `/hartslag aankondiging annuleer {id}`.",
            "next_scheduled": "Aanpassen met `/hartslag aankondiging wijzig {id} ...`, "
            "pauzeren met `/hartslag aankondiging pauzeer {id}`.",
            "next_paused": "Hervatten met `/hartslag aankondiging hervat {id}`.",
            "next_sent": "Bereik en lezers: `/hartslag aankondiging bereik {id}`.",
            "next_rejected": "Aanpassen en opnieuw aanbieden met `/hartslag aankondiging wijzig "
            "{id} ...`, weggooien met `/hartslag aankondiging annuleer {id}`.",
            "next_cancelled": "Geannuleerd; een nieuwe maak je met `/hartslag aankondiging nieuw`.",
            # -- delivery reports ----------------------------------------------------------
            "progress": "{done}/{total} verzonden, klaar rond {eta}",
            "progress_unknown": "{done}/{total} verzonden",
            "progress_done": "{done}/{total} verzonden, klaar ({failed} mislukt)",
            "progress_none": "Aankondiging #{id} is nog niet verstuurd.",
            "told_progress": "Aankondiging #{id}: {line}",
            "told_delivered": "Aankondiging #{id} \"{title}\" is bezorgd: {sent} van "
            "{total:kanaal|kanalen}.",
            "told_failures": "Aankondiging #{id} \"{title}\": {sent} van {total} bezorgd, "
            "{failed} mislukt:\n{failures}\nDe andere kanalen hebben hem wel gekregen.",
            "stats_head": "**Bereik van aankondiging #{id}** \"{title}\" ({state})",
            "stats_columns": "kanaal|bezorgd|mislukt|wachtend|gelezen|leden|aandeel|reacties",
            "stats_acks": "Gelezen: {count:persoon|personen} in totaal (ieder telt één keer).",
            "stats_no_ack": "Deze aankondiging had geen Gelezen-knop.",
            "stats_error": "Mislukt in `{target}`: {error}",
            "stats_reactions_total": "Reacties (emoji): {count} in totaal.",
            "stats_reactions_partial": "Reacties (emoji): {count} in totaal waar bekend; "
            "onbekend in {unknown:kanaal|kanalen} (dat platform geeft ze niet door).",
            "stats_reactions_unknown": "_Reacties (emoji): onbekend, dit platform geeft ze "
            "niet door._",
            "unknown": "onbekend",
            "chart_legend": "gelezen|nog niet gelezen|mislukt",
            "readers_head": "**Wie las aankondiging #{id}** \"{title}\": {read} gelezen, "
            "{unread} nog niet, {overdue} te laat",
            "group_overdue": "Te laat (niet gelezen na de datum)",
            "group_unread": "Nog niet gelezen",
            "group_read": "Gelezen",
            "person_read": "{name} ({at})",
            "readers_more": "... en nog {count:persoon|personen}.",
            "readers_unknown": "Van {targets} geeft het platform geen ledenlijst; daar tel "
            "ik alleen wie op Gelezen drukte.",
            # -- audiences and templates ---------------------------------------------------
            "bad_name": "`{name}` kan geen naam zijn: kleine letters, cijfers, - en _, "
            "hoogstens 60 tekens.",
            "audience_usage": "Gebruik: `/hartslag aankondiging doelgroep toevoegen <naam> "
            "<kanalen...> [--vier-ogen]`, `doelgroep lijst` of `doelgroep verwijder <naam>`.",
            "audience_none": "Er zijn nog geen doelgroepen. Maak er een met "
            "`/hartslag aankondiging doelgroep toevoegen alle-medewerkers slack:C0123 local:#algemeen`.",
            "audience_list": "**Doelgroepen**",
            "audience_four_eyes": " (vier-ogen)",
            "audience_added": "Doelgroep **{name}** gemaakt met {count:kanaal|kanalen}{eyes}.",
            "audience_updated": "Doelgroep **{name}** bijgewerkt: {count:kanaal|kanalen}{eyes}.",
            "audience_removed": "Doelgroep **{name}** is verwijderd.",
            "template_usage": "Gebruik: `/hartslag aankondiging sjabloon toevoegen <naam> --tekst "
            "\"...\"`, `sjabloon lijst`, `sjabloon toon <naam>` of `sjabloon verwijder <naam>`.",
            "template_none": "Er zijn nog geen sjablonen.",
            "template_list": "**Sjablonen**",
            "template_item": "- **{name}** (variabelen: {variables})",
            "template_added": "Sjabloon **{name}** opgeslagen (variabelen: {variables}).",
            "template_updated": "Sjabloon **{name}** bijgewerkt (variabelen: {variables}).",
            "template_show": "Sjabloon **{name}**:",
            "template_deleted": "Sjabloon **{name}** is verwijderd.",
            # -- form --------------------------------------------------------------------------
            "form_title": "Nieuwe aankondiging",
            "form_submit": "Voorbeeld",
            "form_fallback": "Hier kan geen formulier open; gebruik het commando, "
            "bijvoorbeeld:\n`/hartslag aankondiging nieuw --titel \"Nieuw rooster\" --tekst "
            "\"Vanaf maandag...\" --naar local:#algemeen --gelezen \"vrijdag 17:00\"`\n"
            "Alle opties: `/hartslag aankondiging help`.",
            "field_title": "Titel",
            "field_body": "Tekst (Markdown)",
            "field_targets": "Kanalen",
            "field_audiences": "Doelgroepen",
            "field_template": "Sjabloon",
            "field_variables": "Variabelen",
            "field_when": "Wanneer",
            "field_ack": "Gelezen-knop",
            "field_ack_due": "Gelezen vóór",
            "field_embargo": "Embargo",
            "field_allow_mentions": "@channel / @here laten werken",
            "hint_title": "Eén regel, hoogstens 150 tekens",
            "hint_body": "Leeg laten als je een sjabloon kiest. In Slack past hier hooguit 3000 "
            "tekens; een langere tekst kan met `/hartslag aankondiging nieuw --tekst ...` of een "
            "sjabloon",
            "hint_targets": "platform:kanaal, gescheiden door spaties: slack:C0123 local:#algemeen",
            "hint_audiences": "Namen van doelgroepen, gescheiden door spaties",
            "hint_template": "Naam van een sjabloon (optioneel)",
            "hint_variables": "Eén per regel: naam=waarde",
            "hint_when": "Leeg = direct; of 'morgen 9:00', 'elke maandag 9:00'",
            "hint_ack": "Met een knop Gelezen",
            "hint_ack_due": "Bijvoorbeeld 'vrijdag 17:00'; daarna volgt een herinnering",
            "hint_embargo": "Tijdstip van het persbericht; medewerkers krijgen het eerder",
            "hint_allow_mentions": "Alleen als iedereen echt een melding moet krijgen",
        },
        "en": {
            "need_title": "Give a title: `--title \"New rota\"`.",
            "bad_title": "The title is too long or has several lines; keep it to one line "
            "of at most {max} characters.",
            "need_targets": "Say where to: `--to \"slack:C0123 local:#algemeen\"` or "
            "`--audience name` (see `/hartslag announce audience list`).",
            "too_many_targets": "More than {max:channel|channels} in one announcement; split it or "
            "ask the administrator to raise `max_targets`.",
            "platform_off": "Platform `{platform}` is not enabled here; enabled: {enabled}.",
            "unknown_audience": "Audience `{name}` does not exist. Known audiences: {known}.",
            "bad_variable": "`{name}` is not a valid variable name; use letters, digits and "
            "_ (for example `name=Anna`).",
            "body_or_template": "Give `--body` or `--template`, not both.",
            "unknown_template": "Template `{name}` does not exist; see `/hartslag announce "
            "template list`.",
            "need_body": "Give the text: `--body \"...\"` (Markdown is fine), or a template "
            "with `--template name`.",
            "bad_body": "The text is longer than {max} characters; shorten it or link to "
            "the intranet.",
            "template_empty": "The template renders to an empty text; complete the template "
            "or the variables.",
            "template_line": " on line {line}",
            "template_syntax": "the syntax is wrong",
            "template_syntax_unexpected": "the syntax is wrong: `{detail}` is in a place where "
            "it does not belong",
            "template_syntax_unclosed": "the syntax is wrong: a `{{{{ ... }}}}` or "
            "`{{% {detail} %}}` is not closed",
            "template_syntax_tag": "the syntax is wrong: I don't know `{{% {detail} %}}`",
            "template_syntax_filter": "the syntax is wrong: there is no filter `{detail}`",
            "template_undefined": "the variable `{detail}` is missing; pass it as "
            "`{detail}=value`",
            "template_unsafe": "`{detail}` is not allowed in a template (names with `_` and "
            "internals are shielded)",
            "template_too_long": "the template is too big (more than {detail} characters)",
            "template_error": "the template cannot be filled in; check its calculations and "
            "filters{detail}",
            "template_failed": "Template error{where}: {reason}. Nothing was stored or "
            "scheduled.",
            "never_fires": "That time never comes (again); pick another.",
            "need_moment": "For {what} I need one point in time, for example \"friday "
            "17:00\" or \"2026-12-01 12:00\", not a recurrence.",
            "what_ack": "the read-by date",
            "what_embargo": "the embargo",
            "ack_before_send": "The read-by date ({due}) is before sending ({send}); pick a "
            "later date.",
            "embargo_recurring": "An embargo only works with a one-off announcement, not a "
            "recurring one.",
            "embargo_late": "Not possible: the embargo is {embargo} and employees must have "
            "it {lead:minute|minutes} earlier, so by {latest}, but it would only go out {send}. "
            "Pick an earlier time (`--at`) or a later embargo.",
            "when_now": "right after confirming",
            "bad_target_form": "`{target}` is not a channel. Write `platform:channel`, for "
            "example {examples}.",
            "bad_target_platform": "`{target}`: unknown platform. Choose one of {platforms}, "
            "for example {examples}.",
            "bad_target_channel": "`{target}` is not a channel on {platform}. Write it as "
            "{forms}.",
            "stray_word": "I don't know what to do with `{word}`. Put text with spaces in "
            "quotes after an option, and variables as `name=value`.",
            "need_id": "Give the announcement's number, for example `/hartslag announce "
            "show 12`.",
            "unknown_id": "Announcement {id} does not exist; see `/hartslag announce list`.",
            "ack_button": "Read",
            "ack_due_line": "_Press Read once you have read this (please before {due})._",
            "ack_line": "_Press Read once you have read this._",
            "ack_thanks": "Thanks, noted that you read \"{title}\".",
            "ack_again": "You had already marked \"{title}\" as read; it counts once.",
            "ack_closed": "Reading is not (or no longer) tracked for this announcement.",
            "reminder": "Reminder: would you read the announcement **{title}** and press "
            "Read? It was asked before {due}.",
            "preview_head": "**Preview of announcement #{id}** (not sent yet):",
            "preview_foot": "All right? Confirm below. Change it with "
            "`/hartslag announce edit {id} ...`.",
            "show_head": "**Announcement #{id}** ({state}):",
            "sum_targets": "To: {targets}",
            "sum_audiences": "Audiences: {names}",
            "sum_when": "When: {when}",
            "sum_ack_due": "Read button: yes, a reminder to those who haven't read it after "
            "{due}",
            "sum_ack": "Read button: yes",
            "sum_embargo": "Embargo: {embargo} (employees get it at least "
            "{lead:minute|minutes} earlier)",
            "sum_template": "Template: {name}",
            "sum_mentions": "Mentions (@channel, @here) work in this message",
            "sum_approval": "Approval: needed from a second communications colleague",
            "confirm_send": "Send",
            "confirm_schedule": "Schedule",
            "confirm_approval": "Submit for approval",
            "discard_button": "Cancel",
            "discarded": "Announcement #{id} was discarded; nothing was sent.",
            "only_author": "Only the author of announcement #{id} can confirm this.",
            "already_handled": "Announcement #{id} was already handled (status: {state}).",
            "approval_head": "**Approval requested** for announcement #{id} by {author}:",
            "approval_foot": "Also with `/hartslag announce approve {id}` or "
            "`/hartslag announce reject {id} <reason>`.",
            "approve_button": "Approve",
            "reject_button": "Reject",
            "sent_for_approval": "Announcement #{id} was submitted for approval ("
            "{count:request|requests}). Nothing goes out before a colleague approves; you'll hear the "
            "outcome.",
            "no_approvers": "There is no other communications colleague to approve. Ask an "
            "administrator to give someone the comms role, or set `approval_channel`.",
            "own_approval": "You cannot approve or reject your own announcement; another "
            "communications colleague does that.",
            "already_decided": "Announcement #{id} was already decided (status: {state}).",
            "approved": "Announcement #{id} is approved. {outcome}",
            "rejected": "Announcement #{id} is rejected; the author will hear it.",
            "told_approved": "Your announcement #{id} \"{title}\" was approved by {who}. "
            "{outcome}",
            "told_rejected": "Your announcement #{id} \"{title}\" was rejected by {who}. "
            "Reason: {note}. Change it with `/hartslag announce edit {id} ...` (it goes for "
            "approval again), or throw it away with `/hartslag announce cancel {id}`.",
            "outcome_sent": "It goes out now to {count:channel|channels}.",
            "outcome_scheduled": "Scheduled: {when} (next time {next}).",
            "state_draft": "draft",
            "state_pending": "awaiting approval",
            "state_scheduled": "scheduled",
            "state_paused": "paused",
            "state_sent": "sent",
            "state_cancelled": "cancelled",
            "state_rejected": "rejected",
            "state_queued": "queued",
            "cli_no_server": "Note: no hartslag server runs on this database now. Everything is "
            "queued and goes out once `hartslag run` runs.",
            "not_open": "Announcement #{id} can no longer be changed or cancelled (status: "
            "{state}).",
            "cancelled": "Announcement #{id} is cancelled ("
            "{stopped:message|messages} not sent yet {stopped:~was|were} stopped).",
            "cannot_pause": "Announcement #{id} cannot be paused (status: {state}).",
            "cannot_resume": "Announcement #{id} is not paused (status: {state}).",
            "paused": "Announcement #{id} is paused; resume with `/hartslag announce resume "
            "{id}`.",
            "resumed": "Announcement #{id} is running again.",
            "list_none": "There are no open or scheduled announcements.",
            "list_head": "**Announcements**",
            "list_item": "- #{id} **{title}** ({state}), {when}; next: {next}",
            "next_draft": "Not confirmed yet: `/hartslag announce show {id}` gives the Send "
            "button, `/hartslag announce cancel {id}` throws it away.",
            "next_pending": "Waiting for approval by another comms colleague; withdraw with "
            "`/hartslag announce cancel {id}`.",
            "next_scheduled": "Change with `/hartslag announce edit {id} ...`, pause with "
            "`/hartslag announce pause {id}`.",
            "next_paused": "Resume with `/hartslag announce resume {id}`.",
            "next_sent": "Reach and readers: `/hartslag announce stats {id}`.",
            "next_rejected": "Change it and offer it again with `/hartslag announce edit {id} "
            "...`, throw it away with `/hartslag announce cancel {id}`.",
            "next_cancelled": "Cancelled; make a new one with `/hartslag announce new`.",
            "progress": "{done}/{total} sent, done around {eta}",
            "progress_unknown": "{done}/{total} sent",
            "progress_done": "{done}/{total} sent, done ({failed} failed)",
            "progress_none": "Announcement #{id} has not been sent yet.",
            "told_progress": "Announcement #{id}: {line}",
            "told_delivered": "Announcement #{id} \"{title}\" was delivered: {sent} of "
            "{total:channel|channels}.",
            "told_failures": "Announcement #{id} \"{title}\": {sent} of {total} delivered, "
            "{failed} failed:\n{failures}\nThe other channels did get it.",
            "stats_head": "**Reach of announcement #{id}** \"{title}\" ({state})",
            "stats_columns": "channel|delivered|failed|waiting|read|members|share|reactions",
            "stats_acks": "Read: {count:person|people} in total (each counts once).",
            "stats_no_ack": "This announcement had no Read button.",
            "stats_error": "Failed in `{target}`: {error}",
            "stats_reactions_total": "Reactions (emoji): {count} in total.",
            "stats_reactions_partial": "Reactions (emoji): {count} in total where known; "
            "unknown in {unknown:channel|channels} (that platform does not pass them on).",
            "stats_reactions_unknown": "_Reactions (emoji): unknown, this platform does not "
            "pass them on._",
            "unknown": "unknown",
            "chart_legend": "read|not read yet|failed",
            "readers_head": "**Who read announcement #{id}** \"{title}\": {read} read, "
            "{unread} not yet, {overdue} overdue",
            "group_overdue": "Overdue (not read after the date)",
            "group_unread": "Not read yet",
            "group_read": "Read",
            "person_read": "{name} ({at})",
            "readers_more": "... and {count:more person|more people}.",
            "readers_unknown": "For {targets} the platform gives no member list; there I "
            "only count who pressed Read.",
            "bad_name": "`{name}` cannot be a name: lower-case letters, digits, - and _, at "
            "most 60 characters.",
            "audience_usage": "Usage: `/hartslag announce audience add <name> "
            "<channels...> [--four-eyes]`, `audience list` or `audience remove <name>`.",
            "audience_none": "There are no audiences yet. Create one with "
            "`/hartslag announce audience add all-staff slack:C0123 local:#algemeen`.",
            "audience_list": "**Audiences**",
            "audience_four_eyes": " (four eyes)",
            "audience_added": "Audience **{name}** created with {count:channel|channels}{eyes}.",
            "audience_updated": "Audience **{name}** updated: {count:channel|channels}{eyes}.",
            "audience_removed": "Audience **{name}** was removed.",
            "template_usage": "Usage: `/hartslag announce template add <name> --body "
            "\"...\"`, `template list`, `template show <name>` or `template delete <name>`.",
            "template_none": "There are no templates yet.",
            "template_list": "**Templates**",
            "template_item": "- **{name}** (variables: {variables})",
            "template_added": "Template **{name}** saved (variables: {variables}).",
            "template_updated": "Template **{name}** updated (variables: {variables}).",
            "template_show": "Template **{name}**:",
            "template_deleted": "Template **{name}** was deleted.",
            "form_title": "New announcement",
            "form_submit": "Preview",
            "form_fallback": "No form can open here; use the command, for example:\n"
            "`/hartslag announce new --title \"New rota\" --body \"From Monday...\" --to "
            "local:#algemeen --ack \"friday 17:00\"`\nAll options: `/hartslag announce help`.",
            "field_title": "Title",
            "field_body": "Text (Markdown)",
            "field_targets": "Channels",
            "field_audiences": "Audiences",
            "field_template": "Template",
            "field_variables": "Variables",
            "field_when": "When",
            "field_ack": "Read button",
            "field_ack_due": "Read by",
            "field_embargo": "Embargo",
            "field_allow_mentions": "Keep @channel / @here working",
            "hint_title": "One line, at most 150 characters",
            "hint_body": "Leave empty when you pick a template. Slack takes at most 3000 characters "
            "here; for a longer text use `/hartslag announce new --body ...` or a template",
            "hint_targets": "platform:channel, separated by spaces: slack:C0123 local:#algemeen",
            "hint_audiences": "Audience names, separated by spaces",
            "hint_template": "Name of a template (optional)",
            "hint_variables": "One per line: name=value",
            "hint_when": "Empty = now; or 'tomorrow 9:00', 'every monday 9:00'",
            "hint_ack": "With a Read button",
            "hint_ack_due": "For example 'friday 17:00'; a reminder follows after it",
            "hint_embargo": "Time of the press release; employees get it earlier",
            "hint_allow_mentions": "Only when everyone really must be notified",
        },
    },
)
