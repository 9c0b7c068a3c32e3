"""Compose by command and by form, preview to the author, confirm or discard; bad input gets
a clear message and stores nothing; user text cannot mass-mention."""

from __future__ import annotations

from typing import Any

import pytest

from commands.announcements.form import FORM_ID
from commands.markup import ZWJ
from commands.model import CommandRequest, FormSubmission
from storage.announcements import STATES, AnnouncementRepository, AudienceRepository
from tests.announcements.conftest import ANNA, HERE, KEES, Driver, choice_values, slack, text_of

NEW = '/hartslag aankondiging nieuw --titel "Nieuw rooster" --tekst "Vanaf **maandag**." '


async def test_preview_then_confirm_posts_to_every_target(chat: Any) -> None:
    out = await chat.run("@anna\n#algemeen\n" + NEW + '--naar "local:#algemeen local:#demo"')
    assert "#2 -> anna" in out and "Voorbeeld van aankondiging #1" in out
    assert "[1] Versturen  [2] Annuleren" in out
    assert "[#demo]" not in out  # nothing went out before confirming
    out = await chat.run("press 1")
    assert out.count("**Nieuw rooster**") == 2
    assert "[#demo] hartslag" in out and "[#algemeen] hartslag #3:" in out
    assert "Hij gaat nu uit naar 2 kanalen." in out


async def test_discard_sends_nothing(chat: Any, app: Any) -> None:
    await chat.run("@anna\n#algemeen\n" + NEW + "--naar local:#demo\npress 2")
    assert "weggegooid" in chat.transcript and "[#demo]" not in chat.transcript
    ann = await app.store.repo(AnnouncementRepository).get(1)
    assert ann.state == "cancelled"


async def test_mass_mentions_are_neutralised_unless_allowed(chat: Any) -> None:
    await chat.run('@anna\n#algemeen\n/hartslag aankondiging nieuw --titel "Let op @here" '
                   '--tekst "Iedereen @channel @room <b>vet</b>" --naar local:#demo\npress 1')
    copy = [line for line in chat.transcript.splitlines() if "Iedereen" in line][-1]
    assert f"@{ZWJ}channel" in copy and f"@{ZWJ}room" in copy and "@channel" not in copy
    assert f"@{ZWJ}here" in chat.transcript
    await chat.run('/hartslag aankondiging nieuw --titel "Brand" --tekst "@channel nu weg" '
                   "--naar local:#demo --mentions\npress 1")
    assert "    @channel nu weg" in chat.transcript


async def test_help_shows_the_grammar(chat: Any) -> None:
    out = await chat.run("@anna\n/hartslag help\n/hartslag aankondiging help")
    assert "aankondiging nieuw" in out and "--embargo" in out and "platform:werkruimte/kanaal" in out
    # Every subcommand with its usage and an example, the sub-actions of the libraries too.
    assert "`aankondiging nieuw [--titel <titel>] [--tekst <tekst>]" in out
    assert "[--gelezen [<wanneer>]]" in out and "`aankondiging toon <nummer>`" in out
    assert "`aankondiging afwijzen <nummer> [<reden...>]`" in out
    assert "Voorbeeld: `aankondiging nieuw --titel" in out
    assert "`doelgroep toevoegen <naam> <kanalen...> [--vier-ogen]`" in out
    assert "`sjabloon toevoegen <naam> --tekst" in out
    assert "Voorbeeld: `aankondiging sjabloon toevoegen" in out
    english = await chat.run("/hartslag taal en\n/hartslag announce help")
    assert "`announce new [--title <title>]" in english and "[--ack [<when>]]" in english
    assert "Example: `announce audience add all-staff" in english


async def test_help_lists_announcements_only_for_comms(chat: Any) -> None:
    employee = await chat.run("@joost\ndm\nhelp")
    assert "`aankondiging" not in employee
    refused = await chat.run("aankondiging help")
    assert "rol communicatie" in refused and "aankondiging nieuw" not in refused
    comms = await chat.run("@bram\ndm\nhelp")
    assert "`aankondiging nieuw|lijst|toon|wijzig|" in comms and "|doelgroep|sjabloon`" in comms
    assert "formulier" not in comms.split("`aankondiging", 1)[1].split("\n")[0]  # hidden


async def test_option_aliases_of_both_languages_still_work(fake: Driver) -> None:
    # The Read button as a bare option, with a date, or by its older name for the date.
    await fake.command('nieuw --titel "a" --bericht "b" --kanalen slack:C1 --gelezen --vermeldingen')
    await fake.command('new --title "a" --text "b" --targets slack:C1 --gelezen "vrijdag 17:00"')
    await fake.command('new --title "a" --body "b" --to slack:C1 --uiterlijk "vrijdag 17:00" '
                       '--wanneer "morgen 9:00"')
    first, second, third = [await fake.repo().get(n) for n in (1, 2, 3)]
    assert first is not None and first.ack and first.ack_due is None and first.allow_mentions
    assert second is not None and second.ack and second.ack_due is not None
    assert third is not None and third.ack and third.ack_due == second.ack_due
    assert third.trigger is not None


