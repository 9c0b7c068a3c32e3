"""Work-system webhooks end to end: signed requests over HTTP into the real app, routing to
people on each platform through fake ports, replays, digests and quiet hours with a fake
clock, template errors kept for the admin."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlmodel import select

from bots.app import App
from bots.local.adapter import LocalAdapter
from bots.webhooks import sign
from commands.clock import FakeClock
from commands.markup import unescape
from commands.model import UserRef
from storage.notices import HookEvent, PendingNotice, RejectedHook
from storage.people import PeopleRepository, PersonRow
from tests.conftest import make_config
from tests.support.chat import ChatDriver
from tests.support.fake_port import FakeChatPort

AMS = ZoneInfo("Europe/Amsterdam")
SECRET, TOKEN = "topdesk-secret-123", "coda-token-456"
SOURCES: dict[str, Any] = {
    "topdesk": {
        "secret_env": "TEST_TOPDESK_SECRET", "person_field": "caller.email",
        "event_id_field": "id", "label": "incident", "label_plural": "incidenten",
        "template": "**Incident {{ number }}**: {{ status }}\n{{ brief }}",
    },
    "coda": {
        "token_env": "TEST_CODA_TOKEN", "person_field": "approver",
        "label": "factuur ter goedkeuring", "label_plural": "facturen ter goedkeuring",
        "template": "Factuur {{ invoice }} van {{ supplier }} wacht op je goedkeuring.",
    },
    "gemeente-zaaksysteem-meldingen": {  # a long source name (batch key length)
        "secret_env": "TEST_TOPDESK_SECRET", "person_field": "caller.email",
        "template": "**Incident {{ number }}**: {{ status }}",
    },
    "fixi": {
        "secret_env": "TEST_TOPDESK_SECRET", "to": "channel", "channel": "local:#algemeen",
        "template": "Nieuwe melding openbare ruimte: {{ title }}",
    },
}


class SlackLikePort(FakeChatPort):
    """A recording port that can also find people by e-mail, as Slack can."""

    async def find_user_by_email(self, email: str) -> UserRef | None:
        return UserRef("slack", "U0SARA", "sara") if email == "sara@gemeente.example" else None


@pytest.fixture
async def hooked(db_url: str, tmp_path: Path, clock: FakeClock,
                 monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[App, str, SlackLikePort]]:
    monkeypatch.setenv("TEST_TOPDESK_SECRET", SECRET)
    monkeypatch.setenv("TEST_CODA_TOKEN", TOKEN)
    config = make_config(db_url, tmp_path, server={"host": "127.0.0.1", "port": 0},
                         hooks={"sources": SOURCES})
    app = App(config, clock=clock, adapters=[LocalAdapter(config.local)])
    slack = SlackLikePort()
    app.port.add("slack", slack)
    await app.start()
    await app.store.repo(PeopleRepository).upsert([
        PersonRow("E100", "joost@gemeente.example", "Joost", {"local": "joost"}),
        PersonRow("E200", "omar@gemeente.example", "Omar", {"slack": "U0OMAR"}),
    ])
    assert app.server is not None
    try:
        yield app, f"http://127.0.0.1:{app.server.port}", slack
    finally:
        await app.stop()


def local_texts(app: App, place: str) -> list[str]:
    adapter = app.adapters[0]
    assert isinstance(adapter, LocalAdapter)
    return [m.text for m in adapter.world.messages if m.place == place]


async def post_signed(client: httpx.AsyncClient, source: str, payload: dict[str, Any], *,
                      secret: str = SECRET, stamp: int | None = None) -> httpx.Response:
    body = json.dumps(payload).encode()
    stamp = int(time.time()) if stamp is None else stamp
    headers = {"X-Hartslag-Timestamp": str(stamp), "X-Hartslag-Signature": sign(secret, stamp, body),
               "Content-Type": "application/json"}
    return await client.post(f"/hooks/{source}", content=body, headers=headers)


INCIDENT = {"id": "I-1", "number": "I 2611 001", "status": "in behandeling",
            "brief": "Laptop start niet", "caller": {"email": "joost@gemeente.example"}}


async def rows(app: App, table: type[Any]) -> list[Any]:
    async with app.db.session(readonly=True) as session:
        return list(await session.exec(select(table)))


async def test_signed_event_reaches_the_person_once_even_when_replayed(hooked: Any) -> None:
    app, base, _ = hooked
    async with httpx.AsyncClient(base_url=base) as client:
        first = await post_signed(client, "topdesk", INCIDENT)
        again = await post_signed(client, "topdesk", INCIDENT)
    assert first.status_code == 202 and first.json()["status"] == "queued"
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    await app.outbox.drain()
    texts = local_texts(app, "@joost")
    assert len(texts) == 1 and "**Incident I 2611 001**: in behandeling" in texts[0]


async def test_bad_requests_get_a_reason_and_store_nothing(hooked: Any) -> None:
    app, base, _ = hooked
    body = json.dumps(INCIDENT).encode()
    async with httpx.AsyncClient(base_url=base) as client:
        unsigned = await client.post("/hooks/topdesk", content=body)
        wrong = await post_signed(client, "topdesk", INCIDENT, secret="guess")
        stale = await post_signed(client, "topdesk", INCIDENT, stamp=int(time.time()) - 3600)
        huge = await post_signed(client, "topdesk", {"id": "x", "pad": "a" * 70_000})
        unknown = await post_signed(client, "sap", INCIDENT)
        not_json = await client.post("/hooks/coda", content=b"[1, 2]",
                                     headers={"Authorization": f"Bearer {TOKEN}"})
        bad_token = await client.post("/hooks/coda", json={"invoice": "1"},
                                      headers={"Authorization": "Bearer nope"})
    assert unsigned.status_code == 401 and "missing X-Hartslag-Timestamp" in unsigned.json()["error"]
    assert wrong.status_code == 401 and "bad signature" in wrong.json()["error"]
    assert stale.status_code == 401 and "300 s window" in stale.json()["error"]
    assert huge.status_code == 413 and "65536" in huge.json()["error"]
    assert unknown.status_code == 404 and "unknown source" in unknown.json()["error"]
    assert not_json.status_code == 400 and "JSON object" in not_json.json()["error"]
    assert bad_token.status_code == 401
    await app.outbox.drain()
    assert await rows(app, HookEvent) == [] and await rows(app, RejectedHook) == []
    assert local_texts(app, "@joost") == []


async def test_template_errors_and_unknown_people_are_kept_for_the_admin(hooked: Any) -> None:
    app, base, _ = hooked
    async with httpx.AsyncClient(base_url=base) as client:
        broken = await post_signed(client, "topdesk", {"id": "I-2", "caller": {"email": "joost@gemeente.example"}})
        nobody = await client.post("/hooks/coda", json={"invoice": "F-9", "supplier": "Acme",
                                                        "approver": "ghost@gemeente.example"},
                                   headers={"Authorization": f"Bearer {TOKEN}"})
    assert broken.status_code == 422 and "number" in broken.json()["error"]
    assert nobody.status_code == 422 and "unknown recipient 'ghost@gemeente.example'" in nobody.json()["error"]
    kept = await rows(app, RejectedHook)
    assert {k.source for k in kept} == {"topdesk", "coda"}
    assert await rows(app, HookEvent) == []  # released: a fixed retry is not a "duplicate"
    chat = ChatDriver(app, app.adapters[0], app.clock)  # type: ignore[arg-type]
    out = await chat.run("@anna\n/hartslag hooks failures\n@joost\n/hartslag hooks failures\n")
    assert "unknown recipient 'ghost@gemeente.example'" in out
    assert "Dat mag alleen iemand met de rol beheerder" in out


async def test_people_on_other_platforms_and_found_by_email(hooked: Any) -> None:
    app, base, slack = hooked
    async with httpx.AsyncClient(base_url=base) as client:
        by_id = await client.post("/hooks/coda", json={"invoice": "F-1", "supplier": "Acme",
                                                       "approver": "E200"},
                                  headers={"Authorization": f"Bearer {TOKEN}"})
        by_lookup = await client.post("/hooks/coda", json={"invoice": "F-2", "supplier": "Bouw BV",
                                                           "approver": "sara@gemeente.example"},
                                      headers={"Authorization": f"Bearer {TOKEN}"})
    assert by_id.status_code == 202 and by_lookup.status_code == 202
    await app.outbox.drain()
    assert [unescape(t) for t in slack.texts_to("slack:U0OMAR")] == [
        "Factuur F-1 van Acme wacht op je goedkeuring."]
    assert [unescape(t) for t in slack.texts_to("slack:U0SARA")] == [
        "Factuur F-2 van Bouw BV wacht op je goedkeuring."]
    sara = await app.store.repo(PeopleRepository).find("sara@gemeente.example")
    assert sara is not None and sara.slack == "U0SARA"


async def test_routing_to_a_channel(hooked: Any) -> None:
    app, base, _ = hooked
    async with httpx.AsyncClient(base_url=base) as client:
        response = await post_signed(client, "fixi", {"id": "F1", "title": "Kapotte stoeptegel @here"})
    assert response.status_code == 202
    await app.outbox.drain()
    texts = local_texts(app, "#algemeen")
    assert texts == ["Nieuwe melding openbare ruimte: Kapotte stoeptegel @\u2060here"]


async def test_quiet_hours_hold_until_morning_unless_urgent(hooked: Any) -> None:
    app, base, _ = hooked
    clock: FakeClock = app.clock
    clock.set(datetime(2026, 11, 23, 20, 0, tzinfo=AMS))
    async with httpx.AsyncClient(base_url=base) as client:
        held = await post_signed(client, "topdesk", INCIDENT)
        urgent = await post_signed(client, "topdesk", {**INCIDENT, "id": "I-9", "urgent": True,
                                                       "number": "I 9"})
    assert held.json() == {"status": "held", "until": "2026-11-24T08:00:00+01:00"}
    assert urgent.json()["status"] == "sent"
    await app.outbox.drain()
    assert len(local_texts(app, "@joost")) == 1
    clock.set(datetime(2026, 11, 24, 7, 55, tzinfo=AMS))
    await app.scheduler.run_due()
    await app.outbox.drain()
    assert len(local_texts(app, "@joost")) == 1
    clock.set(datetime(2026, 11, 24, 8, 0, tzinfo=AMS))
    await app.scheduler.run_due()
    await app.outbox.drain()
    texts = local_texts(app, "@joost")
    assert len(texts) == 2 and texts[1].startswith("**Je werkvoorraad: 1 incident**")
    assert await rows(app, PendingNotice) == []


async def test_a_daily_digest_collects_the_day(hooked: Any) -> None:
    app, base, _ = hooked
    chat = ChatDriver(app, app.adapters[0], app.clock)  # type: ignore[arg-type]
    out = await chat.run("@joost\ndm\nmeldingen digest 08:30\n")
    assert "één keer per dag als samenvatting" in out
    async with httpx.AsyncClient(base_url=base) as client:
        for n in (1, 2):
            await post_signed(client, "topdesk", {**INCIDENT, "id": f"D-{n}", "number": f"D {n}"})
        await client.post("/hooks/coda", json={"invoice": "F-7", "supplier": "Acme",
                                               "approver": "joost@gemeente.example"},
                          headers={"Authorization": f"Bearer {TOKEN}"})
    await chat.advance(timedelta(hours=23, minutes=25))  # Tuesday 08:25
    digests = [t for t in local_texts(app, "@joost") if "werkvoorraad" in t]
    assert digests == []
    await chat.advance(timedelta(minutes=10))
    digests = [t for t in local_texts(app, "@joost") if "werkvoorraad" in t]
    assert len(digests) == 1
    assert digests[0].startswith("**Je werkvoorraad: 2 incidenten, 1 factuur ter goedkeuring**")
    assert "D 1" in digests[0] and "D 2" in digests[0] and "F-7" in digests[0]


async def test_notification_preferences_need_the_directory(hooked: Any) -> None:
    app, _, _ = hooked
    chat = ChatDriver(app, app.adapters[0], app.clock)  # type: ignore[arg-type]
    out = await chat.run("@lisa\ndm\nmeldingen\n@joost\ndm\nmeldingen stil 17-8\nmeldingen stil 17:00-08:00\n")
    assert "Je staat nog niet in de personenlijst" in out
    assert "`17-8` is geen tijdvak" in out
    assert "stille uren 17:00-08:00" in out


class Crash(BaseException):
    """The process dying between two writes (not an Exception: nothing records a failure)."""


@pytest.mark.parametrize("dies_in", ["enqueue", "drop"])
async def test_a_crash_in_the_digest_flush_neither_loses_nor_doubles_it(
        hooked: Any, monkeypatch: pytest.MonkeyPatch, dies_in: str) -> None:
    """Issue 18 finding 4 (audit): the held notices were deleted before the digest was
    queued; a crash in between lost them. Now they stay held until the digest is queued."""
    from commands.notices.intake import FLUSH
    from storage.notices import NoticeRepository

    app, base, _ = hooked
    app.clock.set(datetime(2026, 11, 23, 20, 0, tzinfo=AMS))
    async with httpx.AsyncClient(base_url=base) as client:
        assert (await post_signed(client, "topdesk", INCIDENT)).json()["status"] == "held"
    person = (await rows(app, PendingNotice))[0].person_id
    app.clock.set(datetime(2026, 11, 24, 8, 0, tzinfo=AMS))

    async def crash(*args: Any, **kwargs: Any) -> Any:
        raise Crash

    if dies_in == "enqueue":
        monkeypatch.setattr(app.outbox, "enqueue", crash)
    else:
        monkeypatch.setattr(NoticeRepository, "drop", crash)
    with pytest.raises(Crash):
        await app.run_job(FLUSH, {"person": person})
    monkeypatch.undo()
    await app.run_job(FLUSH, {"person": person})  # the scheduler's rerun after the restart
    await app.run_job(FLUSH, {"person": person})
    await app.outbox.drain()
    digests = [t for t in local_texts(app, "@joost") if "werkvoorraad" in t]
    assert len(digests) == 1 and "I 2611 001" in digests[0]
    assert await rows(app, PendingNotice) == []


@pytest.mark.parametrize("evening", [False, True])
async def test_an_event_whose_handling_died_is_handled_on_the_sources_retry(
        hooked: Any, monkeypatch: pytest.MonkeyPatch, evening: bool) -> None:
    """Issue 18 finding 4 (audit): the event was recorded as seen before its message was
    queued or held; a crash in between made the source's retry a "duplicate" and the
    message was lost. Now the retry is handled, and a replay after that is a duplicate."""
    from storage.notices import NoticeRepository

    app, _, _ = hooked
    if evening:
        app.clock.set(datetime(2026, 11, 23, 20, 0, tzinfo=AMS))

    async def crash(*args: Any, **kwargs: Any) -> Any:
        raise Crash

    if evening:
        monkeypatch.setattr(NoticeRepository, "hold", crash)
    else:
        monkeypatch.setattr(app.outbox, "enqueue", crash)
    with pytest.raises(Crash):
        await app.receive_hook("topdesk", dict(INCIDENT))
    monkeypatch.undo()
    retried = await app.receive_hook("topdesk", dict(INCIDENT))
    assert retried.status == 202 and retried.body["status"] == ("held" if evening else "queued")
    replay = await app.receive_hook("topdesk", dict(INCIDENT))
    assert replay.body["status"] == "duplicate"
    if evening:
        app.clock.set(datetime(2026, 11, 24, 8, 0, tzinfo=AMS))
        await app.scheduler.run_due()
    await app.outbox.drain()
    texts = [t for t in local_texts(app, "@joost") if "I 2611 001" in t]
    assert len(texts) == 1


async def test_a_long_event_id_still_fits_an_outbox_batch_key(hooked: Any) -> None:
    """Issue 18 finding 8 (audit): ``hook:<source>:id:<up to 180 chars>`` could pass the
    outbox's 200-character batch limit; the event failed with a 500 on every retry."""
    app, _, _ = hooked
    long_id, source = "X" * 180, "gemeente-zaaksysteem-meldingen"
    first = await app.receive_hook(source, {**INCIDENT, "id": long_id})
    assert first.status == 202, first.body
    other = await app.receive_hook(source, {**INCIDENT, "id": long_id[:-1] + "Y"})
    assert other.status == 202, other.body  # a different event: its own batch
    await app.outbox.drain()
    assert len([t for t in local_texts(app, "@joost") if "I 2611 001" in t]) == 2


async def test_the_next_digest_is_not_taken_for_the_last_one(hooked: Any) -> None:
    """Issue 18 finding 8 (audit): a flushed notice's row is deleted and SQLite gives its id
    to the next notice, so a digest key built from ids named the next digest like the last
    one, and the outbox dropped it as a repeat."""
    app, _, _ = hooked
    texts: list[str] = []
    for day, number in ((23, "N 1"), (24, "N 2")):
        app.clock.set(datetime(2026, 11, day, 20, 0, tzinfo=AMS))
        held = await app.receive_hook("topdesk", {**INCIDENT, "id": number, "number": number})
        assert held.body["status"] == "held"
        app.clock.set(datetime(2026, 11, day + 1, 8, 0, tzinfo=AMS))
        await app.scheduler.run_due()
        await app.outbox.drain()
        texts = [t for t in local_texts(app, "@joost") if "werkvoorraad" in t]
    assert len(texts) == 2 and "N 1" in texts[0] and "N 2" in texts[1]
