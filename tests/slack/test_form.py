"""The native form decoder gives bolt exactly what bolt's own parser would."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from slack_bolt.request.internals import parse_body as bolt_parse_body

from bots.slack.form import parse_body
from bots.slack.workarounds import bolt_request
from tests.slack.signed import block_actions, sign, slash_command

FORM = "application/x-www-form-urlencoded"
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(st.dictionaries(text.filter(lambda k: k and "payload" not in k), text, max_size=8))
def test_plain_forms_decode_like_bolt(fields: dict[str, str]) -> None:
    raw = urlencode(fields)
    assert parse_body(raw.encode(), FORM) == bolt_parse_body(raw, FORM)


@given(st.recursive(st.none() | st.booleans() | st.integers() | text,
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(text, inner, max_size=4), max_leaves=20))
def test_payloads_decode_like_bolt(value: object) -> None:
    raw = urlencode({"payload": json.dumps({"type": "block_actions", "value": value})})
    assert parse_body(raw.encode(), FORM) == bolt_parse_body(raw, FORM)


@pytest.mark.parametrize("raw", [block_actions("pulse.vote", "1|0|4"),
                                 slash_command("peiling maak --vraag \"Hoe gaat het?\" +1"),
                                 '{"type": "event_callback", "event": {"text": "a+b"}}', ""])
def test_real_slack_bodies_decode_like_bolt(raw: str) -> None:
    kind = "application/json" if raw.startswith("{") else FORM
    assert parse_body(raw.encode(), kind) == bolt_parse_body(raw, kind)
    request = bolt_request(raw.encode(), query={}, headers=sign(raw, content_type=kind))
    assert request.raw_body == raw  # the signature is checked against the exact bytes


@pytest.mark.parametrize("raw", [b"payload=%7Bnot+json", b"\xff\xfe=1"])
def test_bad_bodies_raise_value_error(raw: bytes) -> None:
    with pytest.raises(ValueError):
        bolt_request(raw, query={}, headers={"content-type": FORM})
