"""Verbinden on a real Synapse: an organiser creates a programme, two people join by
command, a round opens a private group room with both invited and introduces them there."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.matrix.homeserver import MatrixUser
from tests.matrix.people import Person, Seen

pytestmark = pytest.mark.synapse

StartBot = Callable[..., Awaitable[Any]]
NewPerson = Callable[[str], Awaitable[Person]]


def has(text: str) -> Callable[[Seen], bool]:
    return lambda seen: text in seen.body


async def test_matrix_round_in_a_group_room(start_bot: StartBot, new_person: NewPerson,
                                            bot_user: MatrixUser) -> None:
    mila, sara = await new_person("vmila"), await new_person("vsara")
    app = await start_bot(sections={"roles": {"comms": [f"matrix:{mila.id}"]},
                                    "verbinden": {"group_conversations": True}})
    room = await mila.create_room(invite=[bot_user.user_id, sara.id], name="Algemeen")
    await mila.say(room, '!hartslag verbinden create "Koffie" --when "elke dinsdag 10:00"')
    await mila.wait_for(bot_user.user_id, has("staat klaar"), what="the programme created")
    for person in (mila, sara):
        await person.say(room, "!hartslag verbinden join 1")
        await person.wait_for(bot_user.user_id, has("Je doet mee"), what="joined")
    await mila.say(room, "!hartslag verbinden round 1")
    await mila.wait_for(bot_user.user_id, has("Ronde 1"), what="the round formed")
    await app.scheduler.run_due()
    await app.outbox.drain()
    intros = []
    for person in (mila, sara):
        intros.append(await person.wait_for(bot_user.user_id, has("Welkom in dit groepsgesprek"),
                                            what="the group introduction"))
    assert intros[0].room_id == intros[1].room_id != room  # one new room for the group
    assert intros[0].event.decrypted  # encrypted like the bot's DMs