async def test_people_without_the_comms_role_are_refused(fake: Driver) -> None:
    reply = await fake.command('new --title x --body y --to slack:C1', user=KEES)
    assert "communicatie" in text_of(reply)
    assert await fake.repo().open(states=STATES) == []


BAD: list[tuple[str, str]] = [
    ('new --body "x" --to slack:C1', "Geef een titel"),
    ('new --title "x" --body "y"', "Zeg waarheen"),
    ('new --title "x" --body "y" --to general', "`general` is geen kanaal"),
    ('new --title "x" --body "y" --to irc:#x', "onbekend platform"),
    ('new --title "x" --body "y" --to slack:#general', "Schrijf het als `slack:C0123`"),
    ('new --title "x" --body "y" --to teams:19:abc', "staat niet aan"),
    ('new --title "x" --to slack:C1', "Geef de tekst"),
    ('new --title "x" --body "y" --audience iedereen', "Doelgroep `iedereen` bestaat niet"),
    ('new --title "x" --body "y" --to slack:C1 --colour red',
     "De optie `--colour` hoort niet bij dit commando"),
    ('new --title "x" --body "y" --to slack:C1 --titel', "Achter `--titel` hoort een waarde"),
    ('new --title "x" --body "y" --to slack:C1 --uiterlijk', "Achter `--uiterlijk` hoort"),
    ('new --title "x" --body y z --to slack:C1', "Ik weet niet wat ik met `z` moet"),
    ('new --title "x" --body "y" --to slack:C1 --at "volgende eeuw"', "niet als tijdstip"),
    ('new --title "x" --body "y" --to slack:C1 --at "2020-01-01 09:00"', "al voorbij"),
    ('new --title "x" --body "y" --to slack:C1 --at "vandaag 12:00" --ack "vandaag 11:00"',
     "ligt vóór het versturen"),
    ('new --title "x" --body "y" --to slack:C1 --ack "elke dag 9:00"', "één tijdstip"),
    ('new --title "x" --body "y" --to slack:C1 --at "elke maandag 9:00" --embargo "morgen 12:00"',
     "alleen bij een eenmalige"),
    ('new --title "x" --body "y" --to slack:C1 --template weekbericht', "Geef `--tekst` of"),
    ('new --title "x" --to slack:C1 --template weekbericht', "Sjabloon `weekbericht` bestaat niet"),
    ('new --title "x" --body "y" --to "slack:C1" naam=', ""),  # a variable without template: ok
    ('new --title "x" --body "y" --to slack:C1 "1x=2"', "geen geldige variabelenaam"),
    ('new --title "a\nb" --body "y" --to slack:C1', "meerdere regels"),
    ('new --title "x --body y', "aanhalingstekens"),
    ("show 99", "Aankondiging 99 bestaat niet"),
    ("show", "Er ontbreekt <nummer>"),
    ("show abc", "Geef het nummer"),
    ("explode 1", "`aankondiging explode` ken ik niet"),
    ('audience add x slack:C1 --colour red', "De optie `--colour` hoort niet"),
]


@pytest.mark.parametrize(("args", "expected"), BAD)
async def test_bad_input_says_what_and_stores_nothing(fake: Driver, args: str, expected: str) -> None:
    reply = await fake.command(args)
    if not expected:  # the control case: valid input does store a draft
        assert len(await fake.repo().open(states=STATES)) == 1
        return
    assert expected in text_of(reply)
    assert await fake.repo().open(states=STATES) == []
    assert fake.port.sent == []


async def test_form_where_the_platform_has_forms_and_text_elsewhere(fake: Driver, chat: Any) -> None:
    reply = await fake.command("new")
    assert reply.form is not None and reply.form.form_id == FORM_ID
    assert {f.name for f in reply.form.fields} >= {"title", "body", "targets", "when", "ack_due",
                                                    "embargo", "template", "audiences"}
    assert reply.message is not None and "--titel" in reply.message.markdown
    out = await chat.run("@anna\n#algemeen\n/hartslag aankondiging nieuw")
    assert "Hier kan geen formulier open" in out and "Nieuwe aankondiging" not in out


async def test_form_submission_gives_the_preview(fake: Driver) -> None:
    values = {"title": "Kerstborrel", "body": "Vrijdag om **16:00**.", "targets": "slack:C1 slack:C2",
              "when": "", "ack": "true", "ack_due": "", "embargo": "", "allow_mentions": ""}
    reply = await fake.app.handle(FormSubmission(ANNA, HERE, FORM_ID, values))
    assert reply is not None and "Voorbeeld van aankondiging #1" in text_of(reply)
    assert choice_values(reply)[0] == ("announcements.confirm", "1")
    ann = await fake.repo().get(1)
    assert ann is not None and ann.ack and ann.targets == [str(slack("C1")), str(slack("C2"))]
    bad = await fake.app.handle(FormSubmission(ANNA, HERE, FORM_ID, {**values, "targets": "C1"}))
    assert bad is not None and "geen kanaal" in text_of(bad)
    assert len(await fake.repo().open(states=STATES)) == 1


