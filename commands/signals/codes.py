"""Case codes and references: random, from an alphabet without look-alikes (no 0/O, 1/I).

- The sender's *code* (10 characters, about 50 bits) is their secret key to the case: reading
  answers, replying, closing. Only a keyed hash of it is stored.
- The *reference* (``S-`` + 6 characters) is what the triage team sees and types. It is random,
  not a counter, so it does not tell in which order signals arrived.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 10
REF_LENGTH = 6
_CODE = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")
_REF = re.compile(rf"^S-[{ALPHABET}]{{{REF_LENGTH}}}$")


def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_code() -> str:
    """``"K7QX2-MPD4R"``: shown once to the sender, never stored in clear."""
    raw = _random(CODE_LENGTH)
    return f"{raw[:5]}-{raw[5:]}"


def new_ref() -> str:
    return f"S-{_random(REF_LENGTH)}"


def normalise_code(value: str) -> str | None:
    """The canonical ``XXXXX-XXXXX`` form of what a person typed, or None if it is no code."""
    raw = re.sub(r"[\s\-`]", "", value).upper()
    if not _CODE.match(raw):
        return None
    return f"{raw[:5]}-{raw[5:]}"


def normalise_ref(value: str) -> str | None:
    raw = value.strip().strip("`").upper()
    if not raw.startswith("S-"):
        raw = f"S-{raw}"
    return raw if _REF.match(raw) else None
