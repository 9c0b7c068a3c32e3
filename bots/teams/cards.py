"""Neutral messages and forms -> Adaptive Cards (schema 1.5, as Teams renders them).

Teams' TextBlock markdown covers bold, italic, links and lists but not headings or code, so
each line becomes its own TextBlock (headings bold, fenced code monospace) and paragraphs keep
their spacing. Buttons carry our own envelope in ``data`` so a press comes back as an
Interaction (``Action.Submit``: a message activity with ``value``; ``Action.Execute``: an
``adaptiveCard/action`` invoke with ``verb`` and ``data``).
"""

from __future__ import annotations

import base64
import re
from typing import Any

from commands.model import Choice, Form, FormField, Image, OutgoingMessage

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
# An activity may be about 40 KB in total; a chart larger than this goes as its alt text.
MAX_INLINE_IMAGE_BYTES = 24_000

KIND = "hs_kind"  # "choice" | "form"
ACTION, VALUE = "hs_action", "hs_value"
FORM_ID, FORM_STATE = "hs_form", "hs_state"
INPUT_PREFIX = "f_"

_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_CODE_SPAN = re.compile(r"`([^`]*)`")
_STYLES = {"primary": "positive", "danger": "destructive"}
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_HELD = re.compile("\ue000(\\d+)\ue001")
_KEEP_ESCAPED = frozenset("*_[]`\\")

Card = dict[str, Any]


def message_card(message: OutgoingMessage, *, execute: bool = False) -> Card:
    """The card for a message; ``execute`` renders buttons as ``Action.Execute``."""
    body: list[dict[str, Any]] = []
    if message.title:
        body.append(_text(message.title, size="Medium", weight="Bolder"))
    body += markdown_blocks(message.markdown)
    if message.image is not None:
        body.append(image_block(message.image))
    card = _card(body)
    if message.choices:
        card["actions"] = [choice_action(c, execute=execute) for c in message.choices]
    return card


def markdown_blocks(markdown: str) -> list[dict[str, Any]]:
    """One TextBlock per line; a blank line starts a new paragraph (more spacing)."""
    blocks: list[dict[str, Any]] = []
    gap = False
    in_code: list[str] | None = None
    for line in markdown.replace("\r\n", "\n").split("\n"):
        if line.strip().startswith("```"):
            if in_code is None:
                in_code = []
            else:
                blocks.append(_text("\n".join(in_code), fontType="Monospace",
                                    spacing="Medium" if gap or not blocks else "None"))
                in_code, gap = None, False
            continue
        if in_code is not None:
            in_code.append(line)
            continue
        if not line.strip():
            gap = True
            continue
        spacing = "Medium" if gap and blocks else "None"
        heading = _HEADING.match(line)
        if heading:
            blocks.append(_text(inline(heading.group(1)), weight="Bolder", spacing=spacing))
        else:
            blocks.append(_text(inline(line), spacing=spacing))
        gap = False
    if in_code:
        blocks.append(_text("\n".join(in_code), fontType="Monospace"))
    for block in blocks[:1]:
        block.pop("spacing", None)
    return blocks


def inline(line: str) -> str:
    """One line of neutral Markdown as Teams card markdown.

    Code spans become bold (cards have no code style). Backslash escapes from
    ``commands.markup.escape_text`` are dropped where the character means nothing to the
    card renderer, and kept for ``* _ [ ] `` and at the start of a line (list, quote), where
    the character would otherwise turn into formatting.
    """
    held: list[str] = []

    def hold(match: re.Match[str]) -> str:
        char = match.group(1)
        keep = char in _KEEP_ESCAPED or match.start() == 0
        held.append(f"\\{char}" if keep else char)
        return f"\ue000{len(held) - 1}\ue001"

    text = _ESCAPED.sub(hold, line)
    text = _CODE_SPAN.sub(r"**\1**", text)
    return _HELD.sub(lambda m: held[int(m.group(1))], text)


def image_block(image: Image) -> dict[str, Any]:
    """A small PNG inline as a data URI; a large one degrades to its text alternative."""
    if len(image.png) > MAX_INLINE_IMAGE_BYTES:
        return _text(f"_{image.alt_text}_", isSubtle=True)
    data = base64.b64encode(image.png).decode("ascii")
    return {"type": "Image", "url": f"data:image/png;base64,{data}", "altText": image.alt_text}


