"""Every kind of event the bot sends, validated against the Matrix spec's own JSON schemas.

The bot runs its real port and adapter code against a real Synapse; the events are read back
as Synapse serves them to another member (``/messages``, ``/state``) and checked against the
schemas vendored in tests/matrix/spec (see its README for source, commit and licence), with
``$ref``s resolved from that directory only. The spec's ``mx-*`` formats are checked too.
Rules the spec gives only in prose (rich replies, event replacements) are written out below
with their section. Rooms of both id forms are used: room version 12 (``!opaque``, Synapse's
default) and version 10 (``!id:server``).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from bots.matrix.settings import MatrixSettings
from commands.model import Choice, Image, OutgoingMessage, Reply, UserRef
from tests.matrix.harness import adapter_of
from tests.matrix.homeserver import SERVER_NAME, MatrixUser, Synapse
from tests.matrix.people import Person

pytestmark = pytest.mark.synapse

SPEC = Path(__file__).parent / "spec"
EVENTS = "event-schemas/schema"
DEFINITIONS = "api/client-server/definitions"
StartBot = Callable[..., Awaitable[Any]]
NewPerson = Callable[[str], Awaitable[Person]]
# A tiny valid PNG (1x1, grey): the bytes only need to be an image for the upload.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010800000000"
                    "3a7e9b550000000a49444154789c6360000000020001e221bc330000000049454e44ae426082")

# https://spec.matrix.org/latest/appendices/ (identifier grammar, unpadded base64)
_FORMATS: dict[str, re.Pattern[str]] = {
    "mx-event-id": re.compile(r"^\$[^\s]+$"),
    "mx-user-id": re.compile(r"^@[a-z0-9._=/+\-]+:[^\s]+$"),
    "mx-room-id": re.compile(r"^![^\s]+$"),
    "mx-mxc-uri": re.compile(r"^mxc://[^/\s]+/[A-Za-z0-9_\-]+$"),
    "mx-unpadded-base64": re.compile(r"^[A-Za-z0-9+/]+$"),
    "mx-urlsafe-unpadded-base64": re.compile(r"^[A-Za-z0-9_\-]+$"),
}

# Client-server API, "Rich replies": m.relates_to carries m.in_reply_to (no rel_type).
RICH_REPLY: dict[str, Any] = {
    "type": "object", "required": ["content"],
    "properties": {"content": {
        "type": "object", "required": ["m.relates_to"],
        "properties": {"m.relates_to": {
            "type": "object", "required": ["m.in_reply_to"], "not": {"required": ["rel_type"]},
            "properties": {"m.in_reply_to": {
                "type": "object", "required": ["event_id"],
                "properties": {"event_id": {"type": "string", "format": "mx-event-id"}}}}}}}},
}
# Client-server API, "Event replacements": rel_type m.replace, the full new content in
# m.new_content (itself without m.relates_to), same event type, not a state event.
REPLACEMENT: dict[str, Any] = {
    "type": "object", "required": ["content"], "not": {"required": ["state_key"]},
    "properties": {"content": {
        "type": "object", "required": ["m.new_content", "m.relates_to"],
        "properties": {
            "m.relates_to": {"$ref": f"{DEFINITIONS}/m.relates_to.yaml",
                             "properties": {"rel_type": {"const": "m.replace"}}},
            "m.new_content": {"type": "object", "required": ["msgtype", "body"],
                              "not": {"required": ["m.relates_to"]}}}}},
}


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _registry() -> Registry:
    """Every vendored file under its path relative to tests/matrix/spec: the spec's relative
    ``$ref``s then resolve against those names and nothing goes to the network."""
    resources = [(p.relative_to(SPEC).as_posix(),
                  Resource.from_contents(_load(p), default_specification=DRAFT202012))
                 for p in SPEC.rglob("*.yaml")]
    return Registry().with_resources(resources)


REGISTRY = _registry()
FORMATS = jsonschema.FormatChecker()
for _name, _pattern in _FORMATS.items():
    FORMATS.checks(_name)(lambda value, p=_pattern: not isinstance(value, str)
                          or bool(p.match(value)))


def problems(event: dict[str, Any], schema: str | dict[str, Any]) -> list[str]:
    """The schema violations of ``event`` (empty when valid)."""
    if isinstance(schema, str):
        schema = {"$ref": schema}
    validator = jsonschema.Draft202012Validator(schema, registry=REGISTRY,
                                                format_checker=FORMATS)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(event)]


def schemas_for(event: dict[str, Any]) -> Iterator[str | dict[str, Any]]:
    """Which schemas an event the bot sent must satisfy."""
    content = event.get("content", {})
    if event["type"] == "m.room.encrypted":
        yield f"{EVENTS}/m.room.encrypted.yaml"
        return
    if event["type"] == "m.room.encryption":
        yield f"{EVENTS}/m.room.encryption.yaml"
        return
    assert event["type"] == "m.room.message", event["type"]
    yield f"{EVENTS}/m.room.message.yaml"
    yield f"{EVENTS}/m.room.message${content['msgtype']}.yaml"
    yield {"properties": {"content": {"properties": {
        "m.mentions": {"$ref": f"{DEFINITIONS}/m.mentions.yaml"},
        "file": {"$ref": f"{DEFINITIONS}/encrypted_file.yaml"}}}}}
    relation = content.get("m.relates_to", {})
    if "m.in_reply_to" in relation:
        yield RICH_REPLY
    if relation.get("rel_type") == "m.replace":
        yield REPLACEMENT
        new = {**event, "content": content["m.new_content"]}  # the new content on its own
        yield from (s for s in schemas_for(new) if isinstance(s, str))


def kind(event: dict[str, Any]) -> str:
    content = event.get("content", {})
    relation = content.get("m.relates_to", {})
    if event["type"] != "m.room.message":
        return event["type"]
    if relation.get("rel_type") == "m.replace":
        return "edit"
    if "m.in_reply_to" in relation:
        return f"reply:{content['msgtype']}"
    return str(content["msgtype"])


def served(synapse: Synapse, reader: MatrixUser, room_id: str, sender: str) -> list[dict[str, Any]]:
    """The events of ``sender`` in a room as Synapse gives them to another member."""
    room = urllib.parse.quote(room_id, safe="")
    page = synapse.request("GET", f"/_matrix/client/v3/rooms/{room}/messages?dir=b&limit=100",
                           token=reader.access_token)
    state = synapse.request("GET", f"/_matrix/client/v3/rooms/{room}/state",
                            token=reader.access_token)
    events = [*page["chunk"], *(state if isinstance(state, list) else [])]
    return [e for e in events if e.get("sender") == sender
            and e["type"] in ("m.room.message", "m.room.encrypted", "m.room.encryption")]


# -- the schemas themselves can fail ------------------------------------------------------------
def test_the_vendored_schemas_reject_what_the_spec_forbids() -> None:
    base: dict[str, Any] = {"type": "m.room.message", "event_id": "$e", "sender": "@a:x",
                            "room_id": "!r",
            "origin_server_ts": 1, "content": {"msgtype": "m.text", "body": "hoi"}}
    assert problems(base, f"{EVENTS}/m.room.message$m.text.yaml") == []
    assert problems({**base, "content": {"msgtype": "m.text"}},
                    f"{EVENTS}/m.room.message$m.text.yaml")  # no body
    assert problems({**base, "room_id": "r:x"}, f"{EVENTS}/m.room.message.yaml")  # not !...
    assert problems({**base, "event_id": "e"}, f"{EVENTS}/m.room.message.yaml")
    bad_reply = {**base, "content": {**base["content"],
                                     "m.relates_to": {"m.in_reply_to": {"event_id": "e"}}}}
    assert problems(bad_reply, RICH_REPLY)
    bad_edit = {**base, "content": {**base["content"], "m.new_content": {"body": "x"},
                                    "m.relates_to": {"rel_type": "m.replace", "event_id": "$e"}}}
    assert problems(bad_edit, REPLACEMENT)  # m.new_content without msgtype
    bad_image = {**base, "content": {"msgtype": "m.image", "body": "a", "url": "https://x/y"}}
    assert problems(bad_image, f"{EVENTS}/m.room.message$m.image.yaml")  # not mxc://
    mentions = {"properties": {"content": {"properties": {
        "m.mentions": {"$ref": f"{DEFINITIONS}/m.mentions.yaml"}}}}}
    assert problems({**base, "content": {**base["content"], "m.mentions": {"user_ids": "@a"}}},
                    mentions)


def test_both_room_id_forms_are_accepted_where_room_ids_are_configured() -> None:
    settings = MatrixSettings(allowed_rooms=["!Abc123opaque", "!abc:example.org",
                                             "#team:example.org"])
    assert settings.allowed_rooms[:2] == ["!Abc123opaque", "!abc:example.org"]
    with pytest.raises(ValueError):
        MatrixSettings(allowed_rooms=["abc:example.org"])


# -- what the bot sends, as Synapse serves it ---------------------------------------------------
async def test_every_event_the_bot_sends_follows_the_spec(
    synapse: Synapse, start_bot: StartBot, new_person: NewPerson, bot_user: MatrixUser
) -> None:
    app = await start_bot()
    adapter = adapter_of(app)
    port = adapter.port
    nora = await new_person("nora")
    v12 = await nora.create_room(invite=[bot_user.user_id], name="Nieuw")
    v10 = await nora.create_room(invite=[bot_user.user_id], name="Oud", room_version="10")
    assert ":" not in v12 and v10.endswith(f":{SERVER_NAME}"), (v12, v10)

    sent: dict[str, list[str]] = {}
    for room in (v12, v10):
        poll = await port.send(port.address(room), OutgoingMessage(
            "**Hoe gaat het?** Zie https://intranet.example/rooster",
            choices=(Choice("test.vote", "a", "Goed"), Choice("test.vote", "b", "Slecht"))))
        await port.update(poll, OutgoingMessage("Bijgewerkt: _gesloten_"))
        await port.send(port.address(room), OutgoingMessage(
            "Grafiek", image=Image(PNG, "Een grafiek met de uitslag")))
        asked = await nora.say(room, "goedemorgen allemaal")
        person_event = SimpleNamespace(event_id=asked, sender=nora.id)
        await adapter._deliver(Reply.text("Iedereen mag dit zien", private=False), None,
                               room, person_event)
        await adapter._tell_unreadable(room, person_event, "crypto.unverified")  # type: ignore[arg-type]
        sent[room] = sorted(kind(e) for e in served(synapse, nora.user, room, bot_user.user_id))
    await port.send_direct(UserRef("matrix", nora.id, "", SERVER_NAME),
                           OutgoingMessage("Een privébericht"))
    dm = adapter.directs.room_of(nora.id)
    assert dm is not None
    await nora.wait_for(bot_user.user_id, room_id=dm, what="the DM")

    for room in (v12, v10):
        assert sent[room] == ["edit", "m.image", "m.text", "m.text", "reply:m.notice",
                              "reply:m.text"], sent[room]
    checked = 0
    for room in (v12, v10, dm):
        for event in served(synapse, nora.user, room, bot_user.user_id):
            for schema in schemas_for(event):
                assert problems(event, schema) == [], (kind(event), schema, event["content"])
                checked += 1
    dm_kinds = {kind(e) for e in served(synapse, nora.user, dm, bot_user.user_id)}
    assert dm_kinds == {"m.room.encrypted", "m.room.encryption"}, dm_kinds
    assert checked > 40

