"""The one command grammar shared by every platform.

``/hartslag <command> [words] [--option value] [--flag] [key=value]``; the root word is
``/hartslag`` (Slack), ``!hartslag`` (Matrix) or optional in a DM or mention. Quotes group
words: ``--title "Nieuw rooster"``. Options may also be written ``--title=Nieuw``.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

ROOT_WORDS: tuple[str, ...] = ("/hartslag", "!hartslag", "hartslag")


@dataclass(frozen=True)
class CommandText:
    name: str | None
    args: str
    explicit: bool  # the text started with the root word


def split_command(text: str) -> tuple[str | None, str]:
    """``"/hartslag help me"`` -> ``("help", "me")``; ``""`` -> ``(None, "")``."""
    parsed = parse_root(text)
    return parsed.name, parsed.args


def parse_root(text: str) -> CommandText:
    stripped = text.strip()
    explicit = False
    lowered = stripped.lower()
    for root in ROOT_WORDS:
        if lowered == root or lowered.startswith(root + " ") or lowered.startswith(root + "\n"):
            stripped = stripped[len(root):].strip()
            explicit = True
            break
    if not stripped:
        return CommandText(None, "", explicit)
    head, _, rest = stripped.partition(" ")
    if "\n" in head:
        head, _, more = head.partition("\n")
        rest = more + (" " + rest if rest else "")
    return CommandText(head.lower(), rest.strip(), explicit)


@dataclass
class Args:
    """Positional words, ``--option value`` options and bare ``--flags``."""

    words: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    def pop_word(self) -> str | None:
        return self.words.pop(0).lower() if self.words else None

    def rest(self) -> str:
        return " ".join(self.words)


class ArgsError(ValueError):
    """The arguments cannot be read (an open quote); the message says where."""


def parse_args(text: str, *, flags: frozenset[str] = frozenset()) -> Args:
    """Split ``text`` into words and options. ``flags`` names options that take no value."""
    try:
        tokens = shlex.split(text, posix=True)
    except ValueError as exc:
        raise ArgsError(str(exc)) from None
    args = Args()
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.startswith("--") and len(token) > 2:
            name, eq, value = token[2:].partition("=")
            name = name.lower()
            if eq:
                args.options[name] = value
            elif name in flags or i + 1 >= len(tokens) or tokens[i + 1].startswith("--"):
                args.flags.add(name)
            else:
                args.options[name] = tokens[i + 1]
                i += 1
        else:
            args.words.append(token)
        i += 1
    return args
