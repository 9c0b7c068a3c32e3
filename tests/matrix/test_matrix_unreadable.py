"""Messages the bot cannot decrypt, against a real Synapse: the person's client keeps the room
key from the bot (as Element does with "never send to unverified sessions") and the bot says
in plain words what to change, without logging the text or the person."""

from __future__ import annotations

import asyncio
import logging
import secrets
import urllib.parse
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bots.matrix.unreadable import COOLDOWN, Unreadable
from tests.matrix.harness import adapter_of
from tests.matrix.homeserver import MatrixUser, Synapse
from tests.matrix.people import Person

pytestmark = pytest.mark.synapse

StartBot = Callable[..., Awaitable[Any]]
NewPerson = Callable[[str], Awaitable[Person]]
SECRET_TEXT = "mijn geheime vraag over de reorganisatie"


async def keep_key_from_bot(person: Person, room_id: str, bot: str) -> str:
    """Block the bot's device (so the room key is not shared with it) and start the room's
    group session; returns its session id."""
    await person.wait_until(lambda: bool(person.client.device_store.active_user_devices(bot)),
                            "the bot's device keys")
    for device in person.client.device_store.active_user_devices(bot):
        person.client.blacklist_device(device)
    await person.client.share_group_session(room_id, ignore_unverified_devices=True)
    return str(person.client.olm.outbound_group_sessions[room_id].id)


def send_withheld(synapse: Synapse, person: Person, bot: MatrixUser, room_id: str,
                  session_id: str, code: str) -> None:
    """What Element sends to a device it keeps a key from (m.room_key.withheld)."""
    content = {"algorithm": "m.megolm.v1.aes-sha2", "room_id": room_id,
               "session_id": session_id, "sender_key": person.client.olm.account.identity_keys[
                   "curve25519"], "code": code, "reason": "Device not verified"}
    txn = secrets.token_hex(8)
    kind = urllib.parse.quote("m.room_key.withheld")
    synapse.request("PUT", f"/_matrix/client/v3/sendToDevice/{kind}/{txn}",
                    {"messages": {bot.user_id: {bot.device_id: content}}},
                    token=person.user.access_token)


async def test_withheld_key_gets_a_notice_with_what_to_change(
    synapse: Synapse, start_bot: StartBot, new_person: NewPerson, bot_user: MatrixUser,
    caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="hartslag")
    app = await start_bot()
    unreadable = adapter_of(app).unreadable
    ines = await new_person("ines")
    dm = await ines.create_room(invite=[bot_user.user_id], direct=True, encrypted=True)
    session_id = await keep_key_from_bot(ines, dm, bot_user.user_id)
    send_withheld(synapse, ines, bot_user, dm, session_id, "m.unverified")
    await ines.wait_until(lambda: unreadable.code_of(session_id) == "m.unverified",
                          "the bot to get the withheld notice")

    await ines.say(dm, SECRET_TEXT)
    await ines.say(dm, SECRET_TEXT + " (nog eens)")

    notice = await ines.wait_for(bot_user.user_id, room_id=dm, what="the notice")
    assert "geverifieerde sessies" in notice.body and "Verifieer hartslag" in notice.body
    assert notice.content["msgtype"] == "m.notice" and notice.event.decrypted
    await asyncio.sleep(1.0)  # room for a second notice, which must not come
    assert len(ines.from_user(bot_user.user_id, dm)) == 1, "one notice, not one per message"
    logged = "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert SECRET_TEXT not in logged and ines.id not in logged


async def test_missing_key_in_a_dm_asks_to_send_again(
    start_bot: StartBot, new_person: NewPerson, bot_user: MatrixUser
) -> None:
    await start_bot(default_locale="en")
    joep = await new_person("joep")
    dm = await joep.create_room(invite=[bot_user.user_id], direct=True, encrypted=True)
    await keep_key_from_bot(joep, dm, bot_user.user_id)  # and no withheld notice

    await joep.say(dm, "where is my payslip")

    notice = await joep.wait_for(bot_user.user_id, room_id=dm, what="the notice")
    assert notice.body.startswith("I could not decrypt your last message")


def test_notices_are_limited_per_person_and_room_and_plain_misses_stay_quiet_in_rooms() -> None:
    now = [1000.0]
    book = Unreadable(clock=lambda: now[0])
    book.withheld({"session_id": "s1", "code": "m.blacklisted"})
    book.withheld({"session_id": "s2", "code": "m.no_olm"})  # not about the bot's trust
    assert book.notice("!room", "@a:x", "s1", direct=False) == "crypto.blacklisted"
    assert book.notice("!room", "@a:x", "s1", direct=False) is None
    assert book.notice("!room", "@b:x", "s1", direct=False) == "crypto.blacklisted"
    assert book.notice("!other", "@a:x", "s2", direct=False) is None
    assert book.notice("!dm", "@a:x", "s2", direct=True) == "crypto.undecryptable"
    now[0] += COOLDOWN + 1
    assert book.notice("!room", "@a:x", "s1", direct=False) == "crypto.blacklisted"
