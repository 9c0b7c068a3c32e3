"""Product features over Matrix, end to end against a real Synapse: a pulse answered by DM
with numbered replies, an announcement to several rooms acknowledged by a reaction."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.matrix.homeserver import SERVER_NAME, MatrixUser
from tests.matrix.people import Person, Seen

pytestmark = pytest.mark.synapse

StartBot = Callable[..., Awaitable[Any]]
NewPerson = Callable[[str], Awaitable[Person]]
KEYCAP_1 = "1\ufe0f\u20e3"


async def settle(app: Any) -> None:
    """Run the scheduled jobs that are due and send what they queued."""
    await app.scheduler.run_due()
    await app.outbox.drain()


def has(text: str) -> Callable[[Seen], bool]:
    return lambda seen: text in seen.body


def asked(question: str) -> Callable[[Seen], bool]:
    """A question as the bot asks it: the text with its numbered options."""
    return lambda seen: question in seen.body and KEYCAP_1 in seen.body


async def test_pulse_is_answered_by_dm_with_numbers(
    start_bot: StartBot, new_person: NewPerson, bot_user: MatrixUser
) -> None:
    mila = await new_person("mila")
    key = f"matrix:{mila.id}"
    app = await start_bot(sections={
        "roles": {"comms": [key]},
        "pulse": {"key": secrets.token_hex(20), "teams": {"zorg": {"members": [key]}}},
    })
    room = await mila.create_room(invite=[bot_user.user_id], name="Zorg")

    await mila.say(room, '!hartslag pulse create --confirm "Weekcheck" --team zorg --duration 1d '
                         '--reminder off --q1 "single: Werkdruk? | laag | goed | hoog"')
    created = await mila.wait_for(bot_user.user_id, has("aangemaakt"), what="the pulse created")
    dm = created.room_id
    assert dm != room
    await settle(app)
    invite = await mila.wait_for(bot_user.user_id, has("Nieuwe peiling"), room_id=dm,
                                 what="the invitation")
    assert f"{KEYCAP_1} Beantwoorden" in invite.body

    await mila.say(dm, "1")
    # The create reply quotes the question too, and the app's timer may open the round
    # before that reply is sent, so the question is the message with numbered options.
    question = await mila.wait_for(bot_user.user_id, asked("Werkdruk?"), room_id=dm,
                                   what="the first question", after=invite)
    assert "2\ufe0f\u20e3 goed" in question.body
    await mila.say(dm, "2")

    thanks = await mila.wait_for(bot_user.user_id, has("Dank je!"), room_id=dm,
                                 what="the thanks", after=question)
    assert "anoniem" in thanks.body and thanks.event.decrypted


async def test_announcement_to_several_rooms_acknowledged_by_reaction(
    start_bot: StartBot, new_person: NewPerson, bot_user: MatrixUser
) -> None:
    sara = await new_person("sara")
    app = await start_bot(sections={"roles": {"comms": [f"matrix:{sara.id}"]}})
    suffix = secrets.token_hex(3)
    aliases = [f"#team-{n}-{suffix}:{SERVER_NAME}" for n in "ab"]
    rooms = [await sara.create_room(invite=[bot_user.user_id], alias=a.split(":")[0][1:])
             for a in aliases]
    targets = " ".join(f"matrix:{a}" for a in aliases)

    await sara.say(rooms[0], f'!hartslag announce new --title "Nieuw rooster" '
                             f'--body "Het rooster voor **december** staat online." '
                             f'--to "{targets}" --ack')
    preview = await sara.wait_for(bot_user.user_id, has("Nieuw rooster"), what="the preview")
    await sara.say(preview.room_id, "1")  # confirm
    await sara.wait_for(bot_user.user_id, lambda s: "m.new_content" in s.content,
                        room_id=preview.room_id, what="the confirmation edit")
    await settle(app)

    posted = [await sara.wait_for(bot_user.user_id, has("december"), room_id=room,
                                  what="the announcement") for room in rooms]
    for seen in posted:
        assert "<strong>december</strong>" in seen.content["formatted_body"]
        assert f"{KEYCAP_1} Gelezen" in seen.body
    await sara.react(rooms[1], posted[1].event.event_id, "\U0001f44d")

    thanks = await sara.wait_for(bot_user.user_id, has("gelezen hebt"), what="the thanks")
    assert thanks.room_id == preview.room_id  # private: in the DM, not in the room
