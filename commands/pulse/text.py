"""Strings of pulse polls (Dutch default, English)."""

from __future__ import annotations

from commands.i18n import Catalog

PULSE = Catalog(
    "pulse",
    {
        "nl": {
            "help": "`pulse create|list|show|results|export|close|stop` (`peiling`): korte, "
            "anonieme peilingen",
            "usage": "Gebruik: `/hartslag pulse create <titel> --team <team> --when \"elke "
            "maandag 9:00\"` met op de volgende regels de vragen (`likert: ...`, `enps: ...`, "
            "`single: vraag | optie | optie`, `multi: ...`, `text: ...`); verder `pulse list`, "
            "`pulse show <nr>`, `pulse results <nr> [ronde] [--team <team>]`, `pulse export "
            "<nr>`, `pulse close <nr>`, `pulse stop <nr>`.",
            "answer.start": "Beantwoorden",
            "answer.gone": "Deze knop hoort bij een peiling die niet meer bestaat of klopt niet. "
            "Vraag de peiling opnieuw op.",
            "answer.closed": "De peiling \"{title}\" is gesloten; antwoorden kan niet meer.",
            "answer.question": "**Vraag {n} van {total}**: {text}",
            "answer.write": "Antwoord typen",
            "answer.skip": "Overslaan",
            "answer.text_hint": "Kies *Antwoord typen* en stuur daarna je antwoord als "
            "privébericht aan mij. Laat geen namen of herkenbare details achter.",
            "answer.done": "Klaar",
            "answer.multi_hint": "Kies alles wat past (nog eens kiezen haalt het weg) en daarna "
            "*Klaar*.",
            "answer.enps_hint": "0 = zeker niet, 10 = zeker wel.",
            "answer.thanks_anonymous": "Dank je! Je antwoorden op \"{title}\" zijn anoniem "
            "opgeslagen. Opnieuw antwoorden vervangt je eerdere antwoord, zolang de peiling open "
            "is.",
            "answer.thanks_named": "Dank je! Je antwoorden op \"{title}\" zijn opgeslagen (met "
            "je naam: dit is geen anonieme peiling).",
            "answer.submit": "Versturen",
            "answer.intro_anonymous": "Deze peiling is anoniem: je antwoorden worden zonder "
            "naam bewaard en alleen getoond als groep van voldoende mensen.",
            "answer.intro_named": "Let op: deze peiling is *niet* anoniem; je naam wordt bij je "
            "antwoorden bewaard.",
            "answer.write_now": "Stuur je antwoord nu als privébericht aan mij (binnen 30 "
            "minuten). Typ `stop` om te annuleren.",
            "answer.text_cancelled": "Oké, ik bewaar geen tekst.",
            "answer.text_empty": "Je bericht is leeg; typ je antwoord of `stop`.",
            "answer.text_long": "Je antwoord is {n} tekens; het mag hoogstens {max} tekens "
            "zijn. Er is niets opgeslagen; stuur een kortere versie.",
            "answer.text_saved": "Je antwoord is anoniem opgeslagen.",
            "answer.bad_value": "Het antwoord op vraag {n} kan ik niet lezen; er is niets "
            "opgeslagen.",
            "answer.nothing": "Je hebt geen enkele vraag beantwoord; er is niets opgeslagen.",
            "answer.not_invited": "De peiling \"{title}\" is voor de leden van een team waar "
            "jij (nog) niet in staat; je antwoord is niet opgeslagen.",
            "answer.usage": "Gebruik: `/hartslag pulse answer <nummer>` in een privébericht.",
            "invite.anonymous": "Nieuwe peiling: **{title}** ({n:vraag|vragen}, anoniem). Open tot "
            "{closes}.",
            "invite.named": "Nieuwe peiling: **{title}** ({n:vraag|vragen}, *niet anoniem*). Open tot "
            "{closes}.",
            "invite.matrix": "Antwoorden gaat anoniem via een privébericht: stuur mij "
            "`pulse answer {round}`.",
            "remind.head": "Herinnering: heb je de peiling al ingevuld? Dan hoef je niets te "
            "doen.",
            "when": "{date} {time}",
            "group.all": "iedereen",
            "result.mean": "Gemiddeld **{mean}** ({n:antwoord|antwoorden})",
            "result.enps": "eNPS: **{score}**",
            "result.multi_note": "Meerdere keuzes mogelijk; percentage van {n:persoon|mensen}.",
            "result.title": "**Resultaten: {title}**, ronde {number} ({group})",
            "result.participation_of": "Deelname: {n} van {invited} ({pct}%)",
            "result.participation": "Deelname: {n:persoon|mensen}",
            "too_few": "_Te weinig reacties om te tonen._",
            "too_few_text": "_Te weinig reacties om open antwoorden te tonen._",
            "hidden.size": "_Te weinig reacties om te tonen: minder dan {k:persoon|mensen} "
            "antwoordden._",
            "hidden.tree": "_Verborgen: samen met de andere getoonde groepen van deze ronde "
            "zou dit de antwoorden van minder dan {k:persoon|mensen} onthullen._",
            "hidden.time": "_Verborgen: dit zou de antwoorden van minder dan {k:persoon|mensen} "
            "onthullen, vergeleken met een eerder resultaat voor {group} ({title}, ronde "
            "{number})._",
            "hidden.team": "team {team}",
            "create.bad_duration": "`{option} {value}`: schrijf een duur als `90m`, `36h` of "
            "`3d` (hoogstens 90 dagen).",
            "create.no_audience": "Voor wie is de peiling? Geef `--team <team>` of "
            "`--channel #kanaal`, of maak hem aan in het kanaal zelf.",
            "create.bad_channel": "`{value}` is geen kanaal.",
            "create.bad_title": "Geef de peiling een titel (hoogstens 200 tekens): "
            "`/hartslag pulse create \"Hoe gaat het?\" ...`.",
            "no_team": "Team `{team}` bestaat niet. `/hartslag team list` toont de teams.",
            "create.live_named": "`--live` (resultaten terwijl de peiling open is) kan alleen "
            "bij een peiling met namen (`--named`): live aantallen verraden wie net antwoordde.",
            "create.no_ledger": "Alleen wie nog niet antwoordde herinneren vraagt een "
            "deelnamelijst; die staat uit in deze installatie (`[pulse] allow_ledger`).",
            "create.ledger_team": "Alleen wie nog niet antwoordde herinneren kan alleen bij een "
            "peiling voor een team (`--team`).",
            "create.no_daily": "Een peiling kan eenmalig, wekelijks, om de week of maandelijks; "
            "niet dagelijks.",
            "create.overlap": "De peiling staat langer open (`--duration`) dan de tijd tot de "
            "volgende ronde; maak de duur korter.",
            "q.bad_kind": "`{line}`: begin een vraag met `likert:`, `enps:`, `single:`, "
            "`multi:` of `text:`.",
            "q.empty": "`{line}`: de vraag zelf ontbreekt.",
            "q.too_long": "Een vraag mag hoogstens {max} tekens zijn.",
            "q.options": "\"{line}\": geef 2 tot {max} opties, gescheiden door `|`.",
            "q.bad_option": "\"{line}\": opties moeten verschillen en hoogstens {max} tekens "
            "zijn.",
            "q.no_options": "\"{line}\": alleen `single` en `multi` hebben opties.",
            "q.none": "Zet de vragen op de regels onder het commando, bijvoorbeeld "
            "`likert: Ik kan mijn werk goed doen`.",
            "q.too_many": "Een peiling heeft hoogstens {max:vraag|vragen}.",
            "q.one_text": "Een peiling heeft hoogstens één open vraag (`text:`).",
            "need_id": "Geef het nummer van de peiling, bijvoorbeeld `/hartslag pulse show 3`.",
            "no_pulse": "Peiling {id} bestaat niet.",
            "audience.team": "de leden van team `{team}` (privébericht)",
            "audience.channels": "kanaal {channels}",
            "mode.anonymous": "Anoniem: geen namen bij antwoorden, resultaten pas na sluiten en "
            "alleen voor groepen van voldoende mensen.",
            "mode.named": "Met namen (niet anoniem).",
            "created": "Peiling **{id}** \"{title}\" staat klaar: {n:vraag|vragen} voor {audience}, "
            "{when}, steeds {hours} uur open.\n{mode}",
            "show.title": "**Peiling {id}: {title}**",
            "show.schedule": "Planning: {when} (actief: {active})",
            "yes": "ja",
            "no": "nee",
            "show.no_round": "Nog niet verstuurd.",
            "show.open": "Ronde {number} is open tot {closes}. Aantallen volgen na sluiten.",
            "show.live": "Tot nu toe {n:persoon|mensen}.",
            "show.closed": "Ronde {number} is gesloten op {closed}.",
            "no_round": "Deze peiling heeft (nog) geen ronde met dat nummer.",
            "results.hidden": "De resultaten komen na het sluiten ({closes}).",
            "export.head": "Resultaten als CSV (alleen groepen met voldoende reacties; geen open "
            "antwoorden):",
            "close.none": "Deze peiling heeft geen open ronde.",
            "close.done": "Ronde {number} van \"{title}\" is gesloten.",
            "stopped": "Peiling {id} \"{title}\" is gestopt; er gaan geen nieuwe rondes meer "
            "uit.",
            "list.empty": "Er zijn geen peilingen die je mag beheren.",
            "list.title": "**Peilingen**",
            "list.line": "- {id}: {title} ({audience}, actief: {active})",
            "list.channels": "kanalen",
            "names.anonymous": "Bij een anonieme peiling weet niemand wie wat koos, ook "
            "hartslag niet.",
            "names.title": "**Wie koos wat: {title}**, ronde {number}",
        },
        "en": {
            "help": "`pulse create|list|show|results|export|close|stop` (`peiling`): short, "
            "anonymous polls",
            "usage": "Usage: `/hartslag pulse create <title> --team <team> --when \"every "
            "monday 9:00\"` with the questions on the next lines (`likert: ...`, `enps: ...`, "
            "`single: question | option | option`, `multi: ...`, `text: ...`); also `pulse "
            "list`, `pulse show <no>`, `pulse results <no> [round] [--team <team>]`, `pulse "
            "export <no>`, `pulse close <no>`, `pulse stop <no>`.",
            "answer.start": "Answer",
            "answer.gone": "This button belongs to a poll that no longer exists or is not "
            "valid. Ask for the poll again.",
            "answer.closed": "The poll \"{title}\" is closed; answers are no longer accepted.",
            "answer.question": "**Question {n} of {total}**: {text}",
            "answer.write": "Type an answer",
            "answer.skip": "Skip",
            "answer.text_hint": "Choose *Type an answer* and then send your answer to me as a "
            "direct message. Leave out names and recognisable details.",
            "answer.done": "Done",
            "answer.multi_hint": "Pick everything that applies (picking again removes it), "
            "then *Done*.",
            "answer.enps_hint": "0 = not at all likely, 10 = extremely likely.",
            "answer.thanks_anonymous": "Thank you! Your answers to \"{title}\" were stored "
            "anonymously. Answering again replaces your earlier answer while the poll is open.",
            "answer.thanks_named": "Thank you! Your answers to \"{title}\" were stored (with "
            "your name: this is not an anonymous poll).",
            "answer.submit": "Send",
            "answer.intro_anonymous": "This poll is anonymous: your answers are stored without "
            "your name and only shown for groups of enough people.",
            "answer.intro_named": "Note: this poll is *not* anonymous; your name is stored "
            "with your answers.",
            "answer.write_now": "Send me your answer as a direct message now (within 30 "
            "minutes). Type `stop` to cancel.",
            "answer.text_cancelled": "OK, I won't store any text.",
            "answer.text_empty": "Your message is empty; type your answer or `stop`.",
            "answer.text_long": "Your answer has {n} characters; at most {max} are allowed. "
            "Nothing was stored; send a shorter version.",
            "answer.text_saved": "Your answer was stored anonymously.",
            "answer.bad_value": "I can't read the answer to question {n}; nothing was stored.",
            "answer.nothing": "You did not answer any question; nothing was stored.",
            "answer.not_invited": "The poll \"{title}\" is for the members of a team you are "
            "not (yet) in; your answer was not stored.",
            "answer.usage": "Usage: `/hartslag pulse answer <number>` in a direct message.",
            "invite.anonymous": "New poll: **{title}** ({n:question|questions}, anonymous). Open until "
            "{closes}.",
            "invite.named": "New poll: **{title}** ({n:question|questions}, *not anonymous*). Open "
            "until {closes}.",
            "invite.matrix": "Answers are anonymous through a direct message: send me "
            "`pulse answer {round}`.",
            "remind.head": "Reminder: have you answered the poll yet? If so, there is nothing "
            "to do.",
            "when": "{date} {time}",
            "group.all": "everyone",
            "result.mean": "Average **{mean}** ({n:answer|answers})",
            "result.enps": "eNPS: **{score}**",
            "result.multi_note": "Several choices allowed; percentage of {n:person|people}.",
            "result.title": "**Results: {title}**, round {number} ({group})",
            "result.participation_of": "Participation: {n} of {invited} ({pct}%)",
            "result.participation": "Participation: {n:person|people}",
            "too_few": "_Not enough responses to show._",
            "too_few_text": "_Not enough responses to show open answers._",
            "hidden.size": "_Not enough responses to show: fewer than {k:person|people} "
            "answered._",
            "hidden.tree": "_Hidden: together with the other groups shown for this round, "
            "this would reveal the answers of fewer than {k:person|people}._",
            "hidden.time": "_Hidden: this would reveal the answers of fewer than {k:person|people} "
            "compared with an earlier result for {group} ({title}, round {number})._",
            "hidden.team": "team {team}",
            "create.bad_duration": "`{option} {value}`: write a duration like `90m`, `36h` or "
            "`3d` (at most 90 days).",
            "create.no_audience": "Who is the poll for? Give `--team <team>` or "
            "`--channel #channel`, or create it in the channel itself.",
            "create.bad_channel": "`{value}` is not a channel.",
            "create.bad_title": "Give the poll a title (at most 200 characters): "
            "`/hartslag pulse create \"How are you?\" ...`.",
            "no_team": "Team `{team}` does not exist. `/hartslag team list` shows the teams.",
            "create.live_named": "`--live` (results while the poll is open) needs a named poll "
            "(`--named`): live counts reveal who just answered.",
            "create.no_ledger": "Reminding only those who did not answer needs a participation "
            "ledger, which is off in this installation (`[pulse] allow_ledger`).",
            "create.ledger_team": "Reminding only those who did not answer works only for a "
            "poll sent to a team (`--team`).",
            "create.no_daily": "A poll can run once, weekly, every two weeks or monthly; not "
            "daily.",
            "create.overlap": "The poll stays open (`--duration`) longer than the time to the "
            "next round; make the duration shorter.",
            "q.bad_kind": "`{line}`: start a question with `likert:`, `enps:`, `single:`, "
            "`multi:` or `text:`.",
            "q.empty": "`{line}`: the question itself is missing.",
            "q.too_long": "A question may have at most {max} characters.",
            "q.options": "\"{line}\": give 2 to {max} options, separated by `|`.",
            "q.bad_option": "\"{line}\": options must differ and have at most {max} "
            "characters.",
            "q.no_options": "\"{line}\": only `single` and `multi` have options.",
            "q.none": "Put the questions on the lines below the command, for example "
            "`likert: I can do my work well`.",
            "q.too_many": "A poll has at most {max:question|questions}.",
            "q.one_text": "A poll has at most one open question (`text:`).",
            "need_id": "Give the number of the poll, for example `/hartslag pulse show 3`.",
            "no_pulse": "Poll {id} does not exist.",
            "audience.team": "the members of team `{team}` (direct message)",
            "audience.channels": "channel {channels}",
            "mode.anonymous": "Anonymous: no names with answers, results only after closing "
            "and only for groups of enough people.",
            "mode.named": "With names (not anonymous).",
            "created": "Poll **{id}** \"{title}\" is ready: {n:question|questions} for {audience}, "
            "{when}, open for {hours:hour|hours} each time.\n{mode}",
            "show.title": "**Poll {id}: {title}**",
            "show.schedule": "Schedule: {when} (active: {active})",
            "yes": "yes",
            "no": "no",
            "show.no_round": "Not sent yet.",
            "show.open": "Round {number} is open until {closes}. Numbers follow after closing.",
            "show.live": "So far {n:person|people}.",
            "show.closed": "Round {number} closed on {closed}.",
            "no_round": "This poll has no round with that number (yet).",
            "results.hidden": "Results come after closing ({closes}).",
            "export.head": "Results as CSV (only groups with enough responses; no open "
            "answers):",
            "close.none": "This poll has no open round.",
            "close.done": "Round {number} of \"{title}\" is closed.",
            "stopped": "Poll {id} \"{title}\" is stopped; no new rounds will go out.",
            "list.empty": "There are no polls you may manage.",
            "list.title": "**Polls**",
            "list.line": "- {id}: {title} ({audience}, active: {active})",
            "list.channels": "channels",
            "names.anonymous": "In an anonymous poll nobody knows who chose what, hartslag "
            "included.",
            "names.title": "**Who chose what: {title}**, round {number}",
        },
    },
)
