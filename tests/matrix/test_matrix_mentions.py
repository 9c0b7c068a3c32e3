"""Typed-name mentions against a real Synapse: "hartslag: waar vind ik ...", "@localpart ...",
"Displayname, ..." in a room are answered like a pill mention; the name elsewhere is not."""

from __future__ import annotations

import asyncio
import urllib.parse
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.matrix.homeserver import MatrixUser, Synapse
from tests.matrix.people import Person, Seen

pytestmark = pytest.mark.synapse

StartBot = Callable[..., Awaitable[Any]]
NewPerson = Callable[[str], Awaitable[Person]]


async def with_payslip_answer(app: Any) -> None:
    from commands.wheres.entry import Entry
    from commands.wheres.knowledge import Knowledge

    entry = Entry("salaris", "Waar vind ik mijn salarisspecificatie?",
                  "Je salarisspecificatie staat in ADP onder Mijn documenten.",
                  url="https://intranet.gemeente.example/adp", keywords=("loonstrook", "adp"))
    await Knowledge().put(app.context(), entry)


def answers(person: Person, bot: str) -> list[Seen]:
    return [s for s in person.from_user(bot) if "ADP" in s.body]


async def test_typed_names_at_the_start_are_answered_and_chatter_is_not(
    synapse: Synapse, start_bot: StartBot, new_person: NewPerson, bot_user: MatrixUser
) -> None:
    synapse.request("PUT", "/_matrix/client/v3/profile/"
                    f"{urllib.parse.quote(bot_user.user_id)}/displayname",
                    {"displayname": "Loket Bot"}, token=bot_user.access_token)
    app = await start_bot()
    await with_payslip_answer(app)
    ruth = await new_person("ruth")
    room = await ruth.create_room(invite=[bot_user.user_id], name="Algemeen")
    localpart = bot_user.user_id.partition(":")[0][1:]

    asked = [
        "hartslag: waar vind ik mijn loonstrook?",  # the configured name (docs/operator/matrix.md)
        f"@{localpart} waar vind ik mijn loonstrook?",  # the localpart, typed with @
        "Loket Bot, waar vind ik mijn loonstrook?",  # the display name in this room
    ]
    chatter = [
        "de hartslag: waar vind ik mijn loonstrook?",  # not at the start
        "hartslagen meten, waar vind ik mijn loonstrook?",  # the name must end there
        "hartslag-team: waar vind ik mijn loonstrook?",
    ]
    for line in chatter[:2] + asked[:1] + chatter[2:] + asked[1:]:
        await ruth.say(room, line)

    def all_answered() -> bool:
        return len(answers(ruth, bot_user.user_id)) >= len(asked)

    await ruth.wait_until(all_answered, "an answer to each typed mention")
    await asyncio.sleep(1.0)  # room for a wrong answer to chatter to arrive (order per room)
    assert len(answers(ruth, bot_user.user_id)) == len(asked)
