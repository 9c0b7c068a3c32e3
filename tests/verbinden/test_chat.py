"""Verbinden in the local chat, several people over several rounds on the fake clock:
create, join, intros across departments, no repeats, skip a round, follow-up answers,
figures under k withheld, ``stop`` deletes the history, bad input stores nothing."""

from __future__ import annotations

from typing import Any

from commands.model import Address, Interaction, UserRef
from storage.verbinden import VerbindenRepository
from tests.support.db import all_rows
from tests.verbinden.conftest import BURGERZAKEN, EVERYONE, WERF, pairs_of

CREATE = ('/hartslag verbinden create "Koffie met een onbekende" --when "elke dinsdag 10:00" '
          '--rule afdelingen')


async def start(chat: Any, people: list[str] = EVERYONE) -> None:
    await chat.run("@anna\n#algemeen\n" + CREATE)
    for person in people:
        out = await chat.run(f"@{person}\n#algemeen\npress 1")
        assert "Je doet mee met **Koffie met een onbekende**" in out


async def rounds(app: Any) -> list[Any]:
    return await app.store.repo(VerbindenRepository).rounds(1)


async def groups_of(app: Any, number: int) -> list[list[str]]:
    repo = app.store.repo(VerbindenRepository)
    row = next(r for r in await rounds(app) if r.number == number)
    found: dict[int, list[str]] = {}
    for member in await repo.members(row.id):
        found.setdefault(member.group_no, []).append(member.user_key.split(":")[1])
    return list(found.values())


async def test_rounds_across_departments_without_repeats(chat: Any, app: Any) -> None:
    await start(chat)
    out = await chat.run("@anna\nwait 26h")  # Monday 09:00 -> Tuesday 11:00: the 10:00 slot runs
    assert out.count("Deze keer spreek je af met") == 6
    assert "ronde 1 is verstuurd. 6 deelnemers in 3 groepen" in out  # to the organiser
    seen: set[frozenset[str]] = set()
    for number in (1, 2, 3):
        if number > 1:
            await chat.run("wait 7d")
        groups = await groups_of(app, number)
        assert sorted(len(g) for g in groups) == [2, 2, 2]
        for a, b in groups:  # the rule: one of each department
            assert (a in BURGERZAKEN) != (b in BURGERZAKEN)
        assert not pairs_of(groups) & seen  # 3 x 3 across departments: 3 rounds, no repeat
        seen |= pairs_of(groups)
    assert len(seen) == 9
    # Each intro names the partner, the template and an icebreaker in the person's own DM.
    dm = chat.transcript.split("[dm joost] hartslag")[1]
    assert "Drink een kop koffie" in dm and "Om het ijs te breken" in dm
    assert any(f"- {p} (chat)" in dm for p in WERF)


async def test_skip_one_round_then_back(chat: Any, app: Any) -> None:
    await start(chat)
    out = await chat.run("@omar\n/hartslag verbinden skip 1")
    assert "ronde 1" in out and "over" in out
    await chat.run("wait 26h")
    assert "omar" not in {p for g in await groups_of(app, 1) for p in g}
    assert sum(len(g) for g in await groups_of(app, 1)) == 5
    await chat.run("wait 7d")
    assert "omar" in {p for g in await groups_of(app, 2) for p in g}