async def test_only_the_author_confirms(fake: Driver) -> None:
    from tests.announcements.conftest import BRAM

    await fake.command('new --title "x" --body "y" --to slack:C1')
    reply = await fake.press("announcements.confirm", "1", user=BRAM)
    assert "Alleen wie aankondiging #1 opstelde" in text_of(reply)
    assert fake.texts_to(slack("C1")) == []
    await fake.press("announcements.confirm", "1")
    again = await fake.press("announcements.confirm", "1")
    assert "al verwerkt" in text_of(again)
    assert len(fake.texts_to(slack("C1"))) == 1  # a second press never posts twice


async def test_templates_render_sandboxed_with_escaped_variables(fake: Driver) -> None:
    reply = await fake.command('template add weekbericht --body "Hoi {{ team }},\\n'
                               'de borrel is om {{ tijd }}."')
    assert "variabelen: team, tijd" in text_of(reply)
    assert "weekbericht" in text_of(await fake.command("template list"))
    assert "{{ tijd }}" in text_of(await fake.command("template show weekbericht"))
    missing = await fake.command('new --title "x" --to slack:C1 --template weekbericht team=A')
    assert "Sjabloonfout op regel 2" in text_of(missing) and "`tijd` ontbreekt" in text_of(missing)
    assert await fake.repo().open(states=STATES) == []
    ok = await fake.command('new --title "x" --to slack:C1 --template weekbericht '
                            'team="*Team* @channel" tijd=16:00')
    assert f"\\*Team\\* @{ZWJ}channel" in text_of(ok)
    await fake.press("announcements.confirm", "1")
    assert "de borrel is om 16:00" in fake.texts_to(slack("C1"))[0]
    bad = await fake.command('template add kapot --body "{% if x %}open"')
    assert "Sjabloonfout op regel 1" in text_of(bad) and "`{% if %}` wordt niet" in text_of(bad)
    # Refused when saved, not only when used, and in our words rather than Jinja's English.
    unsafe = await fake.command('template add gevaar --body "{{ x.__class__.__mro__ }}"')
    assert "mag niet in een sjabloon" in text_of(unsafe) and "unsafe" not in text_of(unsafe)
    assert "gevaar" not in text_of(await fake.command("template list"))
    for body, words in (("Hoi {{ naam }", "`}` staat op een plek"),
                        ("{% groet %}", "`{% groet %}` ken ik niet"),
                        ("{{ naam | hoofdletters }}", "het filter `hoofdletters` bestaat niet")):
        refused = text_of(await fake.command(f'template add fout --body "{body}"'))
        assert words in refused and "niets opgeslagen" in refused, refused
    english = await fake.app.handle(CommandRequest(ANNA, HERE, "announce",
                                                   'template add fout --body "Hoi {{ naam }"',
                                                   locale="en"))
    assert english is not None
    assert "`}` is in a place where it does not belong" in text_of(english)


async def test_audiences_are_managed_by_command_and_expand_to_targets(fake: Driver) -> None:
    reply = await fake.command("audience add iedereen slack:C1 slack:C2,slack:T9/C3")
    assert "3 kanalen" in text_of(reply)
    listing = text_of(await fake.command("audience list"))
    assert "`slack:C1`" in listing and "`slack:T9/C3`" in listing
    bad = await fake.command("audience add kapot slack:#x")
    assert "geen kanaal van Slack" in text_of(bad)
    assert await fake.app.store.repo(AudienceRepository).get("kapot") is None
    preview = await fake.command('new --title "x" --body "y" --audience iedereen --to slack:C9')
    assert "Doelgroepen: iedereen" in text_of(preview)
    ann = await fake.repo().get(1)
    assert ann is not None and len(ann.targets) == 4
    assert "verwijderd" in text_of(await fake.command("audience remove iedereen"))


async def test_english_for_people_who_chose_it(chat: Any) -> None:
    out = await chat.run("@anna\n#algemeen\n/hartslag language en\n"
                         '/hartslag announce new --title "New rota" --body "From Monday." '
                         "--to local:#demo --ack\npress 1")
    assert "Preview of announcement #1" in out and "[1] Send  [2] Cancel" in out
    assert "It goes out now to 1 channel." in out
    assert "[1] Gelezen" in out  # the copy speaks the channel's language (default Dutch)
    bad = await chat.run('/hartslag announce new --title "x" --body "y" --to nowhere')
    assert "`nowhere` is not a channel" in bad
