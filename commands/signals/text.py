"""Strings of the signals feature, Dutch (default) and English."""

from __future__ import annotations

from commands.i18n import Catalog

SIGNALS = Catalog(
    "signals",
    {
        "nl": {
            "disabled": "Anonieme signalen staan uit in deze omgeving.",
            "not_configured": "Anonieme signalen zijn hier nog niet goed ingesteld (de sleutels "
            "ontbreken). Er is niets opgeslagen. Meld dit bij de beheerder.",
            # -- sending -------------------------------------------------------------------
            "intro": "**Anoniem signaal**\nJe naam wordt niet opgeslagen: alleen je tekst, het "
            "onderwerp, het team en de dag (geen tijd). Typ `stop` om af te breken, `signaal "
            "info` voor alles wat je over anonimiteit hier moet weten.",
            "ask.category": "Waar gaat het over? Kies een nummer, of typ `geen`:\n{options}",
            "ask.team": "Over welk team gaat het? {how} Of typ `geen`.",
            "ask.team_free": "Typ de naam van het team.",
            "ask.team_pick": "Kies een nummer:\n{options}\n",
            "ask.text": "Schrijf nu je signaal in één bericht (maximaal {max} tekens).",
            "ask.confirm": "Dit ga je versturen:\n\n{summary}\n\n**Verstuur anoniem?** Antwoord "
            "`ja` of `nee`. Wil je niet dat het team je kan antwoorden, antwoord dan `ja zonder "
            "antwoord`: dan bewaren we geen enkele weg terug naar jou.",
            "ask.category_buttons": "Waar gaat het over? Kies hieronder een onderwerp (of typ "
            "het nummer).",
            "bad.category": "Dat is geen onderwerp. Kies een nummer van 1 tot {count}, of typ "
            "`geen`; je tekst vraag ik hierna.",
            "bad.category_name": "Dat is geen onderwerp. Kies uit: {choices}.",
            "bad.team": "Dat is geen team. Kies een nummer van 1 tot {count}, of typ `geen`.",
            "topic.stale": "Dat onderwerp hoort bij een signaal dat niet meer openstaat. Begin "
            "opnieuw met `signaal`.",
            "bad.team_name": "Een teamnaam is hooguit {max} tekens.",
            "bad.confirm": "Antwoord `ja`, `ja zonder antwoord` of `nee`.",
            "bad.yes_no": "Antwoord `ja` of `nee`.",
            "text.too_long": "Je tekst is {length} tekens; het maximum is {max}. Maak hem korter "
            "en stuur hem opnieuw. Er is niets opgeslagen.",
            "text.too_short": "Dat is erg kort: schrijf minstens {min} tekens, of typ `stop`.",
            "cancelled": "Afgebroken. Er is niets opgeslagen.",
            "expired": "Je vorige signaal was te lang onaf en is vergeten (er was niets "
            "opgeslagen). Begin opnieuw met `signaal`.",
            "moved_to_dm": "Ik heb je een privébericht gestuurd: daar schrijf je je signaal.",
            "dm_only": "Doe dit in een privébericht met mij: een code hoort niet in een kanaal, "
            "want wie hem ziet, kan je signaal lezen. Ik heb niets gedaan. Haal je bericht hier "
            "weg als dat kan.",
            "summary.category": "Onderwerp: {value}",
            "summary.team": "Team: {value}",
            "summary.none": "geen",
            "sent": "**Verstuurd, anoniem.**\nJe geheime code: `{code}`. Bewaar "
            "hem goed: daarmee lees je antwoorden (`signaal bekijk {code}`), reageer je "
            "(`signaal antwoord {code} <tekst>`) en sluit je het signaal (`signaal sluit "
            "{code}`). Wie de code heeft, kan dat ook: deel hem niet.",
            "sent.relay": "Het signalenteam kan je antwoorden zonder te weten wie je bent.",
            "sent.no_relay": "Je koos voor geen antwoord: er is geen weg terug naar jou. Kijk met "
            "je code of er nieuws is.",
            "rate_limited": "Je hebt al {limit:signaal|signalen} gestuurd in deze periode van "
            "{days:dag|dagen}; meer kan nu niet. Probeer het later opnieuw. Er is niets "
            "opgeslagen.",
            "blocked": "Je kunt tijdelijk geen signalen sturen. Er is niets opgeslagen. Gaat het om "
            "iets dringends, neem dan contact op met je vertrouwenspersoon.",
            "form.title": "Anoniem signaal",
            "form.category": "Onderwerp (niet verplicht)",
            "form.team": "Team (niet verplicht)",
            "form.text": "Je signaal",
            "form.text_hint": "Je naam wordt niet opgeslagen, alleen je tekst, onderwerp, team en "
            "de dag. Maximaal {max} tekens.",
            "form.relay": "Ik wil antwoord kunnen krijgen (via een versleuteld doorgeefluik: het "
            "team ziet niet wie je bent)",
            "form.submit": "Verstuur anoniem",
            "form.fallback": "Gebruik `/hartslag signaal`: dat opent een formulier (dat komt niet "
            "in exports van privégesprekken). Lukt dat niet, typ dan `signaal gesprek` in een "
            "privébericht aan mij: dan vraag ik het stap voor stap.",
            # -- the sender afterwards -----------------------------------------------------
            "code.bad": "`{value}` is geen geldige code. Een code ziet eruit als `ABCDE-FGHJK`.",
            "code.unknown": "Ik ken geen signaal met die code. Misschien is het opgeruimd (na "
            "{months:maand|maanden}) of is de code niet goed overgenomen.",
            "show.head": "**Je signaal** ({day}), status: {status}",
            "show.entry.reply": "**Antwoord van het signalenteam** ({day}):\n{text}",
            "show.entry.sender": "**Jouw reactie** ({day}):\n{text}",
            "show.entry.followup": "**Wat ermee gedaan is** ({day}):\n{text}",
            "show.entry.sender_triage": "**Reactie van de melder** ({day}):\n{text}",
            "show.entry.note": "**Interne notitie** van {author} ({day}):\n{text}",
            "reply.ask": "Schrijf je reactie op je signaal in één bericht (maximaal {max} "
            "tekens). Typ `stop` om af te breken.",
            "reply.confirm": "Je reactie:\n\n{text}\n\n**Anoniem versturen?** Antwoord `ja` of `nee`.",
            "reply.sent": "Je reactie is anoniem aan je signaal toegevoegd.",
            "case.closed": "Dossier {ref} is gesloten; reageren kan niet meer.",
            "case.closed_sender": "Dit signaal is gesloten; reageren kan niet meer. Stuur gerust "
            "een nieuw signaal.",
            "close.done": "Je signaal is gesloten. De versleutelde weg terug naar jou is gewist; "
            "het signaal zelf wordt na de bewaartermijn ({months:maand|maanden}) verwijderd.",
            "info": "**Wat anoniem hier betekent**\n"
            "- **Bewaard:** je tekst, het onderwerp en team dat je kiest, de status, en de *dag* "
            "waarop het binnenkwam (geen tijd). Daarnaast antwoorden en notities van het "
            "signalenteam.\n"
            "- **Niet bewaard:** je naam, je account-id, het bericht- of kanaal-id van je "
            "melding, het tijdstip. Er komt niets over jou in de logbestanden of statistieken.\n"
            "- **Antwoord krijgen:** als je dat wilt, bewaren we een versleutelde koppeling "
            "tussen het dossier en jou. De sleutel staat buiten de database; het signalenteam "
            "ziet alleen een dossiernummer. De koppeling wordt gewist als het dossier sluit of "
            "na {months:maand|maanden}.\n"
            "- **Misbruik:** per persoon kunnen er {limit:signaal|signalen} per {days:dag|dagen}; daarvoor "
            "bewaren we een sleutel-hash per periode, los van de signalen.\n"
            "- **Schrijven in een gesprek** (Matrix, lokale chat): wat je typt staat alleen in "
            "het geheugen tot je bevestigt, en in je privégesprek op het chatplatform zelf. "
            "Beheerders van dat platform kunnen privégesprekken soms exporteren; een formulier "
            "(Slack, Teams) komt daar niet in.\n"
            "- **Bewaartermijn:** {months:maand|maanden}, daarna wordt alles gewist.\n"
            "- Je tekst zelf kan je verraden (namen, details): schrijf alleen wat nodig is.\n\n"
            "**Dit is niet het wettelijke meldkanaal voor klokkenluiders.** {pointer} {url}",
            # -- triage --------------------------------------------------------------------
            "status.new": "nieuw",
            "status.in_progress": "in behandeling",
            "status.answered": "beantwoord",
            "status.closed": "gesloten",
            "status.bad": "`{value}` is geen status. Kies: nieuw, in-behandeling, beantwoord, "
            "gesloten.",
            "ref.bad": "`{value}` is geen dossiernummer. Een dossier ziet eruit als `S-7KQ2X3`.",
            "ref.unknown": "Dossier `{ref}` bestaat niet (meer).",
            "inbox.title": "**Signalen** ({filter}): {shown} van {total}",
            "inbox.empty": "Geen signalen ({filter}).",
            "inbox.open": "open",
            "inbox.line": "`{ref}` {day} · {status} · {category} · {team}{assignee}{flag}\n  {preview}",
            "inbox.assignee": " · bij {who}",
            "inbox.replied": " · **nieuwe reactie van de melder**",
            "inbox.more": "Zie een dossier met `signaal dossier <dossier>`.",
            "dossier.head": "**Dossier {ref}** ({day}), status: {status}; onderwerp: {category}; "
            "team: {team}; behandelaar: {assignee}; antwoord mogelijk: {relay}",
            "yes": "ja",
            "no": "nee",
            "nobody": "niemand",
            "answer.done": "Je antwoord staat in dossier {ref} en is via het doorgeefluik bij de "
            "melder bezorgd.",
            "answer.no_relay": "Je antwoord staat in dossier {ref}. Er is geen weg terug naar de "
            "melder, dus er is niets bezorgd; de melder kan het lezen met de eigen code.",
            "answer.undelivered": "Je antwoord staat in dossier {ref}, maar bezorgen lukte nu niet. "
            "De melder kan het lezen met de eigen code.",
            "note.done": "Notitie toegevoegd aan {ref} (alleen voor het signalenteam).",
            "status.done": "Dossier {ref} heeft nu status {status}.",
            "status.closed_relay": "De weg terug naar de melder is gewist.",
            "assign.bad_who": "`{value}` is geen persoon. Schrijf `mij`, `niemand` of "
            "platform:id, zoals `local:tess`.",
            "assign.done": "Dossier {ref} is toegewezen aan {who}.",
            "assign.cleared": "Dossier {ref} is aan niemand toegewezen.",
            "assign.not_triage": "{who} heeft de rol signalen-team niet.",
            "block.bad_days": "`{value}` is geen aantal dagen. Kies 1 tot {max:dag|dagen}, "
            "bijvoorbeeld `30`.",
            "block.done": "De melder van {ref} kan tot en met {until} geen nieuwe signalen sturen. "
            "Wie het is, weet niemand: de blokkade is een sleutel-hash zonder dossiernummer.",
            "block.no_relay": "Dossier {ref} heeft geen weg terug naar de melder (gesloten, of "
            "zonder antwoord verstuurd), dus blokkeren kan niet.",
            "publish.quote_not_found": "Dat citaat staat niet letterlijk in het signaal. Citeer "
            "alleen wat de melder schreef, of laat `--citaat` weg. Er is niets geplaatst.",
            "publish.bad_channel": "`{value}` is geen kanaal. Schrijf `#kanaal` of een volledig "
            "adres zoals `slack://T123/C456`.",
            "publish.title": "Jullie zeiden, wij deden",
            "publish.category": " (onderwerp: {category})",
            "publish.done": "Geplaatst in {channel}. {notified}",
            "publish.notified": "De melder heeft bericht gekregen.",
            "publish.not_notified": "De melder kon geen bericht krijgen; die ziet het met de eigen "
            "code.",
            "relay.reply": "**Antwoord op je anonieme signaal**\n\n{text}\n\n"
            "Reageren: `/hartslag signaal antwoord {code} <tekst>`. Sluiten: `/hartslag signaal "
            "sluit {code}`.",
            "relay.followup": "**Er is iets gedaan met je anonieme signaal** (code `{code}`). Het "
            "signalenteam plaatste dit in {channel}:\n\n{text}",
            "relay.closed": "**Je anonieme signaal is gesloten** door het "
            "signalenteam. De weg terug naar jou is nu gewist. Lezen kan nog met `/hartslag "
            "signaal bekijk {code}`.",
            "digest.title": "**Signalen: overzicht van open dossiers** ({day})",
            "digest.empty": "Geen open signalen.",
            "digest.status": "- {status}: {count}",
            "digest.category": "- onderwerp {category}: {count}",
            "digest.oldest": "Oudste open dossiers: {refs}",
            "digest.replied": "Met een nieuwe reactie van de melder: {refs}",
            "digest.on": "Het overzicht van open signalen gaat elke {weekday} om {time} naar "
            "{target}.",
            "digest.off": "Het overzicht staat uit ({count:planning|planningen} verwijderd).",
            "digest.you": "jou (privébericht)",
            "weekday.0": "maandag",
            "weekday.1": "dinsdag",
            "weekday.2": "woensdag",
            "weekday.3": "donderdag",
            "weekday.4": "vrijdag",
            "weekday.5": "zaterdag",
            "weekday.6": "zondag",
        },
        "en": {
            "disabled": "Anonymous signals are turned off here.",
            "not_configured": "Anonymous signals are not set up correctly here (the keys are "
            "missing). Nothing was stored. Please tell the administrator.",
            "intro": "**Anonymous signal**\nYour name is not stored: only your text, the topic, "
            "the team and the day (no time). Type `stop` to cancel, `signal info` for all you "
            "should know about anonymity here.",
            "ask.category": "What is it about? Choose a number, or type `none`:\n{options}",
            "ask.team": "Which team is it about? {how} Or type `none`.",
            "ask.team_free": "Type the team's name.",
            "ask.team_pick": "Choose a number:\n{options}\n",
            "ask.text": "Now write your signal in one message (at most {max} characters).",
            "ask.confirm": "This is what you will send:\n\n{summary}\n\n**Send anonymously?** "
            "Answer `yes` or `no`. If you don't want the team to be able to answer you, answer "
            "`yes without reply`: then we keep no way back to you at all.",
            "ask.category_buttons": "What is it about? Choose a topic below (or type its "
            "number).",
            "bad.category": "That is not a topic. Choose a number from 1 to {count}, or type "
            "`none`; I ask for your text next.",
            "bad.category_name": "That is not a topic. Choose from: {choices}.",
            "bad.team": "That is not a team. Choose a number from 1 to {count}, or type `none`.",
            "topic.stale": "That topic belongs to a signal that is no longer open. Start again "
            "with `signal`.",
            "bad.team_name": "A team name has at most {max} characters.",
            "bad.confirm": "Answer `yes`, `yes without reply` or `no`.",
            "bad.yes_no": "Answer `yes` or `no`.",
            "text.too_long": "Your text has {length} characters; the maximum is {max}. Make it "
            "shorter and send it again. Nothing was stored.",
            "text.too_short": "That is very short: write at least {min} characters, or type `stop`.",
            "cancelled": "Cancelled. Nothing was stored.",
            "expired": "Your previous signal was left unfinished too long and was forgotten "
            "(nothing had been stored). Start again with `signal`.",
            "moved_to_dm": "I sent you a direct message: write your signal there.",
            "dm_only": "Do this in a direct message with me: a code does not belong in a channel, "
            "because whoever sees it can read your signal. I did nothing. Remove your message "
            "here if you can.",
            "summary.category": "Topic: {value}",
            "summary.team": "Team: {value}",
            "summary.none": "none",
            "sent": "**Sent, anonymously.**\nYour secret code: `{code}`. Keep it "
            "safe: with it you read answers (`signal show {code}`), reply (`signal reply {code} "
            "<text>`) and close the signal (`signal close {code}`). Whoever has the code can do "
            "that too: don't share it.",
            "sent.relay": "The signals team can answer you without knowing who you are.",
            "sent.no_relay": "You chose no replies: there is no way back to you. Check for news "
            "with your code.",
            "rate_limited": "You already sent {limit:signal|signals} in this period of "
            "{days:day|days}; no more for now. Please try again later. Nothing was stored.",
            "blocked": "You cannot send signals for a while. Nothing was stored. If it is "
            "urgent, please contact your confidential adviser.",
            "form.title": "Anonymous signal",
            "form.category": "Topic (optional)",
            "form.team": "Team (optional)",
            "form.text": "Your signal",
            "form.text_hint": "Your name is not stored, only your text, topic, team and the day. "
            "At most {max} characters.",
            "form.relay": "I want to be able to get an answer (through an encrypted relay: the "
            "team does not see who you are)",
            "form.submit": "Send anonymously",
            "form.fallback": "Use `/hartslag signal`: it opens a form (forms do not end up in "
            "exports of direct messages). If that does not work, type `signal conversation` in a "
            "direct message to me and I will ask step by step.",
            "code.bad": "`{value}` is not a valid code. A code looks like `ABCDE-FGHJK`.",
            "code.unknown": "I know no signal with that code. It may have been purged (after "
            "{months:month|months}) or the code was copied wrongly.",
            "show.head": "**Your signal** ({day}), status: {status}",
            "show.entry.reply": "**Answer from the signals team** ({day}):\n{text}",
            "show.entry.sender": "**Your reply** ({day}):\n{text}",
            "show.entry.followup": "**What was done** ({day}):\n{text}",
            "show.entry.sender_triage": "**Reply from the sender** ({day}):\n{text}",
            "show.entry.note": "**Internal note** by {author} ({day}):\n{text}",
            "reply.ask": "Write your reply to your signal in one message (at most {max} "
            "characters). Type `stop` to cancel.",
            "reply.confirm": "Your reply:\n\n{text}\n\n**Send anonymously?** Answer `yes` or `no`.",
            "reply.sent": "Your reply was added to your signal, anonymously.",
            "case.closed": "Case {ref} is closed; replies are no longer possible.",
            "case.closed_sender": "This signal is closed; replies are no longer possible. Feel "
            "free to send a new signal.",
            "close.done": "Your signal is closed. The encrypted way back to you has been erased; "
            "the signal itself is deleted after the retention period ({months:month|months}).",
            "info": "**What anonymous means here**\n"
            "- **Stored:** your text, the topic and team you choose, the status, and the *day* "
            "it arrived (no time). Also the answers and notes of the signals team.\n"
            "- **Not stored:** your name, your account id, the message or channel id of your "
            "signal, the time. Nothing about you goes into log files or statistics.\n"
            "- **Getting an answer:** if you want one, we keep an encrypted link between the "
            "case and you. Its key is kept outside the database; the signals team sees only a "
            "case number. The link is erased when the case closes or after {months:month|months}.\n"
            "- **Abuse:** each person can send {limit:signal|signals} per {days:day|days}; for that we keep "
            "a keyed hash per period, apart from the signals.\n"
            "- **Writing in a conversation** (Matrix, local chat): what you type is held in "
            "memory only until you confirm, and in your direct conversation on the chat "
            "platform itself. That platform's administrators can sometimes export direct "
            "conversations; a form (Slack, Teams) does not end up there.\n"
            "- **Retention:** {months:month|months}, then everything is erased.\n"
            "- Your text itself can give you away (names, details): write only what is needed.\n\n"
            "**This is not the legal whistleblower channel.** {pointer} {url}",
            "status.new": "new",
            "status.in_progress": "in progress",
            "status.answered": "answered",
            "status.closed": "closed",
            "status.bad": "`{value}` is not a status. Choose: new, in-progress, answered, closed.",
            "ref.bad": "`{value}` is not a case number. A case looks like `S-7KQ2X3`.",
            "ref.unknown": "Case `{ref}` does not exist (any more).",
            "inbox.title": "**Signals** ({filter}): {shown} of {total}",
            "inbox.empty": "No signals ({filter}).",
            "inbox.open": "open",
            "inbox.line": "`{ref}` {day} · {status} · {category} · {team}{assignee}{flag}\n  {preview}",
            "inbox.assignee": " · with {who}",
            "inbox.replied": " · **new reply from the sender**",
            "inbox.more": "See a case with `signal case <case>`.",
            "dossier.head": "**Case {ref}** ({day}), status: {status}; topic: {category}; team: "
            "{team}; handled by: {assignee}; can be answered: {relay}",
            "yes": "yes",
            "no": "no",
            "nobody": "nobody",
            "answer.done": "Your answer is in case {ref} and was delivered to the sender through "
            "the relay.",
            "answer.no_relay": "Your answer is in case {ref}. There is no way back to the sender, "
            "so nothing was delivered; the sender can read it with their code.",
            "answer.undelivered": "Your answer is in case {ref}, but delivering it failed just now. "
            "The sender can read it with their code.",
            "note.done": "Note added to {ref} (for the signals team only).",
            "status.done": "Case {ref} now has status {status}.",
            "status.closed_relay": "The way back to the sender has been erased.",
            "assign.bad_who": "`{value}` is not a person. Write `me`, `nobody` or platform:id, "
            "such as `local:tess`.",
            "assign.done": "Case {ref} is assigned to {who}.",
            "assign.cleared": "Case {ref} is assigned to nobody.",
            "assign.not_triage": "{who} does not have the signals team role.",
            "block.bad_days": "`{value}` is not a number of days. Choose 1 to {max:day|days}, "
            "for example `30`.",
            "block.done": "The sender of {ref} cannot send new signals until {until} inclusive. "
            "Nobody knows who it is: the block is a keyed hash without a case number.",
            "block.no_relay": "Case {ref} has no way back to the sender (closed, or sent without "
            "replies), so blocking is not possible.",
            "publish.quote_not_found": "That quote is not literally in the signal. Quote only what "
            "the sender wrote, or leave out `--quote`. Nothing was posted.",
            "publish.bad_channel": "`{value}` is not a channel. Write `#channel` or a full address "
            "such as `slack://T123/C456`.",
            "publish.title": "You said, we did",
            "publish.category": " (topic: {category})",
            "publish.done": "Posted in {channel}. {notified}",
            "publish.notified": "The sender has been notified.",
            "publish.not_notified": "The sender could not be notified; they will see it with "
            "their code.",
            "relay.reply": "**Answer to your anonymous signal**\n\n{text}\n\n"
            "Reply: `/hartslag signal reply {code} <text>`. Close: `/hartslag signal close "
            "{code}`.",
            "relay.followup": "**Something was done with your anonymous signal** (code `{code}`). The "
            "signals team posted this in {channel}:\n\n{text}",
            "relay.closed": "**Your anonymous signal was closed** by the signals "
            "team. The way back to you has now been erased. You can still read it with "
            "`/hartslag signal show {code}`.",
            "digest.title": "**Signals: open cases** ({day})",
            "digest.empty": "No open signals.",
            "digest.status": "- {status}: {count}",
            "digest.category": "- topic {category}: {count}",
            "digest.oldest": "Oldest open cases: {refs}",
            "digest.replied": "With a new reply from the sender: {refs}",
            "digest.on": "The overview of open signals goes to {target} every {weekday} at "
            "{time}.",
            "digest.off": "The overview is off ({count:schedule|schedules} removed).",
            "digest.you": "you (direct message)",
            "weekday.0": "Monday",
            "weekday.1": "Tuesday",
            "weekday.2": "Wednesday",
            "weekday.3": "Thursday",
            "weekday.4": "Friday",
            "weekday.5": "Saturday",
            "weekday.6": "Sunday",
        },
    },
)
