"""Block Kit rendering: OutgoingMessage -> blocks, Form -> modal view, modal state -> values.

Slack's limits are applied here (section text 3,000 characters, 50 blocks, 25 buttons per
actions block, 75 characters per button label, 24 per modal title, 3,000 per text input) so a
long message degrades into several sections instead of failing with ``invalid_blocks``.
``tests/slack/test_blockkit_conformance.py`` checks the output against Slack's documented
limits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bots.slack.mrkdwn import to_mrkdwn
from commands.model import Choice, Form, FormField, OutgoingMessage

SECTION_LIMIT = 3000
MAX_BLOCKS = 50
MAX_BUTTONS = 25
TEXT_LIMIT = 40000
INPUT_LIMIT = 3000  # plain_text_input max_length: Slack accepts 1..3000, views.open fails above
_SUFFIX = re.compile(r"#\d+$")

Block = dict[str, Any]
_CUT: Block = {"type": "section", "text": {"type": "mrkdwn", "text": "…"}}


def _plain(text: str, limit: int) -> dict[str, Any]:
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return {"type": "plain_text", "text": text or " ", "emoji": True}


def _chunks(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split on paragraph, then line boundaries; hard-cut only a single over-long line."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        chunks.append(current)
    # a section's text must not be blank: Slack answers invalid_blocks for whitespace only
    return [chunk for chunk in chunks if chunk.strip()]


def action_id(choice: Choice, index: int, seen: set[str]) -> str:
    """Slack wants action ids unique within a block: repeat actions get a ``#n`` suffix."""
    if choice.action not in seen:
        seen.add(choice.action)
        return choice.action
    return f"{choice.action}#{index}"


def action_name(slack_action_id: str) -> str:
    """Inverse of :func:`action_id`: the Choice.action."""
    return _SUFFIX.sub("", slack_action_id)


def _buttons(choices: tuple[Choice, ...]) -> list[Block]:
    blocks: list[Block] = []
    seen: set[str] = set()
    for start in range(0, len(choices), MAX_BUTTONS):
        elements = []
        for index, choice in enumerate(choices[start : start + MAX_BUTTONS], start=start):
            button: dict[str, Any] = {
                "type": "button", "text": _plain(choice.label, 75),
                "action_id": action_id(choice, index, seen), "value": choice.value[:2000],
            }
            if choice.style != "default":
                button["style"] = choice.style
            elements.append(button)
        blocks.append({"type": "actions", "block_id": f"choices-{start}", "elements": elements})
    return blocks


def message_text(message: OutgoingMessage) -> str:
    """The ``text`` field: notification and fallback for clients without blocks."""
    body = to_mrkdwn(message.markdown)
    if message.title:
        body = f"*{to_mrkdwn(message.title)}*\n{body}"
    return body[:TEXT_LIMIT]


def message_blocks(message: OutgoingMessage) -> list[Block]:
    blocks: list[Block] = []
    if message.title:
        blocks.append({"type": "header", "text": _plain(message.title, 150)})
    for chunk in _chunks(to_mrkdwn(message.markdown)):
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": chunk}})
    buttons = _buttons(message.choices)[:MAX_BLOCKS - 1]  # keep room for one line of text
    room = MAX_BLOCKS - len(buttons)
    if len(blocks) > room:
        # over 50 blocks: keep the start and say so, rather than lose the post to invalid_blocks
        blocks = [*blocks[: room - 1], _CUT]
    return blocks + buttons


# -- forms ------------------------------------------------------------------------------
def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": _plain(label, 75), "value": value[:150]}


def _element(field: FormField) -> dict[str, Any]:
    kind = field.kind
    element: dict[str, Any]
    if kind in ("text", "multiline"):
        element = {"type": "plain_text_input", "multiline": kind == "multiline"}
        # a feature may allow more than Slack's input takes (announcements: 8,000); the modal
        # caps it, and the feature's hint names the text command for longer texts
        limit = min(field.max_length or INPUT_LIMIT, INPUT_LIMIT)
        element["max_length"] = limit
        if field.initial:
            element["initial_value"] = field.initial[:limit]
    elif kind in ("select", "multiselect"):
        options = [_option(v, label) for v, label in field.options[:100]]
        element = {"type": "static_select" if kind == "select" else "multi_static_select",
                   "options": options}
        chosen = set((field.initial or "").split(",")) if field.initial else set()
        initial = [o for o in options if o["value"] in chosen]
        if initial and kind == "select":
            element["initial_option"] = initial[0]
        elif initial:
            element["initial_options"] = initial
    elif kind == "datetime":
        element = {"type": "datetimepicker"}
        if field.initial:
            element["initial_date_time"] = int(datetime.fromisoformat(field.initial).timestamp())
    else:  # checkbox
        option = _option("true", field.label)
        element = {"type": "checkboxes", "options": [option]}
        if field.initial == "true":
            element["initial_options"] = [option]
    element["action_id"] = field.name
    return element


def modal(form: Form, *, channel: str | None) -> dict[str, Any]:
    """The modal for ``form``. ``private_metadata`` carries the channel the reply goes to and
    the feature's opaque state (Slack allows 3,000 characters)."""
    metadata = json.dumps({"c": channel, "s": form.state}, separators=(",", ":"))
    if len(metadata) > 3000:
        raise ValueError(f"form {form.form_id}: state too long for a Slack modal")
    blocks = []
    for field in form.fields:
        block: dict[str, Any] = {
            "type": "input", "block_id": field.name, "label": _plain(field.label, 2000),
            "element": _element(field), "optional": not field.required,
        }
        if field.hint:
            block["hint"] = _plain(field.hint, 2000)
        blocks.append(block)
    return {
        "type": "modal", "callback_id": form.form_id, "title": _plain(form.title, 24),
        "submit": _plain(form.submit_label, 24), "private_metadata": metadata,
        "blocks": blocks[:100],
    }


def read_metadata(private_metadata: str) -> tuple[str | None, str]:
    """(channel, state) from a modal's private_metadata; tolerant of anything else."""
    try:
        data = json.loads(private_metadata) if private_metadata else {}
    except ValueError:
        return None, ""
    if not isinstance(data, dict):
        return None, ""
    channel = data.get("c")
    return (str(channel) if channel else None), str(data.get("s") or "")


def _value(entry: Mapping[str, Any]) -> str:
    kind = entry.get("type")
    if kind == "static_select":
        selected = entry.get("selected_option") or {}
        return str(selected.get("value", ""))
    if kind == "multi_static_select":
        return ",".join(str(o.get("value", "")) for o in entry.get("selected_options") or [])
    if kind == "checkboxes":
        return "true" if entry.get("selected_options") else "false"
    if kind == "datetimepicker":
        stamp = entry.get("selected_date_time")
        return datetime.fromtimestamp(int(stamp), UTC).isoformat() if stamp else ""
    return str(entry.get("value") or "")


def form_values(state: Mapping[str, Any]) -> dict[str, str]:
    """``view.state.values`` -> ``{field name: value}`` (multiselect: comma separated;
    datetime: ISO 8601 in UTC; checkbox: "true"/"false")."""
    values: dict[str, str] = {}
    for block_id, actions in (state.get("values") or {}).items():
        if not isinstance(actions, Mapping):
            continue
        for entry in actions.values():
            if isinstance(entry, Mapping):
                values[str(block_id)] = _value(entry)
    return values