async def test_followup_figures_withheld_under_k_then_shown(chat: Any, app: Any) -> None:
    await start(chat)
    await chat.run("@anna\nwait 26h\nwait 3d")  # the round, then the follow-up after 3 days
    out = chat.transcript
    assert out.count("hebben jullie elkaar gesproken (ronde 1)?") == 6
    for person in EVERYONE[:4]:
        out = await chat.run(f"@{person}\ndm\npress 1")
        assert "Dank je, genoteerd" in out
    out = await chat.run("@anna\n/hartslag verbinden stats 1")
    assert "Ronde 1: 6 deelnemers, 3 groepen, gesproken: te weinig om te tonen" in out  # 4 < k
    assert "%" not in out
    out = await chat.run("@daan\ndm\npress 2\n@noor\ndm\npress 1")
    out = await chat.run("@anna\n/hartslag verbinden stats 1")
    assert "Ronde 1: 6 deelnemers, 3 groepen, gesproken: 83% van 6 antwoorden" in out
    assert "[image:" in out
    row = (await rounds(app))[0]
    assert (row.met_yes, row.met_not_yet, row.met_no) == (5, 1, 0)
    # Changing an answer moves the counters, it does not add a vote.
    await app.handle(Interaction(UserRef("local", "daan"), Address("local", "local", "@daan"),
                                 "verbinden.met", f"{row.id}:yes"))
    row = (await rounds(app))[0]
    assert (row.met_yes, row.met_not_yet, row.met_no) == (6, 0, 0)
    # Who met whom is no figure: the stats name nobody.
    assert not any(p in out for p in EVERYONE)
    out = await chat.run("@joost\n/hartslag verbinden stats 1")
    assert "comms" in out.lower() or "rol" in out.lower()  # organisers only


async def test_small_round_shows_no_participation(chat: Any, app: Any) -> None:
    await start(chat, people=EVERYONE[:4])
    await chat.run("@anna\nwait 26h")
    out = await chat.run("/hartslag verbinden stats 1")
    assert "Ronde 1: te weinig deelnemers om cijfers te tonen" in out
    assert "[image:" not in out


async def test_stop_deletes_the_pairing_history(chat: Any, app: Any) -> None:
    await start(chat)
    await chat.run("@anna\nwait 26h\nwait 7d")
    before = await all_rows(app)
    assert any("local:sara" in row for row in before["verbinden_member"])
    out = await chat.run("@sara\ndm\nstop")
    assert "koppelgeschiedenis is gewist" in out
    after = await all_rows(app)
    for table in ("verbinden_member", "verbinden_participant"):
        assert not any("local:sara" in row for row in after[table]), table
    assert len(after["verbinden_member"]) == len(before["verbinden_member"]) - 2
    await chat.run("@anna\nwait 7d")
    assert "sara" not in {p for g in await groups_of(app, 3) for p in g}  # never unjoined


async def test_history_is_purged_after_the_window(chat: Any, app: Any, config: Any) -> None:
    await start(chat)
    await chat.run("@anna\nwait 26h")
    window = config.verbinden.history_rounds
    for _ in range(window + 1):
        await chat.run("wait 7d")
    numbers = {r.id: r.number for r in await rounds(app)}
    kept = {numbers[row[0]] for row in (await all_rows(app))["verbinden_member"]}
    latest = max(numbers.values())
    assert kept == set(range(latest - window + 1, latest + 1))
    assert len(numbers) == window + 2  # the counts of every round stay


async def test_bad_input_is_explained_and_stores_nothing(chat: Any, app: Any) -> None:
    cases = [
        ('/hartslag verbinden create "X" --when "morgen 9:00"', "terugkerende rondes"),
        ('/hartslag verbinden create "X" --when "elke blauwe maan"', "geen herhaling"),
        ('/hartslag verbinden create "X" --when "elke dinsdag 10:00" --size 5',
         "groepsgrootte `5` kan niet"),
        ('/hartslag verbinden create "X" --when "elke dinsdag 10:00" --rule kleur',
         "regel `kleur` ken ik niet"),
        ('/hartslag verbinden create "X" --when "elke dinsdag 10:00" --team nergens',
         "Team `nergens` bestaat niet"),
        ("/hartslag verbinden join 42", "Programma `42` bestaat niet"),
        ("/hartslag verbinden stats 7", "Programma `7` bestaat niet"),
    ]
    for command, expected in cases:
        out = await chat.run("@anna\n" + command)
        assert expected in out, command
    out = await chat.run('@joost\n/hartslag verbinden create "X" --when "elke dinsdag 10:00"')
    assert "rol" in out.lower()
    rows = await all_rows(app)
    assert not rows["verbinden_programme"] and not rows["verbinden_participant"]
    assert not [s for s in rows["schedule"] if "verbinden" in str(s)]
    out = await chat.run("@anna\n/hartslag lang en\n" + cases[2][0])
    assert "Group size `5` is not possible" in out


