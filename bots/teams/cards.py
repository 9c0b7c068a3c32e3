"""Neutral messages and forms -> Adaptive Cards (schema 1.5, as Teams renders them).

Teams' TextBlock markdown covers bold, italic, links and lists but not headings or code, so
each line becomes its own TextBlock (headings bold, fenced code monospace) and paragraphs keep
their spacing. Buttons carry our own envelope in ``data`` so a press comes back as an
Interaction (``Action.Submit``: a message activity with ``value``; ``Action.Execute``: an
``adaptiveCard/action`` invoke with ``verb`` and ``data``).
"""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from commands.i18n import Catalog
from commands.model import Choice, Form, FormField, Image, OutgoingMessage

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
# A chart larger than this goes as its alt text at once: base64 adds a third, so it could
# never fit the activity limit (bots.teams.port.MAX_ACTIVITY_BYTES), which decides finally.
MAX_INLINE_IMAGE_BYTES = 20_000
PALETTE_COLORS = 64
# Teams renders at most six actions per card or ActionSet (its host config's maxActions).
MAX_ACTIONS = 6

KIND = "hs_kind"  # "choice" | "form"
ACTION, VALUE = "hs_action", "hs_value"
FORM_ID, FORM_STATE = "hs_form", "hs_state"
INPUT_PREFIX = "f_"

_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_QUOTE = re.compile(r"^ {0,3}> ?(.*)$")
_CODE_SPAN = re.compile(r"`([^`]*)`")
_STYLES = {"primary": "positive", "danger": "destructive"}
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_HELD = re.compile("\ue000(\\d+)\ue001")
_KEEP_ESCAPED = frozenset("*_[]`\\")

Card = dict[str, Any]

# The port does not know the reader's language when it has to cut a card down (forms and
# messages arrive already rendered), so these notes go in Dutch with the English after it.
TEXT = Catalog("teams.cards", {
    "nl": {
        "chart_left_out": "De grafiek is weggelaten: met grafiek werd het bericht te groot "
                          "voor Teams. De cijfers staan in de tekst hierboven.",
        "shortened": "(ingekort: het bericht was te lang voor Teams)",
    },
    "en": {
        "chart_left_out": "The chart was left out: with it the message was too large for "
                          "Teams. The figures are in the text above.",
        "shortened": "(shortened: the message was too long for Teams)",
    },
})


def message_card(message: OutgoingMessage, *, execute: bool = False) -> Card:
    """The card for a message; ``execute`` renders buttons as ``Action.Execute``."""
    body: list[dict[str, Any]] = []
    if message.title:
        body.append(_text(message.title, size="Medium", weight="Bolder"))
    body += markdown_blocks(message.markdown)
    if message.image is not None:
        image = image_block(message.image)
        body.append(image)
        if image["type"] != "Image":
            body += notice_blocks("chart_left_out")
    card = _card(body)
    actions = [choice_action(c, execute=execute) for c in message.choices]
    if len(actions) <= MAX_ACTIONS:
        if actions:
            card["actions"] = actions
        return card
    # Teams shows at most six actions per set and drops the rest without a word: more
    # choices (an eNPS question has eleven) go as rows of action sets.
    for start in range(0, len(actions), MAX_ACTIONS):
        body.append({"type": "ActionSet", "actions": actions[start:start + MAX_ACTIONS]})
    return card


def markdown_blocks(markdown: str) -> list[dict[str, Any]]:
    """One TextBlock per line; a blank line starts a new paragraph (more spacing); a run of
    ``> `` lines becomes one emphasised container (a quote), rendered the same way inside."""
    blocks: list[dict[str, Any]] = []
    gap = False
    in_code: list[str] | None = None
    quote: list[str] | None = None
    for line in markdown.replace("\r\n", "\n").split("\n"):
        quoted = _QUOTE.match(line) if in_code is None else None
        if quoted:
            quote = [*(quote or []), quoted.group(1)]
            continue
        if quote is not None:
            _add(blocks, quote_block(quote), gap)
            quote, gap = None, False
        if line.strip().startswith("```"):
            if in_code is None:
                in_code = []
            else:
                _add(blocks, _text("\n".join(in_code), fontType="Monospace"), gap)
                in_code, gap = None, False
            continue
        if in_code is not None:
            in_code.append(line)
            continue
        if not line.strip():
            gap = True
            continue
        heading = _HEADING.match(line)
        if heading:
            _add(blocks, _text(inline(heading.group(1)), weight="Bolder"), gap)
        else:
            _add(blocks, _text(inline(line)), gap)
        gap = False
    if quote is not None:
        _add(blocks, quote_block(quote), gap)
    if in_code:
        blocks.append(_text("\n".join(in_code), fontType="Monospace"))
    for block in blocks[:1]:
        block.pop("spacing", None)
    return blocks


def quote_block(lines: list[str]) -> dict[str, Any]:
    """Quoted lines (without their ``>``) as an emphasised container: cards have no quote
    style, and a literal ``>`` in front of every line reads as noise."""
    items = markdown_blocks("\n".join(lines)) or [_text(" ")]
    return {"type": "Container", "style": "emphasis", "items": items}


