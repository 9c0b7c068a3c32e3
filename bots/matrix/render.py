"""Neutral Markdown -> Matrix ``m.room.message`` content (HTML ``formatted_body`` + plain).

Raw HTML in the Markdown is never passed through (markdown-it with ``html`` off escapes it),
labels are escaped, mass mentions (``@room``) are broken with a word joiner, and every
message carries an empty ``m.mentions`` so clients that follow intentional mentions notify
nobody. Choices become numbered lines with keycap digits: people answer by reacting with the
digit or, in a DM, by replying with the number.
"""

from __future__ import annotations

import html
import re
from typing import Any

from markdown_it import MarkdownIt

from bots.matrix.messages import MATRIX
from commands.markup import neutralise_mentions
from commands.model import Choice, Image, OutgoingMessage

KEYCAPS: tuple[str, ...] = (*(f"{n}\ufe0f\u20e3" for n in range(1, 10)), "\U0001f51f")
# A lone choice (an acknowledgement) may also be answered with a thumbs up or a check mark.
CONFIRM_KEYS: frozenset[str] = frozenset({"\U0001f44d", "\u2705", "\u2714", "\u2611"})

_BARE_URL = re.compile(r"(?<![<(\[\w/\"'=])(https?://[^\s<>()\[\]`]*[^\s<>()\[\]`.,;:!?'\"])")
_SLASH_ROOT = re.compile(r"(?<![\w/.:])/hartslag\b")
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_MARKDOWN.enable("strikethrough")


def keycap(index: int) -> str:
    """The reaction key of choice ``index`` (0-based); a plain number beyond ten."""
    return KEYCAPS[index] if index < len(KEYCAPS) else f"{index + 1}."


def choice_for_key(key: str, choices: tuple[Choice, ...]) -> Choice | None:
    """Which choice a reaction key picks: a keycap digit, or a thumbs up for a lone choice."""
    plain = key.replace("\ufe0f", "")
    for index, cap in enumerate(KEYCAPS[: len(choices)]):
        if plain == cap.replace("\ufe0f", ""):
            return choices[index]
    if len(choices) == 1 and plain in {k.replace("\ufe0f", "") for k in CONFIRM_KEYS}:
        return choices[0]
    return None


def choice_for_number(text: str, choices: tuple[Choice, ...]) -> Choice | int | None:
    """``"2"`` -> the second choice; an out-of-range number -> the count; not a number -> None."""
    stripped = text.strip().rstrip(".)")
    if not stripped.isdecimal() or len(stripped) > 3:
        return None
    number = int(stripped)
    return choices[number - 1] if 1 <= number <= len(choices) else len(choices)


def markdown_to_html(markdown: str) -> str:
    return _MARKDOWN.render(_autolink(neutralise_mentions(markdown))).strip()


def _autolink(markdown: str) -> str:
    """Bare ``https://...`` -> ``<https://...>`` (a CommonMark autolink), outside code spans.
    Features write bare URLs, which Slack and Teams link by themselves; HTML needs an <a>."""
    parts = re.split(r"(`+[^`]*`+)", markdown)
    return "".join(part if part.startswith("`") else _BARE_URL.sub(r"<\1>", part)
                   for part in parts)


def matrix_commands(text: str) -> str:
    """``/hartslag help`` -> ``!hartslag help``: Element takes a leading ``/`` as one of its
    own slash commands, so features' generic command hints are shown the Matrix way."""
    return _SLASH_ROOT.sub("!hartslag", text)


def render(message: OutgoingMessage, *, direct: bool, locale: str,
           image_sent: bool = False) -> dict[str, Any]:
    """The event content for ``message``; ``direct`` picks the hint (numbers work in DMs).
    Unless ``image_sent`` (the picture goes as its own event), the image's text stands in."""
    plain: list[str] = []
    rich: list[str] = []
    if message.title:
        title = neutralise_mentions(message.title)
        plain.append(f"**{title}**")
        rich.append(f"<p><strong>{html.escape(title)}</strong></p>")
    markdown = matrix_commands(message.markdown)
    plain.append(neutralise_mentions(markdown))
    rich.append(markdown_to_html(markdown))
    if message.image is not None and not image_sent:
        alt = neutralise_mentions(message.image.alt_text)
        plain.append(f"[{alt}]")
        rich.append(f"<p><em>[{html.escape(alt)}]</em></p>")
    if message.choices:
        lines = [f"{keycap(i)} {neutralise_mentions(c.label)}" for i, c in enumerate(message.choices)]
        hint = MATRIX.get(locale, "hint.direct" if direct else "hint.room")
        plain.append("\n".join(lines) + f"\n{hint}")
        rich.append("<p>" + "<br>".join(html.escape(line) for line in lines) + "</p>")
        rich.append(f"<p><em>{html.escape(hint)}</em></p>")
    return {
        "msgtype": "m.text",
        "body": "\n\n".join(part for part in plain if part),
        "format": "org.matrix.custom.html",
        "formatted_body": "\n".join(part for part in rich if part),
        "m.mentions": {},
    }


def edit(original_event_id: str, content: dict[str, Any]) -> dict[str, Any]:
    """An ``m.replace`` edit of ``original_event_id`` with new ``content``."""
    return {
        "msgtype": content["msgtype"],
        "body": f"* {content['body']}",
        "format": content["format"],
        "formatted_body": content["formatted_body"],
        "m.new_content": content,
        "m.relates_to": {"rel_type": "m.replace", "event_id": original_event_id},
        "m.mentions": {},
    }


def image_content(image: Image, url: str, keys: dict[str, Any] | None) -> dict[str, Any]:
    """An ``m.image`` event: ``url`` plain, or the ``file`` object of an encrypted upload."""
    content: dict[str, Any] = {
        "msgtype": "m.image",
        "body": neutralise_mentions(image.alt_text or image.filename),
        "filename": image.filename,
        "info": {"mimetype": "image/png", "size": len(image.png)},
        "m.mentions": {},
    }
    if keys is None:
        content["url"] = url
    else:
        content["file"] = {**keys, "url": url, "mimetype": "image/png"}
    return content
