"""Teams behind the real delivery engine: an announcement-style fan-out to a channel and a
person goes through the outbox, the Teams port and the fake connector, once per row."""

from __future__ import annotations

import asyncio

import httpx

from bots.teams.port import refused
from commands.delivery import Delivery
from commands.model import Address, OutgoingMessage, UserRef
from tests.teams.conftest import BRAM, CHANNEL, TENANT, TeamsHarness


async def _drain(teams: TeamsHarness) -> None:
    # The engine's own dispatcher may already be sending; drain until nothing is in flight.
    for _ in range(50):
        await teams.app.outbox.drain()
        report = await teams.app.outbox.report("b-1")
        if report.pending == 0:
            return
        await asyncio.sleep(0.02)


async def test_fan_out_through_the_outbox(teams: TeamsHarness) -> None:
    await teams.post(teams.activities.installed_in_team(members=[BRAM]))
    message = OutgoingMessage("**Mededeling**: nieuwe huisregels")
    teams.connector.fail_next(429, retry_after=0)
    await teams.app.outbox.enqueue(
        [Delivery(message, address=Address("teams", TENANT, CHANNEL)),
         Delivery(message, user=UserRef("teams", BRAM.aad_object_id))], batch="b-1")
    await _drain(teams)
    report = await teams.app.outbox.report("b-1")
    assert (report.total, report.sent, report.failed) == (2, 2, 0)
    posts = teams.connector.activities()
    assert sorted(p.conversation_id.split(":")[0] for p in posts) == ["19", "a"]
    # Reconciliation finds what each row became, for a channel and for a person.
    for item in report.items:
        assert item.message is not None
        target: Address | UserRef = (Address.parse(item.target)
                                     if item.target.startswith("teams://") else
                                     UserRef("teams", BRAM.aad_object_id))
        found = await teams.adapter.port.find_delivery(target, item.delivery_id)
        assert found is not None and found.message_id == item.message.message_id


def test_only_a_refusal_is_a_delivery_error() -> None:
    request = httpx.Request("POST", "http://127.0.0.1/")
    assert refused(httpx.HTTPStatusError("x", request=request,
                                         response=httpx.Response(503, request=request)))
    assert refused(httpx.ConnectError("down", request=request))
    # The post may have landed: the outbox must see it as ambiguous, not as "not posted".
    assert not refused(httpx.ReadTimeout("slow", request=request))
    assert not refused(httpx.RemoteProtocolError("cut", request=request))


async def test_sent_activity_ids_are_purged_by_the_privacy_job(teams: TeamsHarness) -> None:
    """``teams_sent`` (delivery id -> activity id, for reconciliation) is kept
    ``[privacy] sent_ids_days`` and then purged by the daily privacy job."""
    from datetime import timedelta

    await teams.post(teams.activities.installed_in_team())
    address = Address("teams", TENANT, CHANNEL)
    await teams.app.port.send(address, OutgoingMessage("x"), delivery_id="d-old")
    assert await teams.adapter.port.find_delivery(address, "d-old") is not None
    teams.app.clock.set(teams.app.clock.now() + timedelta(days=31))
    await teams.app.run_job("privacy.purge", {})
    assert await teams.adapter.port.find_delivery(address, "d-old") is None
