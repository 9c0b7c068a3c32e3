"""Neutral Markdown helpers: escaping text that users or payloads supply.

Features build messages in a small Markdown subset (bold, italic, links, lists, code);
adapters render it natively. Text from people (a signal, a template variable, a comment) is
escaped here first, so it shows literally: no markup and no mass mentions such as
``@channel``, ``@here``, ``@room``, ``@everyone`` or Slack's ``<!here>``. HTML needs no
escaping here: adapters escape ``& < >`` for their platform when they render, always.
"""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")
_MASS_MENTION = re.compile(r"@(channel|here|room|everyone|all|kanaal|iedereen)\b", re.IGNORECASE)
ZWJ = "\u2060"  # word joiner: breaks the mention without changing what people read


def neutralise_mentions(text: str) -> str:
    """``@here`` -> ``@\u2060here``: shows the same, notifies nobody."""
    text = _MASS_MENTION.sub(lambda m: f"@{ZWJ}{m.group(1)}", text)
    return text.replace("<!", f"<{ZWJ}!")


def escape_text(text: str, *, allow_mentions: bool = False) -> str:
    """Make user-supplied ``text`` literal inside neutral Markdown."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return text if allow_mentions else neutralise_mentions(text)


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")


def unescape(text: str) -> str:
    """Drop the backslashes ``escape_text`` added (for plain-text views such as a terminal)."""
    return _ESCAPED.sub(r"\1", text)
