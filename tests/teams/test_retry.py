"""Retries against the fake connector: 429 (Retry-After), 412, 502, 503, 504 are retried with
backoff; a long Retry-After and permanent failures come back as DeliveryError at once."""

from __future__ import annotations

import httpx
import pytest

from bots.teams.retry import RetryPolicy, retry_after
from commands.model import Address, OutgoingMessage
from commands.port import DeliveryError
from tests.teams.conftest import CHANNEL, TENANT, TeamsHarness

ADDRESS = Address("teams", TENANT, CHANNEL)


async def _installed(teams: TeamsHarness) -> None:
    response = await teams.post(teams.activities.installed_in_team())
    assert response.status_code == 200


@pytest.mark.parametrize("status", [429, 412, 502, 503, 504])
async def test_transient_failure_is_retried(teams: TeamsHarness, status: int) -> None:
    await _installed(teams)
    teams.connector.fail_next(status, retry_after=0 if status == 429 else None)
    ref = await teams.app.port.send(ADDRESS, OutgoingMessage("Hallo"))
    attempts = [c for c in teams.connector.calls if c.path.endswith("/activities")]
    assert [c.status for c in attempts] == [status, 200]
    assert ref.message_id == attempts[-1].result_id


async def test_several_failures_then_success_within_the_budget(teams: TeamsHarness) -> None:
    await _installed(teams)
    teams.connector.fail_next(503, count=3)
    await teams.app.port.send(ADDRESS, OutgoingMessage("Hallo"))
    assert [c.status for c in teams.connector.calls] == [503, 503, 503, 200]


async def test_exhausted_retries_raise_a_transient_delivery_error(teams: TeamsHarness) -> None:
    await _installed(teams)
    teams.connector.fail_next(502, count=4)
    with pytest.raises(DeliveryError) as caught:
        await teams.app.port.send(ADDRESS, OutgoingMessage("Hallo"))
    assert not caught.value.permanent
    assert len(teams.connector.calls) == 4
    assert teams.connector.sent() == []


async def test_long_retry_after_goes_back_to_the_outbox(teams: TeamsHarness) -> None:
    await _installed(teams)
    teams.connector.fail_next(429, retry_after=60)
    with pytest.raises(DeliveryError) as caught:
        await teams.app.port.send(ADDRESS, OutgoingMessage("Hallo"))
    assert caught.value.retry_after == 60 and not caught.value.permanent
    assert len(teams.connector.calls) == 1  # not slept on: the outbox reschedules the row


@pytest.mark.parametrize("status", [403, 404])
async def test_permanent_failures_are_not_retried(teams: TeamsHarness, status: int) -> None:
    await _installed(teams)
    teams.connector.fail_next(status)
    with pytest.raises(DeliveryError) as caught:
        await teams.app.port.send(ADDRESS, OutgoingMessage("Hallo"))
    assert caught.value.permanent
    assert len(teams.connector.calls) == 1


async def test_updates_and_replies_are_retried_too(teams: TeamsHarness) -> None:
    await _installed(teams)
    ref = await teams.app.port.send(ADDRESS, OutgoingMessage("Stand: 1"))
    teams.connector.fail_next(412)
    await teams.app.port.update(ref, OutgoingMessage("Stand: 2"))
    puts = [c for c in teams.connector.calls if c.method == "PUT"]
    assert [c.status for c in puts] == [412, 200]
    teams.connector.clear()
    teams.connector.fail_next(429, retry_after=0)
    await teams.post(teams.activities.personal("help"))
    calls = await teams.connector.wait_for(lambda c: len(c) >= 1)
    assert [c.status for c in teams.connector.calls] == [429, 200]
    assert "wat je hier kunt doen" in calls[0].text


def test_retry_after_parsing() -> None:
    def response(value: str) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": value})

    assert retry_after(response("3")) == 3.0
    assert retry_after(response("0.5")) == 0.5
    assert retry_after(response("Wed, 21 Oct 2015 07:28:00 GMT")) == 0.0  # in the past
    assert retry_after(response("soon")) is None
    assert retry_after(httpx.Response(429)) is None
    assert RetryPolicy().attempts == 4