def choice_action(choice: Choice, *, execute: bool = False) -> dict[str, Any]:
    data = {KIND: "choice", ACTION: choice.action, VALUE: choice.value}
    action: dict[str, Any] = {"type": "Action.Submit", "title": choice.label, "data": data}
    if execute:
        action = {"type": "Action.Execute", "title": choice.label, "verb": choice.action,
                  "data": data}
    if choice.style in _STYLES:
        action["style"] = _STYLES[choice.style]
    return action


def form_card(form: Form, *, intro: str | None = None) -> Card:
    """A form as a card with inputs and one submit button (required inputs are checked)."""
    body: list[dict[str, Any]] = [_text(form.title, size="Medium", weight="Bolder")]
    if intro:
        body += markdown_blocks(intro)
    for field in form.fields:
        body += _inputs(field)
    card = _card(body)
    card["actions"] = [{
        "type": "Action.Submit", "title": form.submit_label, "associatedInputs": "auto",
        "data": {KIND: "form", FORM_ID: form.form_id, FORM_STATE: form.state},
    }]
    return card


def form_values(data: dict[str, Any]) -> dict[str, str]:
    """Submitted inputs (``f_<name>``) back to field names; date + time joined as ISO."""
    values: dict[str, str] = {}
    for key, raw in data.items():
        if not key.startswith(INPUT_PREFIX):
            continue
        name = key.removeprefix(INPUT_PREFIX)
        if name.endswith(("__date", "__time")):
            continue
        values[name] = "" if raw is None else str(raw)
    for key in data:
        if key.startswith(INPUT_PREFIX) and key.endswith("__date"):
            name = key.removeprefix(INPUT_PREFIX).removesuffix("__date")
            date = str(data.get(key) or "")
            time = str(data.get(f"{INPUT_PREFIX}{name}__time") or "")
            values[name] = f"{date}T{time}" if date and time else date
    return values


def _inputs(field: FormField) -> list[dict[str, Any]]:
    ident = f"{INPUT_PREFIX}{field.name}"
    common: dict[str, Any] = {"label": field.label, "isRequired": field.required}
    if field.required:
        common["errorMessage"] = field.label
    if field.kind in ("text", "multiline"):
        item: dict[str, Any] = {"type": "Input.Text", "id": ident, **common,
                                "isMultiline": field.kind == "multiline"}
        if field.max_length:
            item["maxLength"] = field.max_length
        if field.initial:
            item["value"] = field.initial
        if field.hint:
            item["placeholder"] = field.hint
        return [item]
    if field.kind in ("select", "multiselect"):
        item = {"type": "Input.ChoiceSet", "id": ident, **common, "style": "compact",
                "isMultiSelect": field.kind == "multiselect",
                "choices": [{"title": label, "value": value} for value, label in field.options]}
        if field.initial:
            item["value"] = field.initial
        return [item]
    if field.kind == "checkbox":
        return [{"type": "Input.Toggle", "id": ident, "title": field.label, "valueOn": "true",
                 "valueOff": "false", "value": "true" if field.initial == "true" else "false"}]
    date, _, time = (field.initial or "").partition("T")
    return [
        {"type": "Input.Date", "id": f"{ident}__date", **common, **({"value": date} if date else {})},
        {"type": "Input.Time", "id": f"{ident}__time", "isRequired": field.required,
         **({"value": time[:5]} if time else {})},
    ]


def _text(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def _card(body: list[dict[str, Any]]) -> Card:
    return {"type": "AdaptiveCard", "$schema": SCHEMA, "version": "1.5",
            "msteams": {"width": "Full"}, "body": body}


def attachment(card: Card) -> dict[str, Any]:
    return {"contentType": CARD_CONTENT_TYPE, "content": card}


def plain_text(markdown: str, limit: int = 200) -> str:
    """A one-line summary for notifications and invoke answers."""
    text = " ".join(re.sub(r"[*_`#>]", "", markdown).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
