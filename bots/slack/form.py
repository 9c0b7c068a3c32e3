"""bolt's request body, decoded in native code (the request around it:
``bots.slack.workarounds.bolt_request``).

Slack sends button presses, modal submissions and slash commands as
``application/x-www-form-urlencoded`` bodies; a press is ``payload=`` plus the whole message
it was on, percent-encoded JSON of 1-10 KB. bolt decodes that with the standard library's
pure-Python ``parse_qsl``: about 40 us for a 1 KB benchmark press and several times that for
a real message with blocks, on every press of a burst. ``fast-query-parsers`` (Rust, made
for exactly this) does it in about 3 us with the same result (``+`` as space, blank values
kept). Everything else (signature check against the raw body, context, listeners) stays
bolt's own.

Where the two differ, on bodies Slack never sends: a percent-encoded byte sequence that is
not UTF-8 (the request then fails bolt's signature check, as any forged body does), and a
``payload`` that is JSON but not an object (``{}`` here, where bolt would hand a string to
its listeners and fail later).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from fast_query_parsers import parse_query_string


def parse_body(raw: bytes, content_type: str | None) -> dict[str, Any]:
    """``slack_bolt.request.internals.parse_body``'s rules, with a native form decoder."""
    if not raw:
        return {}
    if content_type == "application/json" or raw.startswith(b"{"):
        found = json.loads(raw)
        return found if isinstance(found, dict) else {}
    fields = _fields(raw)
    if b"payload" in raw:
        payload = fields.get("payload")
        if payload is None:
            return {}
        found = json.loads(payload)
        return found if isinstance(found, dict) else {}
    return fields


def _fields(raw: bytes) -> dict[str, str]:
    """fast-query-parsers decodes a percent-encoded ``=`` inside a *key* before it splits
    key from value; Slack's keys are plain words, but anything else takes the standard
    library's way, so the result is always what bolt would have had."""
    if any(b"%" in pair.partition(b"=")[0] for pair in raw.split(b"&")):
        return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    return dict(parse_query_string(raw, "&"))
