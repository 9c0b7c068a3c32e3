"""Every message and modal the Slack adapter builds, checked against Slack's documented limits.

The limits come from Slack's reference pages (URL per limit below), not from our fakes:
FakeSlack and slack_sdk both accept payloads real Slack refuses (slack_sdk does not check
``plain_text_input.max_length``, for one). Each payload is also parsed and validated by
slack_sdk's own models. Inputs are worst cases (texts at and over the limits, many choices,
long labels) so a limit is found here before a user meets it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple, cast

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bots.slack.blocks import message_blocks, message_text, modal
from commands.announcements.form import compose_form
from commands.context import Context, Services
from commands.model import Choice, Form, FormField, OutgoingMessage

BLOCKS = "https://api.slack.com/reference/block-kit/blocks"
ELEMENTS = "https://api.slack.com/reference/block-kit/block-elements"
COMPOSITION = "https://api.slack.com/reference/block-kit/composition-objects"
VIEWS = "https://api.slack.com/reference/surfaces/views"
POST = "https://api.slack.com/methods/chat.postMessage"


class Limit(NamedTuple):
    value: int
    source: str


# Slack's documented limits (characters unless said otherwise); verified against the stored
# pages where the search index had them: docs.slack.dev/reference/views/modal-views (view
# fields), docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element.
LIMITS: dict[str, Limit] = {
    "message.blocks": Limit(50, BLOCKS),
    "modal.blocks": Limit(100, VIEWS),
    "block_id": Limit(255, BLOCKS),
    "section.text": Limit(3000, BLOCKS),
    "section.fields": Limit(10, BLOCKS),
    "section.field": Limit(2000, BLOCKS),
    "header.text": Limit(150, BLOCKS),
    "actions.elements": Limit(25, BLOCKS),
    "context.elements": Limit(10, BLOCKS),
    "input.label": Limit(2000, BLOCKS),
    "input.hint": Limit(2000, BLOCKS),
    "image.alt_text": Limit(2000, BLOCKS),
    "image.image_url": Limit(3000, BLOCKS),
    "button.text": Limit(75, ELEMENTS),
    "button.value": Limit(2000, ELEMENTS),
    "button.url": Limit(3000, ELEMENTS),
    "action_id": Limit(255, ELEMENTS),
    "plain_text_input.max_length": Limit(3000, ELEMENTS),  # and at least 1
    "plain_text_input.placeholder": Limit(150, ELEMENTS),
    "select.options": Limit(100, ELEMENTS),
    "option.text": Limit(75, COMPOSITION),
    "option.value": Limit(150, COMPOSITION),
    "modal.title": Limit(24, VIEWS),
    "modal.submit": Limit(24, VIEWS),
    "modal.close": Limit(24, VIEWS),
    "modal.private_metadata": Limit(3000, VIEWS),
    "modal.callback_id": Limit(255, VIEWS),
    "message.text": Limit(40000, POST),  # Slack recommends at most 4,000
}

Json = dict[str, Any]


def _over(problems: list[str], name: str, size: int) -> None:
    limit = LIMITS[name]
    if size > limit.value:
        problems.append(f"{name}: {size} > {limit.value} ({limit.source})")


def _text(problems: list[str], name: str, obj: Json | None) -> None:
    if obj is not None:
        _over(problems, name, len(obj.get("text", "")))
        if not obj.get("text", "").strip():
            problems.append(f"{name}: empty text ({COMPOSITION})")


def _option(problems: list[str], option: Json) -> None:
    _text(problems, "option.text", option["text"])
    _over(problems, "option.value", len(option["value"]))


def _element(problems: list[str], element: Json) -> None:
    _over(problems, "action_id", len(element.get("action_id", "")))
    kind = element["type"]
    if kind == "button":
        _text(problems, "button.text", element["text"])
        _over(problems, "button.value", len(element.get("value", "")))
        _over(problems, "button.url", len(element.get("url", "")))
    elif kind == "plain_text_input":
        _plain_input(problems, element)
    elif kind in ("static_select", "multi_static_select", "checkboxes"):
        _over(problems, "select.options", len(element["options"]))
        for option in element["options"]:
            _option(problems, option)
    elif kind == "image":
        _over(problems, "image.alt_text", len(element.get("alt_text", "")))


def _plain_input(problems: list[str], element: Json) -> None:
    maximum = element.get("max_length", LIMITS["plain_text_input.max_length"].value)
    _over(problems, "plain_text_input.max_length", maximum)
    if maximum < 1:
        problems.append(f"plain_text_input.max_length: {maximum} < 1 ({ELEMENTS})")
    _text(problems, "plain_text_input.placeholder", element.get("placeholder"))
    if len(element.get("initial_value", "")) > maximum:
        problems.append(f"plain_text_input.initial_value longer than max_length ({ELEMENTS})")


def _block(problems: list[str], block: Json) -> list[Json]:
    """Check one block; return its interactive elements (for the action_id check)."""
    _over(problems, "block_id", len(block.get("block_id", "")))
    kind = block["type"]
    elements: list[Json] = []
    if kind == "section":
        _text(problems, "section.text", block.get("text"))
        fields = block.get("fields", [])
        _over(problems, "section.fields", len(fields))
        for item in fields:
            _text(problems, "section.field", item)
        elements = [block["accessory"]] if "accessory" in block else []
    elif kind == "header":
        _text(problems, "header.text", block["text"])
    elif kind == "actions":
        elements = block["elements"]
        _over(problems, "actions.elements", len(elements))
    elif kind == "context":
        _over(problems, "context.elements", len(block["elements"]))
    elif kind == "input":
        _text(problems, "input.label", block["label"])
        _text(problems, "input.hint", block.get("hint"))
        elements = [block["element"]]
    elif kind == "image":
        _over(problems, "image.alt_text", len(block.get("alt_text", "")))
        _over(problems, "image.image_url", len(block.get("image_url", "")))
    for element in elements:
        _element(problems, element)
    return elements


def _unique(problems: list[str], blocks: list[Json], surface: str) -> None:
    """block_id unique per message/view; action_id unique per block ({BLOCKS})."""
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    if len(block_ids) != len(set(block_ids)):
        problems.append(f"{surface}: duplicate block_id ({BLOCKS})")
    for block in blocks:
        ids = [e["action_id"] for e in _block([], block) if "action_id" in e]
        if len(ids) != len(set(ids)):
            problems.append(f"{surface}: duplicate action_id in a block ({ELEMENTS})")


def message_problems(text: str, blocks: list[Json]) -> list[str]:
    problems: list[str] = []
    _over(problems, "message.text", len(text))
    _over(problems, "message.blocks", len(blocks))
    for block in blocks:
        _block(problems, block)
    _unique(problems, blocks, "message")
    for block in blocks:  # slack_sdk's own model check raises SlackObjectFormationError
        parsed = Block.parse(block)
        assert parsed is not None, block
        parsed.validate_json()
    return problems


def view_problems(view: Json) -> list[str]:
    problems: list[str] = []
    _over(problems, "modal.blocks", len(view["blocks"]))
    _text(problems, "modal.title", view["title"])
    _text(problems, "modal.submit", view.get("submit"))
    _text(problems, "modal.close", view.get("close"))
    _over(problems, "modal.private_metadata", len(view.get("private_metadata", "")))
    _over(problems, "modal.callback_id", len(view.get("callback_id", "")))
    for block in view["blocks"]:
        _block(problems, block)
    _unique(problems, view["blocks"], "modal")
    View(**view).validate_json()
    return problems


# -- inputs: representative and worst case ----------------------------------------------
LONG = "Lorem ipsum dolor sit amet, **vet** en [link](https://example.org/a?b=1). " * 200


def _choices(count: int, label: str = "Optie", value: str = "v") -> tuple[Choice, ...]:
    return tuple(Choice(f"{label} {i}", "pulse.vote", f"{value}{i}") for i in range(count))


def messages() -> Iterator[tuple[str, OutgoingMessage]]:
    yield "plain", OutgoingMessage("Hallo *wereld*")
    yield "empty", OutgoingMessage("")
    yield "title only", OutgoingMessage("", title="Nieuw rooster")
    yield "section at limit", OutgoingMessage("x" * 3000)
    yield "one line over limit", OutgoingMessage("y" * 9001)
    yield "whitespace chunks", OutgoingMessage(("a" * 2999 + "\n") + " \n" * 3 + "b")
    yield "long title", OutgoingMessage("tekst", title="T" * 400)
    yield "long body", OutgoingMessage(LONG, title="Aankondiging")
    yield "over 50 blocks", OutgoingMessage("regel\n\n" * 1 + ("z" * 2990 + "\n") * 60)
    yield "pulse 10 options", OutgoingMessage("Hoe gaat het?", _choices(10))
    yield "26 buttons", OutgoingMessage("kies", _choices(26))
    yield "many buttons and long text", OutgoingMessage(LONG * 3, _choices(200))
    yield "max buttons", OutgoingMessage("kies", _choices(2000))
    yield "long labels and values", OutgoingMessage(
        "kies", _choices(3, label="L" * 200, value="V" * 5000))
    yield "styled", OutgoingMessage("ok?", (Choice("Ja", "ack", "1", style="primary"),
                                            Choice("Nee", "ack", "0", style="danger")))


def _ctx(locale: str) -> Context:
    # compose_form only reads texts; no services needed
    return Context(cast(Services, None), locale=locale)


def forms() -> Iterator[tuple[str, Form]]:
    for locale in ("nl", "en"):
        yield f"announcement compose ({locale})", compose_form(_ctx(locale))
    questions = tuple(FormField(f"q{i}", f"Vraag {i}: " + "w" * 2100, "select",
                                options=tuple((f"{i}-{n}" + "k" * 200, "Antwoord " * 20)
                                              for n in range(150)), required=True)
                      for i in range(10))
    yield "pulse 10 questions", Form("pulse.answer", "Peiling " * 10, questions, "Versturen " * 5)
    yield "long texts", Form("f", "T", (
        FormField("a", "A", "multiline", max_length=8000, initial="i" * 9000, hint="h" * 3000),
        FormField("b", "B", max_length=50, initial="x" * 60),
        FormField("c", "C" * 100, "checkbox", initial="true"),
        FormField("d", "D", "multiselect", options=(("1", "een"), ("2", "twee")), initial="1,2"),
        FormField("e", "E", "datetime", initial="2026-01-05T09:00:00+00:00"),
    ))
    yield "120 fields", Form("many", "Veel", tuple(FormField(f"f{i}", f"F{i}") for i in range(120)))


@pytest.mark.parametrize(("name", "message"), list(messages()), ids=lambda v: v
                         if isinstance(v, str) else "")
def test_messages_keep_slack_limits(name: str, message: OutgoingMessage) -> None:
    assert message_problems(message_text(message), message_blocks(message)) == []


@pytest.mark.parametrize(("name", "form"), list(forms()), ids=lambda v: v
                         if isinstance(v, str) else "")
def test_modals_keep_slack_limits(name: str, form: Form) -> None:
    assert view_problems(modal(form, channel="C0123")) == []


def test_long_message_keeps_its_start_and_buttons() -> None:
    """Degrading on purpose: too many sections end in an ellipsis; buttons survive."""
    blocks = message_blocks(OutgoingMessage(("z" * 2990 + "\n") * 60, _choices(30)))
    assert [b["type"] for b in blocks[-2:]] == ["actions", "actions"]
    assert blocks[-3]["text"]["text"] == "…"


def test_body_beyond_slack_input_points_to_the_command() -> None:
    """The announcement body allows 8,000 characters; the modal takes 3,000 and says where
    the rest can go."""
    view = modal(compose_form(_ctx("en")), channel=None)
    body = next(b for b in view["blocks"] if b["block_id"] == "body")
    assert body["element"]["max_length"] == 3000
    assert "/hartslag announce new --body" in body["hint"]["text"]


def test_checker_catches_a_broken_limit() -> None:
    """The checker is not vacuous: an over-long input is reported."""
    view = modal(Form("f", "T", (FormField("a", "A", "multiline"),)), channel=None)
    view["blocks"][0]["element"]["max_length"] = 8000
    assert view_problems(view) == [
        f"plain_text_input.max_length: 8000 > 3000 ({ELEMENTS})"]
