"""Strings of ``verbinden``, in Dutch (default) and English."""

from __future__ import annotations

from commands.i18n import Catalog

VERBINDEN = Catalog(
    "verbinden",
    {
        "nl": {
            "unknown_programme": "Programma `{id}` bestaat niet. `/hartslag verbinden list` "
            "toont de programma's.",
            "inactive": "Programma **{name}** is gestopt.",
            "no_name": "Geef het programma een naam, bijvoorbeeld `verbinden create \"Koffie "
            "met een onbekende\" --when \"om de week dinsdag 10:00\"`.",
            "bad_name": "Een naam is hoogstens 100 tekens.",
            "no_cadence": "Geef met `--when` aan hoe vaak er een ronde is, bijvoorbeeld "
            "`--when \"elke maandag 9:00\"` of `--when \"om de 2 weken dinsdag 10:00\"`.",
            "bad_cadence": "Dat is geen herhaling: {reason}",
            "once_cadence": "Een programma heeft terugkerende rondes: gebruik bijvoorbeeld "
            "`elke maandag 9:00` of `om de week dinsdag 10:00`, geen eenmalig moment.",
            "bad_size": "De groepsgrootte `{value}` kan niet: kies 2 (met een groep van 3 bij "
            "een oneven aantal) of 3.",
            "bad_rule": "De regel `{value}` ken ik niet: kies `afdelingen` (over afdelingen "
            "heen), `locatie` (zelfde locatie), `locaties` (over locaties heen) of `iedereen`.",
            "bad_template": "Het sjabloon `{value}` ken ik niet: kies `koffie`, `ommetje` of "
            "`nieuw`.",
            "bad_followup": "`--followup` is een aantal dagen van 1 tot en met 30, niet "
            "`{value}`.",
            "bad_team": "Team `{team}` bestaat niet. Kijk de naam na; een beheerder ziet alle "
            "teams met `/hartslag team lijst`.",
            "bad_channel": "`{value}` is geen kanaal: {reason}",
            "bad_location": "Een locatie is hoogstens 100 tekens.",
            "bad_number": "`{value}` is geen programmanummer.",
            "created": "Programma **{id}** staat klaar: **{name}**, {when}, {rule}. Deelnemers "
            "melden zich aan met de knop of `/hartslag verbinden join {id}`.",
            "announce": "{intro}\nElke ronde ({when}) koppel ik je aan een collega: "
            "{rule}. Meedoen is vrijwillig; `stop` en je bent eruit, met je hele koppelgeschiedenis.",
            "button.join": "Doe mee",
            "button.skip": "Niet deze ronde",
            "button.stop": "Stop",
            "joined": "Je doet mee met **{name}**. Bij de volgende ronde hoor je met wie je "
            "afspreekt. Stoppen kan altijd: `stop`.",
            "joined_again": "Je deed al mee met **{name}**; je gegevens zijn bijgewerkt.",
            "not_in_audience": "**{name}** is voor team `{team}`; jij staat niet in dat team.",
            "not_member": "Je doet niet mee met **{name}**.",
            "skipped": "Goed, je slaat ronde {number} van **{name}** over. Daarna doe je weer mee.",
            "left": "Je doet niet meer mee met **{name}**. Je koppelgeschiedenis is gewist.",
            "left_all": "Je doet nergens meer mee ({count:programma|programma's}); je "
            "koppelgeschiedenis is gewist.",
            "ended": "Programma **{name}** is gestopt; er komen geen rondes meer. Wie meedeed en "
            "de koppelgeschiedenis zijn gewist; alleen de totalen blijven.",
            "list_empty": "Er zijn nog geen programma's.",
            "list_title": "**Verbinden: programma's**",
            "list_line": "**{id}** {name}: {when}, {rule}, {count:deelnemer|deelnemers}{mine}",
            "list_mine": " (jij doet mee)",
            "rule.any": "met wie dan ook",
            "rule.departments": "over afdelingen heen",
            "rule.location": "op dezelfde locatie",
            "rule.locations": "over locaties heen",
            "template.koffie": "Drink een kop koffie (of thee) met een collega die je nog niet "
            "kent, in het echt of online. Een halfuur is genoeg.",
            "template.ommetje": "Maak samen een ommetje van een halfuur rond je werkplek.",
            "template.nieuw": "Een nieuwe collega en een buddy: laat zien hoe het hier werkt "
            "en wie je moet kennen.",
            "icebreakers": "Wat doe jij op een dag dat niemand ziet?|Welk project van het "
            "afgelopen jaar maakt je trots?|Wat zou je meteen veranderen als je een dag de "
            "baas was?|Wat had je als kind willen worden?|Welke plek in onze gemeente moet "
            "iedereen kennen?",
            "intro": "**{name}**: ronde {number}\nDeze keer spreek je af met:\n{others}\n\n"
            "{intro}\nOm het ijs te breken: *{question}*\n\nSpreek zelf een moment af. Wat "
            "jullie elkaar vertellen, leest de bot niet.",
            "intro.group": "**{name}**: ronde {number}\nWelkom in dit groepsgesprek: {others}. "
            "\n\n{intro}\nOm het ijs te breken: *{question}*\n\nSpreek samen een moment af. De "
            "bot leest hier niet mee.",
            "other": "- {label}",
            "contact": " ({detail})",
            "unmatched": "**{name}**: in ronde {number} was er niemand om je aan te koppelen "
            "(bijvoorbeeld niemand anders op je locatie). Volgende keer hopelijk wel.",
            "followup": "**{name}**: hebben jullie elkaar gesproken (ronde {number})?",
            "answer.yes": "Ja",
            "answer.not_yet": "Nog niet",
            "answer.no": "Gaat niet lukken",
            "answered": "Dank je, genoteerd. Alleen totalen worden getoond, nooit wie wie sprak.",
            "answer_gone": "Deze ronde kan ik niet meer vinden (of je doet niet meer mee).",
            "report": "**{name}**: ronde {number} is verstuurd. {participants:deelnemer|deelnemers} in "
            "{groups:groep|groepen}; {unmatched} zonder match; {unreachable} niet bereikbaar{who}.",
            "report_who": " ({who}: zij doen niet meer mee tot ze opnieuw `join` doen)",
            "round_started": "Ronde {number} van **{name}** is gevormd: {groups:groep|groepen}.",
            "round_too_few": "Te weinig deelnemers voor een ronde van **{name}** ({count}).",
            "stats_title": "**{name}**: cijfers per ronde (alleen totalen, vanaf {k:persoon|personen})",
            "stats_line": "Ronde {number}: {participants:deelnemer|deelnemers}, {groups:groep|groepen}, "
            "gesproken: {met}",
            "stats_hidden": "Ronde {number}: te weinig deelnemers om cijfers te tonen",
            "stats_total": "Totaal: {rounds:ronde|rondes}, gemiddeld gesproken: {met}",
            "withheld": "te weinig om te tonen",
            "percent": "{value}% van {answered:antwoord|antwoorden}",
            "stats_empty": "Programma **{name}** heeft nog geen rondes.",
            "chart_alt": "Deelname en percentage gesprekken per ronde",
            "chart_participants": "deelnemers",
            "chart_met": "gesproken (%)",
            "form_title": "Nieuw Verbinden-programma",
            "form_submit": "Aanmaken",
            "field_name": "Naam",
            "field_when": "Wanneer (herhalend)",
            "hint_when": "bijvoorbeeld: om de 2 weken dinsdag 10:00",
            "field_rule": "Koppelregel",
            "field_size": "Groepsgrootte",
            "size.2": "2 (een groep van 3 bij een oneven aantal)",
            "size.3": "3",
            "field_template": "Sjabloon",
            "field_team": "Alleen voor team (leeg: iedereen)",
            "hint_team": "de naam van een team (een beheerder ziet ze met `team lijst`)",
            "field_channel": "Aankondigen in kanaal (leeg: nergens)",
            "hint_channel": "bijvoorbeeld #algemeen",
        },
        "en": {
            "unknown_programme": "Programme `{id}` does not exist. `/hartslag verbinden list` "
            "shows the programmes.",
            "inactive": "Programme **{name}** has ended.",
            "no_name": "Give the programme a name, for example `verbinden create \"Coffee with "
            "a stranger\" --when \"every 2 weeks tuesday 10:00\"`.",
            "bad_name": "A name is at most 100 characters.",
            "no_cadence": "Say with `--when` how often a round takes place, for example "
            "`--when \"every monday 9:00\"` or `--when \"every 2 weeks tuesday 10:00\"`.",
            "bad_cadence": "That is not a repeating time: {reason}",
            "once_cadence": "A programme has recurring rounds: use for example `every monday "
            "9:00` or `every 2 weeks tuesday 10:00`, not a single moment.",
            "bad_size": "Group size `{value}` is not possible: choose 2 (with one group of 3 "
            "when the count is odd) or 3.",
            "bad_rule": "I don't know the rule `{value}`: choose `departments` (across "
            "departments), `location` (same location), `locations` (across locations) or `any`.",
            "bad_template": "I don't know the template `{value}`: choose `koffie`, `ommetje` or "
            "`nieuw`.",
            "bad_followup": "`--followup` is a number of days from 1 to 30, not `{value}`.",
            "bad_team": "Team `{team}` does not exist. Check the name; an administrator sees "
            "every team with `/hartslag team list`.",
            "bad_channel": "`{value}` is not a channel: {reason}",
            "bad_location": "A location is at most 100 characters.",
            "bad_number": "`{value}` is not a programme number.",
            "created": "Programme **{id}** is ready: **{name}**, {when}, {rule}. People join "
            "with the button or `/hartslag verbinden join {id}`.",
            "announce": "{intro}\nEvery round ({when}) I pair you with a colleague: "
            "{rule}. Joining is voluntary; `stop` and you are out, with your whole pairing history.",
            "button.join": "Join",
            "button.skip": "Not this round",
            "button.stop": "Stop",
            "joined": "You joined **{name}**. At the next round you will hear whom you meet. "
            "You can leave at any time: `stop`.",
            "joined_again": "You had already joined **{name}**; your details are updated.",
            "not_in_audience": "**{name}** is for team `{team}`; you are not in that team.",
            "not_member": "You have not joined **{name}**.",
            "skipped": "Fine, you sit out round {number} of **{name}**. After that you are back in.",
            "left": "You left **{name}**. Your pairing history is deleted.",
            "left_all": "You left everything ({count:programme|programmes}); your pairing history is "
            "deleted.",
            "ended": "Programme **{name}** has ended; there will be no more rounds. Who joined and "
            "the pairing history are deleted; only the totals stay.",
            "list_empty": "There are no programmes yet.",
            "list_title": "**Verbinden: programmes**",
            "list_line": "**{id}** {name}: {when}, {rule}, {count:participant|participants}{mine}",
            "list_mine": " (you joined)",
            "rule.any": "with anyone",
            "rule.departments": "across departments",
            "rule.location": "on the same location",
            "rule.locations": "across locations",
            "template.koffie": "Have a coffee (or tea) with a colleague you don't know yet, in "
            "person or online. Half an hour is enough.",
            "template.ommetje": "Take a half-hour walk together around your workplace.",
            "template.nieuw": "A new colleague and a buddy: show how things work here and whom "
            "to know.",
            "icebreakers": "What do you do on a day that nobody sees?|Which project of the past "
            "year makes you proud?|What would you change at once if you were in charge for a "
            "day?|What did you want to be as a child?|Which place in our town should everyone "
            "know?",
            "intro": "**{name}**: round {number}\nThis time you meet:\n{others}\n\n{intro}\n"
            "To break the ice: *{question}*\n\nAgree on a moment yourselves. What you tell "
            "each other is not read by the bot.",
            "intro.group": "**{name}**: round {number}\nWelcome to this group conversation: "
            "{others}.\n\n{intro}\nTo break the ice: *{question}*\n\nAgree on a moment "
            "together. The bot does not read along here.",
            "other": "- {label}",
            "contact": " ({detail})",
            "unmatched": "**{name}**: in round {number} there was nobody to pair you with (for "
            "example nobody else on your location). Hopefully next time.",
            "followup": "**{name}**: did you meet (round {number})?",
            "answer.yes": "Yes",
            "answer.not_yet": "Not yet",
            "answer.no": "Not going to happen",
            "answered": "Thank you, noted. Only totals are shown, never who met whom.",
            "answer_gone": "I can no longer find this round (or you left the programme).",
            "report": "**{name}**: round {number} is sent. {participants:participant|participants} "
            "in {groups:group|groups}; {unmatched} without a match; {unreachable} not reachable{who}.",
            "report_who": " ({who}: they are left out until they `join` again)",
            "round_started": "Round {number} of **{name}** is formed: {groups:group|groups}.",
            "round_too_few": "Too few participants for a round of **{name}** ({count}).",
            "stats_title": "**{name}**: figures per round (totals only, from {k:person|people})",
            "stats_line": "Round {number}: {participants:participant|participants}, {groups:group|groups}, "
            "met: {met}",
            "stats_hidden": "Round {number}: too few participants to show figures",
            "stats_total": "Total: {rounds:round|rounds}, met on average: {met}",
            "withheld": "too few to show",
            "percent": "{value}% of {answered:answer|answers}",
            "stats_empty": "Programme **{name}** has no rounds yet.",
            "chart_alt": "Participation and share of meetings per round",
            "chart_participants": "participants",
            "chart_met": "met (%)",
            "form_title": "New Verbinden programme",
            "form_submit": "Create",
            "field_name": "Name",
            "field_when": "When (repeating)",
            "hint_when": "for example: every 2 weeks tuesday 10:00",
            "field_rule": "Matching rule",
            "field_size": "Group size",
            "size.2": "2 (one group of 3 when the count is odd)",
            "size.3": "3",
            "field_template": "Template",
            "field_team": "Only for team (empty: anyone)",
            "hint_team": "the name of a team (an administrator sees them with `team list`)",
            "field_channel": "Announce in channel (empty: nowhere)",
            "hint_channel": "for example #general",
        },
    },
)
