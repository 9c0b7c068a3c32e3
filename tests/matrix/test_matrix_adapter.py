"""The Matrix adapter against a real Synapse: commands, DMs, encryption, choices, fan-out,
idempotency, rate limits and restarts. The bot runs inside the real App (storage, router,
outbox) and the people are real nio clients with E2EE."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import pytest

from commands.delivery import Delivery
from commands.model import Choice, Image, OutgoingMessage, UserRef
from commands.port import DeliveryError
from tests.matrix.harness import adapter_of, fan_out
from tests.matrix.homeserver import MatrixUser, Synapse
from tests.matrix.people import Person

pytestmark = pytest.mark.synapse

App = Any  # bots.app.App
StartBot = Callable[..., Awaitable[App]]
NewPerson = Callable[[str], Awaitable[Person]]


def bodies(seen: Sequence[Any]) -> list[str]:
    return [s.body for s in seen]


# -- tests ------------------------------------------------------------------------------------
async def test_command_in_a_room_answers_privately_by_dm(
    start_bot: StartBot, new_person: NewPerson, bot_user: MatrixUser
) -> None:
    app = await start_bot()
    anna = await new_person("anna")
    room = await anna.create_room(invite=[bot_user.user_id], name="Team")

    await anna.say(room, "!hartslag help")

    answer = await anna.wait_for(bot_user.user_id, lambda s: s.room_id != room,
                                 what="help in a DM")
    assert "hartslag" in answer.body
    assert "<strong>hartslag</strong>" in answer.content["formatted_body"]
    assert answer.event.decrypted, "the bot's DMs are encrypted"
    assert not anna.from_user(bot_user.user_id, room), "a private reply stays out of the room"
    assert adapter_of(app).directs.room_of(anna.id) == answer.room_id


async def test_encrypted_dm_is_answered_encrypted(
    start_bot: StartBot, new_person: NewPerson, bot_user: MatrixUser
) -> None:
    await start_bot()
    bram = await new_person("bram")
    dm = await bram.create_room(invite=[bot_user.user_id], direct=True, encrypted=True)

    await bram.say(dm, "taal en")

    answer = await bram.wait_for(bot_user.user_id, room_id=dm, what="the language answer")
    assert answer.body == "I'll speak English with you from now on."
    assert answer.event.decrypted
    assert answer.event.source["type"] == "m.room.message"  # as decrypted by nio


async def test_dm_question_is_answered_by_the_where_feature(
    start_bot: StartBot, new_person: NewPerson, bot_user: MatrixUser
) -> None:
    from commands.wheres.entry import Entry
    from commands.wheres.knowledge import Knowledge

    app = await start_bot()
    entry = Entry("salaris", "Waar vind ik mijn salarisspecificatie?",
                  "Je salarisspecificatie staat in ADP onder Mijn documenten.",
                  url="https://intranet.gemeente.example/adp", keywords=("loonstrook", "adp"))
    await Knowledge().put(app.context(), entry)
    tess = await new_person("tess")
    dm = await tess.create_room(invite=[bot_user.user_id], direct=True, encrypted=True)

    await tess.say(dm, "waar vind ik mijn loonstrook")

    answer = await tess.wait_for(bot_user.user_id, room_id=dm, what="an answer")
    assert "ADP" in answer.body and answer.event.decrypted
    assert '<a href="https://intranet.gemeente.example/adp"' in answer.content["formatted_body"]
    assert "1\ufe0f\u20e3" in answer.body  # the feedback choices, as numbered lines


async def test_poll_by_dm_answered_with_a_number_and_a_reaction(
    start_bot: StartBot, new_person: NewPerson, bot_user: MatrixUser
) -> None:
    await start_bot()
    mila = await new_person("mila")
    room = await mila.create_room(invite=[bot_user.user_id])
    await mila.say(room, "!hartslag testpoll")
    poll = await mila.wait_for(bot_user.user_id, lambda s: "Hoe gaat het" in s.body,
                               what="the poll in a DM")
    assert "1\ufe0f\u20e3 Goed" in poll.body and "2\ufe0f\u20e3 Slecht" in poll.body

    await mila.say(poll.room_id, "2")
    await mila.wait_for(bot_user.user_id, lambda s: s.body == "Stem ontvangen: bad",
                        what="the numbered vote")
    await mila.say(poll.room_id, "7")
    await mila.wait_for(bot_user.user_id, lambda s: s.body == "Kies een nummer van 1 tot 2.",
                        what="the range hint")
    await mila.react(poll.room_id, poll.event.event_id, "1\ufe0f\u20e3")
    await mila.wait_for(bot_user.user_id, lambda s: s.body == "Stem ontvangen: good",
                        what="the vote by reaction")


async def test_acknowledgement_by_reaction_in_a_room(
    start_bot: StartBot, new_person: NewPerson, bot_user: MatrixUser
) -> None:
    app = await start_bot()
    omar = await new_person("omar")
    room = await omar.create_room(invite=[bot_user.user_id])
    port = adapter_of(app).port
    message = OutgoingMessage("Nieuw rooster: lees het even.",
                              choices=(Choice("test.ack", "rooster-1", "Gelezen"),))

    ref = await port.send(port.address(room), message)
    await omar.wait_for(bot_user.user_id, room_id=room, what="the announcement")
    await omar.react(room, ref.message_id, "\U0001f44d")

    answer = await omar.wait_for(bot_user.user_id, lambda s: s.body.startswith("Bevestigd"),
                                 what="the acknowledgement")
    assert answer.body == "Bevestigd: rooster-1"
    assert answer.room_id != room  # private: by DM


async def test_announcement_to_several_rooms_through_the_outbox(
    start_bot: StartBot, new_person: NewPerson, bot_user: MatrixUser
) -> None:
    app = await start_bot()
    sara = await new_person("sara")
    rooms = [await sara.create_room(invite=[bot_user.user_id], name=f"Team {n}")
             for n in range(3)]
    port = adapter_of(app).port
    message = OutgoingMessage("**Let op**: <b>nieuw</b> @room", title="Rooster")
    deliveries = [Delivery(message, address=port.address(room)) for room in rooms]

    sent = await fan_out(app, deliveries, batch="announcement-1")

    for room in rooms:
        seen = await sara.wait_for(bot_user.user_id, room_id=room, what="the announcement")
        html = seen.content["formatted_body"]
        assert "<strong>Let op</strong>" in html and "&lt;b&gt;nieuw&lt;/b&gt;" in html
        assert "@room" not in seen.body and seen.content["m.mentions"] == {}
    assert sent == 3


async def test_same_delivery_id_posts_once(
    start_bot: StartBot, new_person: NewPerson, bot_user: MatrixUser
) -> None:
    app = await start_bot()
    lisa = await new_person("lisa")
    room = await lisa.create_room(invite=[bot_user.user_id])
    port = adapter_of(app).port
    message = OutgoingMessage("Eén keer")

    first = await port.send(port.address(room), message, delivery_id="d-42")
    again = await port.send(port.address(room), message, delivery_id="d-42")

    assert first.message_id == again.message_id
    person = UserRef("matrix", lisa.id)
    dm_first = await port.send_direct(person, message, delivery_id="d-43")
    dm_again = await port.send_direct(person, message, delivery_id="d-43")
    assert dm_first == dm_again


async def test_update_edits_in_place_and_members_lists_people(
    start_bot: StartBot, new_person: NewPerson, bot_user: MatrixUser
) -> None:
    app = await start_bot()
    joost = await new_person("joost")
    room = await joost.create_room(invite=[bot_user.user_id])
    port = adapter_of(app).port
    ref = await port.send(port.address(room), OutgoingMessage("Versie 1"))

    await port.update(ref, OutgoingMessage("Versie 2"))

    edit = await joost.wait_for(bot_user.user_id, lambda s: "m.new_content" in s.content,
                                what="the edit")
    assert edit.content["m.new_content"]["body"] == "Versie 2"
    assert edit.content["m.relates_to"] == {"rel_type": "m.replace", "event_id": ref.message_id}
    members = await port.members(port.address(room))
    assert [m.id for m in members or []] == [joost.id]


async def test_rate_limit_becomes_delivery_error_with_retry_after(
    synapse: Synapse, start_bot: StartBot, new_person: NewPerson, bot_user: MatrixUser
) -> None:
    app = await start_bot()
    kim = await new_person("kim")
    room = await kim.create_room(invite=[bot_user.user_id])
    admin = synapse.user("admin", admin=True)
    synapse.override_ratelimit(admin, bot_user.user_id, per_second=1, burst=1)
    port = adapter_of(app).port
    try:
        with pytest.raises(DeliveryError) as caught:
            for n in range(5):
                await port.send(port.address(room), OutgoingMessage(f"bericht {n}"))
        assert caught.value.retry_after is not None and caught.value.retry_after > 0
        assert not caught.value.permanent
    finally:
        synapse.override_ratelimit(admin, bot_user.user_id, per_second=0, burst=0)


async def test_invitation_outside_the_allow_lists_is_declined(
    start_bot: StartBot, new_person: NewPerson, bot_user: MatrixUser
) -> None:
    eva = await new_person("eva")
    allowed = await eva.create_room(invite=[], name="Toegestaan")
    await start_bot(allowed_servers=["elders.example"], allowed_rooms=[allowed])
    other = await eva.create_room(invite=[], name="Anders")

    await eva.client.room_invite(other, bot_user.user_id)
    await eva.client.room_invite(allowed, bot_user.user_id)

    await eva.wait_until(lambda: bot_user.user_id in eva.client.rooms[allowed].users
                         and bot_user.user_id not in eva.client.rooms[allowed].invited_users,
                         "the bot to join the allowed room")
    await eva.wait_until(lambda: bot_user.user_id not in eva.client.rooms[other].users,
                         "the bot to decline the other room")


async def test_restart_replays_nothing_and_keeps_the_keys(
    start_bot: StartBot, new_person: NewPerson, bot_user: MatrixUser
) -> None:
    app = await start_bot()
    device = adapter_of(app).client.device_id
    finn = await new_person("finn")
    dm = await finn.create_room(invite=[bot_user.user_id], direct=True, encrypted=True)
    await finn.say(dm, "help")
    await finn.wait_for(bot_user.user_id, room_id=dm, what="the first answer")

    await app.stop()
    await finn.say(dm, "taal en")  # while the bot is down: handled after the restart
    again = await start_bot()

    await finn.wait_for(bot_user.user_id, lambda s: s.body.startswith("I'll speak English"),
                        room_id=dm, what="the answer to the message sent while down")
    await finn.say(dm, "help")
    await finn.wait_for(bot_user.user_id, lambda s: "what you can do" in s.body,
                        room_id=dm, what="the answer after the restart")
    await asyncio.sleep(0.5)  # room for a wrongly replayed answer to arrive
    answers = bodies(finn.from_user(bot_user.user_id, dm))
    assert len(answers) == 3, answers
    assert all(s.event.decrypted for s in finn.from_user(bot_user.user_id, dm))
    assert adapter_of(again).client.device_id == device
    assert adapter_of(again).health() is None


async def test_password_login_keeps_its_device_across_restarts(
    synapse: Synapse, start_bot: StartBot, bot_user: MatrixUser
) -> None:
    app = await start_bot(access_token="", device_id="", password=bot_user.password)
    device = adapter_of(app).client.device_id
    await app.stop()

    again = await start_bot(access_token="", device_id="", password=bot_user.password)

    assert adapter_of(again).client.device_id == device


async def test_chart_goes_as_an_encrypted_image_after_its_message(
    start_bot: StartBot, new_person: NewPerson, bot_user: MatrixUser
) -> None:
    from nio import DownloadResponse
    from nio.crypto.attachments import decrypt_attachment

    app = await start_bot()
    assert app.port.capabilities("matrix").images
    ivo = await new_person("ivo")
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    chart = Image(png, "Bereik: 80% gelezen", filename="bereik.png")

    ref = await adapter_of(app).port.send_direct(UserRef("matrix", ivo.id),
                                                 OutgoingMessage("**Bereik**", image=chart))

    text = await ivo.wait_for(bot_user.user_id, room_id=ref.address.channel, what="the text")
    assert "Bereik: 80%" not in text.body  # the picture carries its own text
    await ivo.wait_until(lambda: bool(ivo.images), "the image")
    room_id, image = ivo.images[0]
    assert room_id == ref.address.channel and image.body == "Bereik: 80% gelezen"
    source = image.source["content"]["file"]
    download = await ivo.client.download(mxc=source["url"])
    assert isinstance(download, DownloadResponse), download
    assert download.body != png  # encrypted at rest on the homeserver
    plain = decrypt_attachment(download.body, source["key"]["k"], source["hashes"]["sha256"],
                               source["iv"])
    assert plain == png
