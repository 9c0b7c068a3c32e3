"""The Matrix adapter's pure parts, without a homeserver: rendering, event translation, the
files it keeps and its settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bots.matrix.inbound import OutOfRange, Text, translate_reaction, translate_text
from bots.matrix.port import transaction_id
from bots.matrix.render import KEYCAPS, choice_for_key, edit, render
from bots.matrix.settings import MatrixSettings
from bots.matrix.state import ChoiceBook, DirectRooms, JsonFile
from commands.model import (
    Address,
    Choice,
    CommandRequest,
    Image,
    InboundMessage,
    Interaction,
    OutgoingMessage,
    UserRef,
)

BOT = "@hartslag:example.org"
ROOM = Address("matrix", "example.org", "!room:example.org")
DM = Address("matrix", "example.org", "!dm:example.org")
ANNA = UserRef("matrix", "@anna:example.org", "Anna", "example.org")
VOTE = (Choice("pulse.vote", "a", "Goed"), Choice("pulse.vote", "b", "Slecht"))


def text(body: str, *, direct: bool = False, content: dict[str, Any] | None = None) -> Text:
    address = DM if direct else ROOM
    return Text(ANNA, address, "$e1", body, content or {"body": body}, direct)


def translate(item: Text, choices: dict[str, Any] | None = None,
              latest: tuple[str, tuple[Choice, ...]] | None = None) -> Any:
    return translate_text(item, bot_id=BOT, bot_names=("hartslag",), choices=choices or {},
                          latest=latest)


# -- rendering ----------------------------------------------------------------------------------
def test_markdown_becomes_html_with_a_plain_body_and_no_injection() -> None:
    content = render(OutgoingMessage("**Let op** <img src=x onerror=alert(1)> @room "
                                     "[x](javascript:alert(1)) [site](https://example.org)",
                                     title="Rooster"), direct=False, locale="nl")
    html = content["formatted_body"]
    assert content["format"] == "org.matrix.custom.html"
    assert "<strong>Rooster</strong>" in html and "<strong>Let op</strong>" in html
    assert "<img" not in html and "&lt;img" in html
    assert 'href="javascript' not in html and '<a href="https://example.org">site</a>' in html
    assert "@room" not in content["body"] and "@room" not in html
    assert content["m.mentions"] == {}


def test_choices_are_numbered_lines_with_a_hint_per_place_and_language() -> None:
    in_room = render(OutgoingMessage("Vraag", choices=VOTE), direct=False, locale="nl")
    in_dm = render(OutgoingMessage("Question", choices=VOTE), direct=True, locale="en")
    assert f"{KEYCAPS[0]} Goed\n{KEYCAPS[1]} Slecht" in in_room["body"]
    assert "Reageer met het cijfer" in in_room["body"]
    assert "Reply with the number" in in_dm["body"]
    assert f"{KEYCAPS[0]} Goed<br>{KEYCAPS[1]} Slecht" in in_room["formatted_body"]


def test_labels_are_escaped_and_images_fall_back_to_their_text() -> None:
    content = render(OutgoingMessage("x", choices=(Choice("a", "1", "<b>Ja</b> @room"),),
                                     image=Image(b"png", "Grafiek: 80% gelezen")),
                     direct=False, locale="nl")
    assert "&lt;b&gt;Ja&lt;/b&gt;" in content["formatted_body"]
    assert "@room" not in content["formatted_body"]
    assert "[Grafiek: 80% gelezen]" in content["body"]


def test_bare_urls_become_links_outside_code() -> None:
    html = render(OutgoingMessage("Meer: https://intranet.example/adp. `https://code.example`"),
                  direct=False, locale="nl")["formatted_body"]
    assert '<a href="https://intranet.example/adp">https://intranet.example/adp</a>.' in html
    assert "<code>https://code.example</code>" in html


def test_command_hints_use_the_matrix_root_word() -> None:
    content = render(OutgoingMessage("Typ `/hartslag help` of /hartslag taal en; "
                                     "zie https://intranet.example/hartslag"),
                     direct=True, locale="nl")
    assert "`!hartslag help`" in content["body"] and "of !hartslag taal" in content["body"]
    assert "https://intranet.example/hartslag" in content["body"]
    assert "<code>!hartslag help</code>" in content["formatted_body"]


def test_edit_replaces_the_original_event() -> None:
    content = edit("$orig", render(OutgoingMessage("Nieuw"), direct=False, locale="nl"))
    assert content["m.relates_to"] == {"rel_type": "m.replace", "event_id": "$orig"}
    assert content["m.new_content"]["body"] == "Nieuw"
    assert content["body"] == "* Nieuw"


def test_reaction_keys_pick_choices() -> None:
    assert choice_for_key(KEYCAPS[1], VOTE) == VOTE[1]
    assert choice_for_key("2\u20e3", VOTE) == VOTE[1]  # keycap without the variation selector
    assert choice_for_key("\U0001f44d", VOTE) is None  # thumbs up only for a lone choice
    assert choice_for_key("\U0001f44d", VOTE[:1]) == VOTE[0]
    assert choice_for_key(KEYCAPS[5], VOTE) is None


def test_transaction_ids_are_stable_per_delivery_and_url_safe() -> None:
    assert transaction_id("row/7 $x") == transaction_id("row/7 $x") == "hs-row_7__x"
    assert transaction_id(None) != transaction_id(None)


# -- inbound ------------------------------------------------------------------------------------
def test_bang_command_in_a_room_is_a_command_request() -> None:
    found = translate(text("!hartslag taal en"))
    assert found == CommandRequest(ANNA, ROOM, "taal", "en", is_direct=False)


def test_room_chatter_is_ignored_and_mentions_are_messages() -> None:
    assert translate(text("goedemorgen allemaal")) is None
    content = {"body": "hartslag: waar is de kantine", "m.mentions": {"user_ids": [BOT]}}
    found = translate(text("hartslag: waar is de kantine", content=content))
    assert isinstance(found, InboundMessage)
    assert found.mentioned and found.text == "waar is de kantine"


def test_plain_dm_text_is_a_direct_message_for_the_router() -> None:
    found = translate(text("waar vind ik mijn loonstrook", direct=True))
    assert isinstance(found, InboundMessage)
    assert found.is_direct and found.text == "waar vind ik mijn loonstrook"


def test_numbered_reply_in_a_dm_picks_a_choice_of_the_newest_or_replied_message() -> None:
    latest = ("$poll2", VOTE)
    found = translate(text("2", direct=True), latest=latest)
    assert isinstance(found, Interaction)
    assert (found.action, found.value, found.message and found.message.message_id) == (
        "pulse.vote", "b", "$poll2")
    older = {"$poll1": ("!dm:example.org", (Choice("ack", "x", "Gelezen"),))}
    body = "> <@hartslag:example.org> Vraag\n\n1"
    reply = {"body": body, "m.relates_to": {"m.in_reply_to": {"event_id": "$poll1"}}}
    found = translate(text(body, direct=True, content=reply), older, latest)
    assert isinstance(found, Interaction) and found.value == "x"
    assert translate(text("9", direct=True), latest=latest) == OutOfRange(2)


def test_numbers_in_rooms_and_edits_are_not_answers() -> None:
    assert translate(text("2"), latest=("$p", VOTE)) is None
    edited = {"body": "!hartslag help", "m.relates_to": {"rel_type": "m.replace",
                                                         "event_id": "$x"}}
    assert translate(text("!hartslag help", content=edited)) is None


def test_reaction_on_a_bot_message_in_the_same_room_is_an_interaction() -> None:
    choices = {"$poll": (ROOM.channel, VOTE)}
    found = translate_reaction(ANNA, ROOM, "$poll", KEYCAPS[0], choices)
    assert isinstance(found, Interaction) and found.value == "a"
    assert translate_reaction(ANNA, DM, "$poll", KEYCAPS[0], choices) is None
    assert translate_reaction(ANNA, ROOM, "$other", KEYCAPS[0], choices) is None


# -- state files --------------------------------------------------------------------------------
async def test_choices_and_dm_rooms_survive_a_reload_and_stay_bounded(tmp_path: Path) -> None:
    book = ChoiceBook(tmp_path / "choices.sqlite3", limit=2)
    book.load()
    await book.remember("$1", "!a", VOTE)
    await book.remember("$2", "!b", VOTE[:1])
    await book.remember("$3", "!a", VOTE)
    await book.remember("$4", "!a", VOTE)
    await book.remember("$4", "!a", ())  # an edit took the choices away
    assert book.latest("!a") == ("$3", VOTE)
    book.close()
    reloaded = ChoiceBook(tmp_path / "choices.sqlite3", limit=2)
    reloaded.load()
    assert reloaded.get("$1") is None and reloaded.get("$3") == ("!a", VOTE)
    assert reloaded.latest("!b") == ("$2", VOTE[:1]) and reloaded.get("$4") is None
    assert (tmp_path / "choices.sqlite3").stat().st_mode & 0o777 == 0o600
    reloaded.close()

    rooms = DirectRooms(JsonFile(tmp_path / "direct.json"))
    await rooms.set("@anna:x", "!dm")
    again = DirectRooms(JsonFile(tmp_path / "direct.json"))
    again.load()
    assert again.room_of("@anna:x") == "!dm" and again.is_direct("!dm")
    await again.forget("!dm")
    assert again.user_of("!dm") is None


# -- settings -----------------------------------------------------------------------------------
def test_settings_name_the_missing_key() -> None:
    with pytest.raises(ValidationError, match="user_id: missing"):
        MatrixSettings(enabled=True, homeserver="https://m.example.org")
    with pytest.raises(ValidationError, match="access_token: missing"):
        MatrixSettings(enabled=True, homeserver="https://m.example.org", user_id=BOT)
    with pytest.raises(ValidationError, match="not a room id"):
        MatrixSettings(allowed_rooms=["algemeen"])
    ok = MatrixSettings(enabled=True, homeserver="https://m", user_id=BOT, password="x",
                        allowed_rooms=["!abc", "#algemeen:example.org"])
    assert ok.server_name == "example.org"


async def test_unreachable_homeserver_fails_start_with_the_key_and_shows_in_health(
    tmp_path: Path,
) -> None:
    import socket

    from bots.matrix.adapter import MatrixAdapter

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = MatrixSettings(enabled=True, homeserver=f"http://127.0.0.1:{port}", user_id=BOT,
                              access_token="t", device_id="D", data_dir=str(tmp_path / "m"))
    adapter = MatrixAdapter(settings)

    async def sink(request: Any) -> None:
        return None

    with pytest.raises(RuntimeError, match=r"matrix\.homeserver: cannot reach"):
        await adapter.start(sink)
    assert adapter.health() is not None and "unreachable" in (adapter.health() or "")
    await adapter.stop()
