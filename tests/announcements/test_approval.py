"""Four-eyes approval: per audience or for everything; nothing goes out before; another comms
member decides; the author hears the outcome."""

from __future__ import annotations

from pathlib import Path

from bots.app import App
from commands.clock import FakeClock
from tests.announcements.conftest import ANNA, BRAM, KEES, Driver, quiet, slack, text_of
from tests.conftest import make_config
from tests.support.fake_port import FakeChatPort


async def submit(fake: Driver) -> None:
    await fake.command("audience add directie slack:C1 slack:C2 --four-eyes")
    preview = await fake.command('new --title "Reorganisatie" --body "Details volgen." '
                                 "--audience directie")
    assert "Goedkeuring: nodig" in text_of(preview) and "Ter goedkeuring aanbieden" in str(preview)
    reply = await fake.press("announcements.confirm", "1")
    assert "ter goedkeuring aangeboden (1 verzoek)" in text_of(reply)


async def test_nothing_goes_out_before_approval_and_the_author_hears_it(fake: Driver) -> None:
    await submit(fake)
    assert fake.texts_to(slack("C1")) == [] and fake.texts_to(slack("C2")) == []
    request = [s for s in fake.port.sent if s.target == BRAM.key]
    assert len(request) == 1 and "Goedkeuring gevraagd" in request[0].message.markdown
    assert [c.action for c in request[0].message.choices] == ["announcements.approve",
                                                              "announcements.reject"]
    assert fake.texts_to(ANNA) == []  # the author is not asked to approve
    own = await fake.press("announcements.approve", "1", user=ANNA)
    assert "je eigen aankondiging" in text_of(own)
    stranger = await fake.press("announcements.approve", "1", user=KEES)
    assert "communicatie" in text_of(stranger)
    assert fake.texts_to(slack("C1")) == []
    reply = await fake.press("announcements.approve", "1", user=BRAM)
    assert reply.replace and "is goedgekeurd" in text_of(reply)
    assert fake.texts_to(slack("C1")) == ["Details volgen."]
    assert fake.texts_to(slack("C2")) == ["Details volgen."]
    told = fake.texts_to(ANNA)
    assert len(told) == 1 and "goedgekeurd door Bram" in told[0]
    again = await fake.press("announcements.reject", "1", user=BRAM)
    assert "al beslist" in text_of(again)


async def test_rejection_with_a_reason_by_command(fake: Driver) -> None:
    await submit(fake)
    reply = await fake.command("reject 1 Eerst met de OR afstemmen", user=BRAM)
    assert "is afgewezen" in text_of(reply)
    told = fake.texts_to(ANNA)
    assert len(told) == 1 and "Reden: Eerst met de OR afstemmen" in told[0]
    assert fake.texts_to(slack("C1")) == []
    ann = await fake.repo().get(1)
    assert ann is not None and ann.state == "rejected" and ann.decided_by == BRAM.key


async def test_approval_for_everything_in_an_approval_channel(
        db_url: str, tmp_path: Path, clock: FakeClock) -> None:
    config = make_config(db_url, tmp_path, roles={"comms": ["slack:UANNA", "slack:UBRAM"]},
                         announcements={"require_approval": True, "workspaces": {"slack": "T1"},
                                        "approval_channel": "slack:CAPPROVE"})
    app = App(config, clock=clock, adapters=[])
    port = FakeChatPort()
    app.port.add("slack", port)
    await app.start(serve_http=False)
    await quiet(app)
    try:
        fake = Driver(app, port, clock)
        await fake.command('new --title "x" --body "y" --to slack:C1')
        await fake.press("announcements.confirm", "1")
        assert len(fake.texts_to(slack("CAPPROVE"))) == 1 and fake.texts_to(BRAM) == []
        await fake.command("approve 1", user=BRAM)
        assert fake.texts_to(slack("C1")) == ["y"]
    finally:
        await app.stop()


