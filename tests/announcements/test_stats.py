"""Reach report per target (delivered / failed / read, share of members where known) with a
chart where the platform takes images; failures never stop the other targets and reach the
author; progress of a long fan-out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from commands.announcements.jobs import progress_line
from commands.delivery import BatchReport
from commands.port import Capabilities, DeliveryError
from tests.announcements.conftest import ANNA, BRAM, KEES, Driver, slack, text_of

PNG = b"\x89PNG\r\n\x1a\n"


async def send(fake: Driver, targets: str, extra: str = "--ack") -> None:
    await fake.command(f'new --title "Update" --body "Lees dit." --to "{targets}" {extra}')
    await fake.press("announcements.confirm", "1")


async def test_one_failing_target_does_not_stop_the_others_and_the_author_hears(fake: Driver) -> None:
    fake.port.fail[str(slack("CGONE"))] = DeliveryError("channel_not_found", permanent=True)
    await send(fake, "slack:C1 slack:CGONE slack:C2")
    assert fake.texts_to(slack("C1")) and fake.texts_to(slack("C2"))
    await fake.advance(timedelta(minutes=5))
    told = fake.texts_to(ANNA)
    assert len(told) == 1
    assert "2 van 3 bezorgd, 1 mislukt" in told[0] and "`slack:CGONE`: channel_not_found" in told[0]
    await fake.advance(timedelta(minutes=10))
    assert len(fake.texts_to(ANNA)) == 1  # reported once
    posts = await fake.repo().posts(1)  # the outbox's on_sent: which message is which copy
    assert sorted(p.target for p in posts) == [str(slack("C1")), str(slack("C2"))]
    assert all(p.message_id for p in posts)


async def test_stats_with_chart_and_member_share(fake: Driver) -> None:
    fake.port.members_[str(slack("C1"))] = [ANNA, BRAM, KEES]
    fake.port.fail[str(slack("CGONE"))] = DeliveryError("not_in_channel", permanent=True)
    await send(fake, "slack:C1 slack:CGONE slack:C2")
    await fake.press("announcements.ack", "1", user=KEES, where=slack("C1"))
    await fake.press("announcements.ack", "1", user=BRAM, where=slack("C2"))
    reply = await fake.command("stats 1")
    text = text_of(reply)
    rows = {line.split()[0]: line.split()[1:] for line in text.splitlines()
            if line.startswith("slack:")}
    # members who read it, wherever they pressed: kees and bram of anna, bram, kees
    # no reaction count asked for in this test: the fake port cannot tell -> "onbekend"
    assert rows["slack:C1"] == ["1", "0", "0", "2", "3", "67%", "onbekend"]
    assert rows["slack:CGONE"][:2] == ["0", "1"] and rows["slack:CGONE"][-1] == "-"
    assert rows["slack:C2"] == ["1", "0", "0", "1", "-", "-", "onbekend"]  # presses there
    assert "Reacties (emoji): onbekend" in text
    assert "Gelezen: 2 personen" in text and "Mislukt in `slack:CGONE`: not_in_channel" in text
    assert reply.message is not None and reply.message.image is not None
    assert reply.message.image.png.startswith(PNG)
    assert "slack:C1" in reply.message.image.alt_text


async def test_reactions_per_target_with_a_total_and_unknown_where_the_platform_cannot_tell(
        fake: Driver) -> None:
    await send(fake, "slack:C1 slack:C2 slack:C3")
    refs = {s.target: s.ref.message_id for s in fake.port.sent if s.target.startswith("slack:")}
    fake.port.reactions_[refs[str(slack("C1"))]] = 4
    fake.port.reactions_[refs[str(slack("C2"))]] = 0  # C3: not listed, the platform can't tell
    reply = await fake.command("stats 1")
    text = text_of(reply)
    rows = {line.split()[0]: line.split()[1:] for line in text.splitlines()
            if line.startswith("slack:")}
    assert "reacties" in text.splitlines()[3]  # the column head
    assert [rows[f"slack:C{n}"][-1] for n in (1, 2, 3)] == ["4", "0", "onbekend"]
    assert "Reacties (emoji): 4 in totaal waar bekend; onbekend in 1 kanaal" in text
    assert reply.message is not None and reply.message.image is not None
    alt = reply.message.image.alt_text
    assert "onbekend" in alt and "4 in totaal" in alt
    fake.port.reactions_[refs[str(slack("C3"))]] = 1
    assert "Reacties (emoji): 5 in totaal." in text_of(await fake.command("stats 1"))
    from commands.announcements.messages import TEXT

    assert TEXT.get("en", "unknown") == "unknown"


async def test_text_table_where_the_platform_takes_no_images(fake: Driver) -> None:
    fake.port.capabilities_ = Capabilities(buttons=True)
    await send(fake, "slack:C1")
    reply = await fake.command("stats 1")
    assert reply.message is not None and reply.message.image is None
    assert "```" in text_of(reply) and "bezorgd" in text_of(reply)


async def test_progress_of_a_long_fan_out(fake: Driver) -> None:
    fake.port.fail[str(slack("CSLOW"))] = DeliveryError("ratelimited", retry_after=3600)
    targets = " ".join(f"slack:C{i}" for i in range(4)) + " slack:CSLOW"
    from commands.announcements.settings import AnnouncementSettings

    bag = fake.app.services.settings
    bag._by_type[AnnouncementSettings] = AnnouncementSettings(  # a small threshold for the test
        workspaces={"slack": "T1"}, progress_threshold=3)
    await send(fake, targets, "")
    assert "4/5 verzonden" in text_of(await fake.command("progress 1"))
    await fake.advance(timedelta(minutes=5))
    told = fake.texts_to(ANNA)
    assert told and "Aankondiging #1: 4/5 verzonden" in told[0]


def test_progress_line_estimates_the_end(fake_ctx: object = None) -> None:
    from types import SimpleNamespace

    from commands.announcements.messages import TEXT
    from commands.announcements.settings import AnnouncementSettings

    now = datetime(2026, 11, 23, 9, 10, tzinfo=UTC)
    ctx = SimpleNamespace(
        locale="nl", clock=SimpleNamespace(now=lambda: now),
        settings=SimpleNamespace(get=lambda model: AnnouncementSettings()),
        text=lambda catalog, key, **values: TEXT.get("nl", key, **values))
    report = BatchReport("b", 5000, 1200, 0, 3800, ())
    line = progress_line(ctx, report, now - timedelta(minutes=10))  # type: ignore[arg-type]
    assert line == "1.200/5.000 verzonden, klaar rond 10:41"
