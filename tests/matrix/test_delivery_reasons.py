"""A failed Matrix delivery's reason is logged and kept in the outbox row, also for the reply
to an anonymous sender, so it carries the homeserver's error code and never its message
(which can name users) or the address tried (bots/matrix/port.py)."""

from __future__ import annotations

import pytest
from nio import ErrorResponse, RoomSendError

from bots.matrix.port import raise_for
from commands.port import DeliveryError


def test_a_homeserver_error_keeps_its_code_and_drops_its_message() -> None:
    answer = RoomSendError("@geheim:example.org is not in the room", "M_FORBIDDEN")
    with pytest.raises(DeliveryError) as caught:
        raise_for(answer, "send")
    assert caught.value.reason == "send: M_FORBIDDEN"
    assert caught.value.permanent  # M_FORBIDDEN is not retried


def test_an_error_without_a_code_says_error() -> None:
    with pytest.raises(DeliveryError) as caught:
        raise_for(ErrorResponse("room !abc:example.org for @geheim:example.org"), "invite")
    assert caught.value.reason == "invite: error"


def test_a_success_raises_nothing() -> None:
    assert raise_for(object(), "send") is None
