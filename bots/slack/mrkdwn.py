"""Neutral Markdown -> Slack mrkdwn, with every piece of text escaped.

Slack reads ``<...>`` as links and mentions (``<!here>``, ``<!channel>``, ``<@U123>``), so
``&``, ``<`` and ``>`` in any text are escaped first; the only angle brackets in the output are
the links this module writes itself. Plain ``@here`` is not a mention because hartslag never
posts with ``link_names``.
"""

from __future__ import annotations

import re

_CODE = re.compile(r"(```.*?```|`[^`\n]+`)", re.DOTALL)
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_BOLD_UNDERSCORE = re.compile(r"__(?=\S)(.+?)(?<=\S)__")
_ITALIC = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$", re.MULTILINE)
_BULLET = re.compile(r"^(\s*)[-*+]\s+", re.MULTILINE)
_SAFE_URL = re.compile(r"^(https?://|mailto:)[^\s<>|]+$", re.IGNORECASE)
_BOLD_MARK = "\x00"
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<&])")
_HELD = re.compile("\ue000(\\d+)\ue001")


def escape(text: str) -> str:
    """Escape the three characters Slack gives meaning to (user text, button labels...)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(match: re.Match[str]) -> str:
    label, url = match.group(1), match.group(2)
    # The url was escaped with the rest; an escaped url is still fine for Slack.
    raw = url.replace("&amp;", "&")
    if not _SAFE_URL.match(raw):
        return f"{label} ({url})"
    return f"<{url}|{label.replace('|', '/')}>"


def _prose(text: str) -> str:
    # Backslash escapes (commands.markup.escape_text) mean "this character literally": hold
    # them out of the conversion. Slack has no escape for * _ ~, so they show as typed.
    held: list[str] = []

    def hold(match: re.Match[str]) -> str:
        held.append(match.group(1))
        return f"\ue000{len(held) - 1}\ue001"

    text = escape(_ESCAPED.sub(hold, text))
    text = _LINK.sub(_link, text)
    text = _HEADING.sub(lambda m: f"{_BOLD_MARK}{m.group(1)}{_BOLD_MARK}", text)
    text = _BOLD.sub(lambda m: f"{_BOLD_MARK}{m.group(1)}{_BOLD_MARK}", text)
    text = _BOLD_UNDERSCORE.sub(lambda m: f"{_BOLD_MARK}{m.group(1)}{_BOLD_MARK}", text)
    text = _ITALIC.sub(lambda m: f"_{m.group(1)}_", text)
    text = _STRIKE.sub(lambda m: f"~{m.group(1)}~", text)
    text = _BULLET.sub(lambda m: f"{m.group(1)}• ", text)
    text = text.replace(_BOLD_MARK, "*")
    return _HELD.sub(lambda m: escape(held[int(m.group(1))]), text)


def to_mrkdwn(markdown: str) -> str:
    """Convert neutral Markdown; code spans and blocks are kept (escaped, not formatted)."""
    parts = _CODE.split(markdown)
    out = []
    for index, part in enumerate(parts):
        out.append(escape(part) if index % 2 else _prose(part))
    return "".join(out)


