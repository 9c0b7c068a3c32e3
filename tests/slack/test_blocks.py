"""Rendering: neutral Markdown -> mrkdwn with escaping, Block Kit limits, forms <-> modals."""

from __future__ import annotations

from bots.slack.blocks import (
    action_name,
    form_values,
    message_blocks,
    message_text,
    modal,
    read_metadata,
)
from bots.slack.mrkdwn import to_mrkdwn
from commands.markup import escape_text
from commands.model import Choice, Form, FormField, OutgoingMessage


def test_markdown_becomes_mrkdwn() -> None:
    text = "# Kop\n**vet** en *schuin* en ~~weg~~\n- een\n- [site](https://x.nl/a?b=1&c=2)"
    assert to_mrkdwn(text) == (
        "*Kop*\n*vet* en _schuin_ en ~weg~\n• een\n• <https://x.nl/a?b=1&amp;c=2|site>"
    )


def test_user_text_cannot_mention_or_link() -> None:
    hostile = "<!here> <!channel> <@U123> <https://evil|klik> & @channel"
    rendered = to_mrkdwn(escape_text(hostile))
    assert "<" not in rendered and ">" not in rendered
    assert "&lt;!here&gt;" in rendered
    assert "@channel" not in rendered  # neutralised with a word joiner by commands.markup


def test_unsafe_link_targets_are_not_linked() -> None:
    assert "<" not in to_mrkdwn("[x](javascript:alert)")


def test_code_is_escaped_but_not_formatted() -> None:
    assert to_mrkdwn("`**a** <b>`") == "`**a** &lt;b&gt;`"


def test_long_messages_split_into_sections_and_buttons_get_unique_ids() -> None:
    long = "\n".join(f"regel {i} " + "x" * 100 for i in range(80))
    choices = tuple(Choice("pulse.vote", str(i), f"{i}") for i in range(30))
    blocks = message_blocks(OutgoingMessage(long, choices=choices))
    sections = [b for b in blocks if b["type"] == "section"]
    assert len(sections) >= 3
    assert all(len(b["text"]["text"]) <= 3000 for b in sections)
    actions = [b for b in blocks if b["type"] == "actions"]
    assert [len(b["elements"]) for b in actions] == [25, 5]
    ids = [e["action_id"] for b in actions for e in b["elements"]]
    assert len(set(ids)) == 30
    assert {action_name(i) for i in ids} == {"pulse.vote"}
    assert len(blocks) <= 50


def test_title_goes_into_a_header_and_the_fallback_text() -> None:
    message = OutgoingMessage("tekst", title="Nieuw <rooster>")
    assert message_blocks(message)[0] == {
        "type": "header", "text": {"type": "plain_text", "text": "Nieuw <rooster>", "emoji": True}}
    assert message_text(message).startswith("*Nieuw &lt;rooster&gt;*")


def test_form_round_trip() -> None:
    form = Form("pulse.new", "Nieuwe pulse met een veel te lange titel", (
        FormField("q", "Vraag", required=True, max_length=200),
        FormField("body", "Toelichting", kind="multiline", hint="Optioneel"),
        FormField("teams", "Teams", kind="multiselect", options=(("a", "A"), ("b", "B"))),
        FormField("at", "Wanneer", kind="datetime"),
        FormField("anon", "Anoniem", kind="checkbox", initial="true"),
    ), submit_label="Opslaan", state='{"id": 3}')
    view = modal(form, channel="C0ALG")
    assert view["callback_id"] == "pulse.new"
    assert len(view["title"]["text"]) <= 24
    assert read_metadata(view["private_metadata"]) == ("C0ALG", '{"id": 3}')
    kinds = [b["element"]["type"] for b in view["blocks"]]
    assert kinds == ["plain_text_input", "plain_text_input", "multi_static_select",
                     "datetimepicker", "checkboxes"]
    assert view["blocks"][0]["optional"] is False
    state = {"values": {
        "q": {"q": {"type": "plain_text_input", "value": "Hoe gaat het?"}},
        "body": {"body": {"type": "plain_text_input", "value": None}},
        "teams": {"teams": {"type": "multi_static_select",
                            "selected_options": [{"value": "a"}, {"value": "b"}]}},
        "at": {"at": {"type": "datetimepicker", "selected_date_time": 1795424400}},
        "anon": {"anon": {"type": "checkboxes", "selected_options": []}},
    }}
    assert form_values(state) == {"q": "Hoe gaat het?", "body": "", "teams": "a,b",
                                  "at": "2026-11-23T09:00:00+00:00", "anon": "false"}


def test_metadata_tolerates_garbage() -> None:
    assert read_metadata("not json") == (None, "")
    assert read_metadata("") == (None, "")


def test_slack_text_becomes_neutral_command_text() -> None:
    from bots.slack.translate import plain_text

    text = "role grant comms <@U0BRAM|bram> in <#C0ALG|algemeen> &lt;3 &amp; <!here> <https://x.nl>"
    assert plain_text(text, "T0HART") == (
        "role grant comms slack:U0BRAM in slack://T0HART/C0ALG <3 & @here https://x.nl")
    assert plain_text("<@U0BOT> help", "T0HART", drop_user="U0BOT") == "help"