async def test_team_programme_only_for_its_members(chat: Any, app: Any) -> None:
    await chat.run('@anna\n/hartslag verbinden create "Ommetje" --when "elke vrijdag 12:00" '
                   '--rule locatie --team werf --template ommetje')
    out = await chat.run("@joost\n/hartslag verbinden join 1")
    assert "is voor team `werf`" in out
    for person, place in (("lisa", "werf"), ("noor", "werf"), ("daan", "stadhuis")):
        out = await chat.run(f"@{person}\n/hartslag verbinden join 1 --locatie {place}")
        assert "Je doet mee" in out
    await chat.run("@anna\nwait 5d")
    groups = await groups_of(app, 1)
    assert [sorted(g) for g in groups] == [["lisa", "noor"]]
    assert "niemand om je aan te koppelen" in chat.transcript.split("[dm daan]")[-1]


async def test_ending_a_programme_deletes_people_and_history(chat: Any, app: Any) -> None:
    await start(chat)
    await chat.run("@anna\nwait 26h")
    out = await chat.run("/hartslag verbinden end 1")
    assert "Wie meedeed en de koppelgeschiedenis zijn gewist" in out
    rows = await all_rows(app)
    assert not rows["verbinden_member"] and not rows["verbinden_participant"]
    assert len(rows["verbinden_round"]) == 1  # the totals stay
    await chat.run("wait 7d")
    assert len(await rounds(app)) == 1  # no round after the end
    out = await chat.run("@joost\n/hartslag verbinden join 1")
    assert "is gestopt" in out


async def test_help_shows_organiser_subcommands_only_to_organisers(chat: Any) -> None:
    employee = await chat.run("@joost\ndm\nhelp")
    assert "`verbinden lijst|meedoen|overslaan|stoppen`" in employee
    organiser = await chat.run("@bram\ndm\nhelp")
    assert "`verbinden lijst|meedoen|overslaan|stoppen|maak|ronde|cijfers|einde`" in organiser
    usage = await chat.run("@joost\ndm\nverbinden help")
    assert "Voorbeeld: `verbinden meedoen 1 --locatie stadhuis`" in usage
    assert "verbinden maak" not in usage
    refused = await chat.run("verbinden ronde 1")
    assert "Dat mag alleen iemand met de rol communicatie" in refused


async def test_dutch_words_and_options_and_the_tree_errors(chat: Any, app: Any) -> None:
    out = await chat.run('@bram\ndm\nverbinden maak "Ommetje" --wanneer "elke vrijdag 12:00" '
                         '--regel locatie --sjabloon ommetje')
    assert "Programma **1** staat klaar: **Ommetje**" in out
    [programme] = await app.store.repo(VerbindenRepository).programmes()
    assert (programme.rule, programme.template) == ("location", "ommetje")
    # Without a name or options in a chat without forms: how to type it, with an example.
    out = await chat.run("verbinden maak")
    assert "`verbinden maak [<naam...>] [--wanneer <herhaling>]" in out
    assert 'Voorbeeld: `verbinden maak "Koffie met een onbekende"' in out
    out = await chat.run("@lisa\ndm\nverbinden meedoen 1 --locatie werf")
    assert "Je doet mee met **Ommetje**" in out
    participant = await app.store.repo(VerbindenRepository).participants(1)
    assert [p.location for p in participant] == ["werf"]
    out = await chat.run("verbinden meedoen")
    assert "Er ontbreekt <nummer>" in out and "Voorbeeld: `verbinden meedoen 1" in out
    out = await chat.run("verbinden meedoen 1 --kleur rood")
    assert "De optie `--kleur` hoort niet bij dit commando" in out
    out = await chat.run("verbinden dansen")
    assert "`verbinden dansen` ken ik niet" in out and "`verbinden stoppen [<nummer>]`" in out
    out = await chat.run("verbinden stoppen")
    assert "Je doet nergens meer mee (1 programma)" in out
