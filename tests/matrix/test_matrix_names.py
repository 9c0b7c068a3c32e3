"""Typed-name mentions, without a homeserver: which starts of a message address the bot."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bots.matrix.inbound import Text, addressed, translate_text
from bots.matrix.settings import MatrixSettings
from commands.model import Address, InboundMessage, UserRef

BOT = "@hartslag:example.org"
NAMES = (BOT, "Loket Bot", "hartslag")
ROOM = Address("matrix", "example.org", "!room")
ANNA = UserRef("matrix", "@anna:example.org", "Anna", "example.org")


@pytest.mark.parametrize("body", [
    "hartslag: waar vind ik mijn loonstrook?",
    "@hartslag waar vind ik mijn loonstrook?",
    "Hartslag, waar vind ik mijn loonstrook?",
    "HARTSLAG:waar vind ik mijn loonstrook?",
    "  hartslag   waar vind ik mijn loonstrook?",
    "@hartslag:example.org: waar vind ik mijn loonstrook?",
    "Loket Bot, waar vind ik mijn loonstrook?",
    "loket bot waar vind ik mijn loonstrook?",
])
def test_a_name_at_the_start_addresses_the_bot(body: str) -> None:
    assert addressed(body, NAMES) == "waar vind ik mijn loonstrook?"


@pytest.mark.parametrize("body", [
    "de hartslag: waar vind ik mijn loonstrook?",
    "hartslagen meten is leuk",
    "hartslag-team: overleg om 10 uur",
    "hartslag:",
    "hartslag",
    "Loket, waar is de koffie?",
    "waar vind ik mijn loonstrook, hartslag?",
])
def test_the_name_elsewhere_or_alone_is_chatter(body: str) -> None:
    assert addressed(body, NAMES) is None


def test_a_room_message_with_a_typed_name_becomes_a_mentioned_question() -> None:
    text = Text(ANNA, ROOM, "$e1", "Hartslag, waar vind ik mijn loonstrook?",
                {"body": "Hartslag, waar vind ik mijn loonstrook?"}, False)
    found = translate_text(text, bot_id=BOT, bot_names=("hartslag",), choices={}, latest=None)
    assert isinstance(found, InboundMessage) and found.mentioned
    assert found.text == "waar vind ik mijn loonstrook?"
    chatter = Text(ANNA, ROOM, "$e2", "de hartslag van het team", {}, False)
    assert translate_text(chatter, bot_id=BOT, bot_names=("hartslag",), choices={},
                          latest=None) is None


def test_names_setting_refuses_empty_names() -> None:
    assert MatrixSettings().names == ["hartslag"]
    with pytest.raises(ValidationError, match="1 to 64"):
        MatrixSettings(names=["@"])