def _add(blocks: list[dict[str, Any]], block: dict[str, Any], gap: bool) -> None:
    block["spacing"] = "Medium" if gap and blocks else "None"
    blocks.append(block)


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
    """A small PNG inline as a data URI (re-encoded with a palette first when too large);
    one that is still too large degrades to its text alternative."""
    png = image.png if len(image.png) <= MAX_INLINE_IMAGE_BYTES else compact_png(image.png)
    if len(png) > MAX_INLINE_IMAGE_BYTES:
        return _alt_text(image.alt_text)
    data = base64.b64encode(png).decode("ascii")
    return {"type": "Image", "url": f"data:image/png;base64,{data}", "altText": image.alt_text}


def compact_png(png: bytes, colors: int = PALETTE_COLORS) -> bytes:
    """The picture as an optimised palette PNG, or ``png`` itself when that is not smaller
    (or not a picture). matplotlib writes full-colour PNGs; a chart's few flat colours plus
    their anti-aliasing survive a small palette, at a third to a fifth of the bytes
    (measured: a 3-channel reach chart 25 KB -> 8 KB, a 6-round trend 75 KB -> 17 KB)."""
    from PIL import Image as Picture  # only here: most cards carry no chart

    try:
        with Picture.open(io.BytesIO(png)) as picture:
            palette = picture.convert("RGB").quantize(colors=colors)
        out = io.BytesIO()
        palette.save(out, "PNG", optimize=True)
    except (OSError, ValueError):
        return png
    return out.getvalue() if out.tell() < len(png) else png


def _alt_text(text: str) -> dict[str, Any]:
    # Plain, not italic: an alt text can be several lines (a table), and an underscore pair
    # around several lines renders as literal underscores.
    return _text(text, isSubtle=True)


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
        # A required input without its own label and error message is refused by the
        # Adaptive Cards validator (and Teams shows no reason): the time repeats the field's.
        {"type": "Input.Time", "id": f"{ident}__time", **common,
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


# -- fitting a card into Teams' message size ------------------------------------------------

def notice_blocks(key: str) -> list[dict[str, Any]]:
    """A note from ``TEXT`` in both languages, subtle, one block each."""
    return [_text(TEXT.get(locale, key), isSubtle=True, spacing="Small" if i else "Medium")
            for i, locale in enumerate(("nl", "en"))]


def without_images(card: Card) -> bool:
    """Replace every inline (data URI) image by its alt text and a note that the chart was
    left out; True when there was one. Teams bots cannot upload an image into a channel
    message without Graph, so a chart that does not fit is not sent at all."""
    found = False
    for blocks in _block_lists(card):
        for index in reversed(range(len(blocks))):
            block = blocks[index]
            if block.get("type") == "Image" and str(block.get("url", "")).startswith("data:"):
                alt = _alt_text(str(block.get("altText") or ""))
                blocks[index:index + 1] = [alt, *notice_blocks("chart_left_out")]
                found = True
    return found


def shortened(card: Card, size: Callable[[Card], int], limit: int) -> Card:
    """Cut text from the end until ``size(card) <= limit``, with a "(ingekort)" note before
    the buttons. Inputs and buttons stay: a form without its fields would be useless. The
    caller checks the result; when inputs alone are too large it still does not fit."""
    texts = list(_text_blocks(card))
    body: list[dict[str, Any]] = card["body"]
    tail = len(body)
    while tail and body[tail - 1].get("type") == "ActionSet":
        tail -= 1
    body[tail:tail] = notice_blocks("shortened")
    excess = size(card) - limit
    while excess > 0 and texts:
        parent, block = texts.pop()
        excess -= _cut(parent, block, excess)
        if excess <= 0:
            excess = size(card) - limit
    _prune(card)
    return card


def json_bytes(value: Any) -> int:
    """Bytes of ``value`` as the SDK's HTTP client sends it (compact JSON, UTF-8)."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _cut(parent: list[dict[str, Any]], block: dict[str, Any], excess: int) -> int:
    """Shorten or drop one TextBlock; returns about how many bytes that saved (at least
    the true saving: a character is one byte or more, escaped ones more)."""
    text = str(block.get("text", "")).encode("utf-8")
    marker = "…"
    if len(text) > excess + len(marker.encode("utf-8")) + 16:
        keep = text[: len(text) - excess - len(marker.encode("utf-8"))]
        block["text"] = keep.decode("utf-8", errors="ignore").rstrip() + marker
        return excess
    saved = json_bytes(block) + 1  # and its comma
    parent[:] = [b for b in parent if b is not block]
    return saved


def _prune(card: Card) -> None:
    """Drop containers that shortening left empty (an empty container is invalid)."""
    for blocks in _block_lists(card):
        blocks[:] = [b for b in blocks if b.get("type") != "Container" or b.get("items")]


def _block_lists(node: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    """Every list of body elements (card body, container items), innermost first."""
    for key in ("body", "items"):
        blocks = node.get(key)
        if isinstance(blocks, list):
            for child in blocks:
                yield from _block_lists(child)
            yield blocks


def _text_blocks(node: dict[str, Any]) -> Iterator[tuple[list[dict[str, Any]], dict[str, Any]]]:
    """(parent list, TextBlock) in reading order."""
    for key in ("body", "items"):
        blocks = node.get(key)
        if isinstance(blocks, list):
            for child in blocks:
                if child.get("type") == "TextBlock":
                    yield blocks, child
                else:
                    yield from _text_blocks(child)