async def test_no_other_comms_member_is_refused_before_anything_changes(
        db_url: str, tmp_path: Path, clock: FakeClock) -> None:
    config = make_config(db_url, tmp_path, roles={"comms": ["slack:UANNA"]},
                         announcements={"require_approval": True})
    app = App(config, clock=clock, adapters=[])
    port = FakeChatPort()
    app.port.add("slack", port)
    await app.start(serve_http=False)
    await quiet(app)
    try:
        fake = Driver(app, port, clock)
        await fake.command('new --title "x" --body "y" --to slack:C1')
        reply = await fake.press("announcements.confirm", "1")
        assert "geen andere communicatie-collega" in text_of(reply)
        ann = await fake.repo().get(1)
        assert ann is not None and ann.state == "draft" and port.sent == []
    finally:
        await app.stop()


async def test_an_approved_announcement_edited_in_the_same_second_asks_again(
        fake: Driver) -> None:
    """Issue 18 #8: the new approval request used the first one's outbox key and was dropped."""
    await fake.command("audience add directie slack:C1 --four-eyes")
    await fake.command('new --title "Verhuizing" --body "Eerste versie." --audience directie '
                       '--at "morgen 9:00"')
    await fake.press("announcements.confirm", "1")
    await fake.press("announcements.approve", "1", user=BRAM)
    assert len([s for s in fake.port.sent if s.target == BRAM.key]) == 1
    # The fake clock stands still: the edit and the new offer fall in the same second.
    await fake.command('edit 1 --body "Tweede versie."')
    reply = await fake.press("announcements.confirm", "1")
    assert "ter goedkeuring aangeboden" in text_of(reply)
    requests = [s for s in fake.port.sent if s.target == BRAM.key]
    assert len(requests) == 2, [s.message.markdown for s in requests]
    assert "Tweede versie." in requests[1].message.markdown


async def test_a_rejected_announcement_is_edited_offered_again_and_approved(
        fake: Driver) -> None:
    await submit(fake)
    await fake.command("reject 1 Eerst met de OR afstemmen", user=BRAM)
    told = fake.texts_to(ANNA)[-1]
    assert "wijzig 1" in told and "annuleer 1" in told
    listed = text_of(await fake.command("list"))
    assert "#1 **Reorganisatie** (afgewezen)" in listed and "wijzig 1" in listed

    edited = await fake.command('edit 1 --body "Afgestemd met de OR."')
    assert "Voorbeeld" in text_of(edited) and "Ter goedkeuring aanbieden" in str(edited)
    offered = await fake.press("announcements.confirm", "1")
    assert "ter goedkeuring aangeboden" in text_of(offered)
    await fake.press("announcements.approve", "1", user=BRAM)
    assert fake.texts_to(slack("C1")) == ["Afgestemd met de OR."]


async def test_a_rejected_announcement_can_be_thrown_away(fake: Driver) -> None:
    await submit(fake)
    await fake.command("reject 1 Niet nu", user=BRAM)
    reply = await fake.command("cancel 1")
    assert "geannuleerd" in text_of(reply)
    ann = await fake.repo().get(1)
    assert ann is not None and ann.state == "cancelled"


async def test_every_listed_state_names_its_way_forward(fake: Driver) -> None:
    await fake.command('new --title "Concept" --body "x" --to slack:C1')  # left unconfirmed
    listed = text_of(await fake.command("list"))
    assert "(concept)" in listed and "toon 1" in listed and "annuleer 1" in listed
    shown = await fake.command("show 1")  # a draft shows its preview again, buttons included
    assert "Versturen" in str(shown) and "announcements.confirm" in str(shown)


async def test_an_unknown_action_is_named_before_any_number_is_asked(fake: Driver) -> None:
    reply = await fake.command("foo")
    # The tree's answer: the word is unknown, with what the command does; no number asked.
    assert "`aankondiging foo` ken ik niet" in text_of(reply)
    assert "`aankondiging toon <nummer>`" in text_of(reply)
    assert "Geef het nummer" not in text_of(reply)
