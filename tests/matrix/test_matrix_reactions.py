"""Reactions on a posted announcement, counted by the Matrix port (``reaction_count``) through
the relations API of a real Synapse."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from commands.model import MessageRef, OutgoingMessage
from commands.port import DeliveryError
from tests.matrix.harness import adapter_of
from tests.matrix.homeserver import MatrixUser
from tests.matrix.people import Person

pytestmark = pytest.mark.synapse

StartBot = Callable[..., Awaitable[Any]]
NewPerson = Callable[[str], Awaitable[Person]]


async def test_reaction_count_counts_the_annotations_of_the_event(
    start_bot: StartBot, new_person: NewPerson, bot_user: MatrixUser
) -> None:
    app = await start_bot()
    ruth = await new_person("ruth")
    room = await ruth.create_room(invite=[bot_user.user_id])
    port = adapter_of(app).port
    ref = await port.send(port.address(room), OutgoingMessage("Borrel vrijdag om vier."))
    other = await port.send(port.address(room), OutgoingMessage("Iets anders."))
    await ruth.wait_for(bot_user.user_id, room_id=room, what="the announcement")
    assert await port.reaction_count(ref) == 0

    await ruth.react(room, ref.message_id, "\U0001f44d")
    await ruth.react(room, ref.message_id, "\U0001f389")
    await ruth.react(room, other.message_id, "\U0001f44d")  # another message: not counted
    await ruth.say(room, "Leuk!", reply_to=ref.message_id)  # a reply is no reaction

    assert await port.reaction_count(ref) == 2
    assert await port.reaction_count(other) == 1
    with pytest.raises(DeliveryError):
        await port.reaction_count(MessageRef(port.address("!nergens:localhost"), "$geen"))
