"""Rendering (neutral Markdown -> Adaptive Card) and translation (activity -> request), on
recorded-style payloads, without a server."""

from __future__ import annotations

import json
from pathlib import Path

from bots.teams import cards, translate
from commands.model import (
    Choice,
    FormSubmission,
    Image,
    InboundMessage,
    Interaction,
    OutgoingMessage,
)

MANIFEST = Path(__file__).resolve().parents[2] / "bots" / "teams" / "manifest.json"


def test_markdown_becomes_text_blocks() -> None:
    card = cards.message_card(OutgoingMessage(
        "# Kop\nEerste regel met `code`\n\n- een\n- twee\n\n```\nx = 1\n```", title="Titel"))
    texts = [(b["text"], b.get("weight"), b.get("spacing"), b.get("fontType"))
             for b in card["body"]]
    assert texts == [
        ("Titel", "Bolder", None, None),
        ("Kop", "Bolder", None, None),
        ("Eerste regel met **code**", None, "None", None),
        ("- een", None, "Medium", None),
        ("- twee", None, "None", None),
        ("x = 1", None, "Medium", "Monospace"),
    ]
    assert card["version"] == "1.5" and "actions" not in card


def test_choices_become_submit_or_execute_actions() -> None:
    message = OutgoingMessage("?", choices=(Choice("pulse.vote", "3", "Goed", style="danger"),))
    submit = cards.message_card(message)["actions"][0]
    assert submit == {"type": "Action.Submit", "title": "Goed", "style": "destructive",
                      "data": {"hs_kind": "choice", "hs_action": "pulse.vote", "hs_value": "3"}}
    execute = cards.message_card(message, execute=True)["actions"][0]
    assert execute["type"] == "Action.Execute" and execute["verb"] == "pulse.vote"


def test_small_image_inline_large_image_as_alt_text() -> None:
    small = cards.image_block(Image(b"\x89PNG" + b"0" * 100, "Grafiek"))
    assert small["type"] == "Image" and small["url"].startswith("data:image/png;base64,")
    big = cards.image_block(Image(b"0" * (cards.MAX_INLINE_IMAGE_BYTES + 1), "Grafiek"))
    assert big["type"] == "TextBlock" and "Grafiek" in big["text"]


def _message(**extra: object) -> dict[str, object]:
    return {
        "type": "message", "id": "1", "serviceUrl": "https://smba.example/emea/",
        "from": {"id": "29:a", "aadObjectId": "aad-a", "name": "A"},
        "recipient": {"id": "28:bot", "name": "hartslag"},
        "conversation": {"id": "19:c@thread.tacv2;messageid=42", "conversationType": "channel",
                         "tenantId": "t"},
        "locale": "en-GB", **extra,
    }


def test_mention_is_stripped_and_thread_kept() -> None:
    activity = _message(
        text="<at>hartslag</at>&nbsp;waar vind ik <b>mijn</b> loonstrook?",
        entities=[{"type": "mention", "text": "<at>hartslag</at>",
                   "mentioned": {"id": "28:bot", "name": "hartslag"}}])
    request = translate.to_request(activity)
    assert isinstance(request, InboundMessage)
    assert request.text == "waar vind ik mijn loonstrook?"
    assert request.mentioned and not request.is_direct
    assert str(request.address) == "teams://t/19%3Ac%40thread.tacv2#42"
    assert request.user.key == "teams:aad-a" and request.locale == "en"
    assert translate.conversation_id_of(request.address) == "19:c@thread.tacv2;messageid=42"


def test_mention_of_someone_else_is_not_a_mention_of_the_bot() -> None:
    activity = _message(text="<at>Bram</at> hoi", entities=[
        {"type": "mention", "text": "<at>Bram</at>", "mentioned": {"id": "29:b"}}])
    request = translate.to_request(activity)
    assert isinstance(request, InboundMessage) and not request.mentioned


def test_submit_and_execute_become_interactions_and_forms() -> None:
    press = translate.to_request(_message(replyToId="act-1", value={
        "hs_kind": "choice", "hs_action": "ack", "hs_value": "7"}))
    assert isinstance(press, Interaction) and press.value == "7"
    assert press.message is not None and press.message.message_id == "act-1"
    form = translate.to_request(_message(value={
        "hs_kind": "form", "hs_form": "signal.new", "hs_state": "{}", "f_text": "Hoi"}))
    assert isinstance(form, FormSubmission) and form.values == {"text": "Hoi"}
    invoke = translate.to_request({**_message(), "type": "invoke", "name": "adaptiveCard/action",
                                   "value": {"action": {"verb": "ack", "data": {"hs_value": "1"}}}})
    assert isinstance(invoke, Interaction) and invoke.action == "ack" and invoke.value == "1"
    assert translate.to_request(_message(value={"unrelated": 1})) is None
    assert translate.to_request({**_message(), "type": "typing"}) is None


def test_references_from_conversation_update() -> None:
    activity = _message(type="conversationUpdate", membersAdded=[
        {"id": "28:bot"}, {"id": "29:b", "aadObjectId": "aad-b"}],
        channelData={"team": {"id": "19:team"}})
    ref = translate.conversation_ref(activity)
    assert ref is not None and ref.conversation_id == "19:c@thread.tacv2" and ref.team_id == "19:team"
    assert [u.user_id for u in translate.user_refs(activity)] == ["aad-a", "aad-b"]


def test_manifest_template_is_valid_json_with_bot_scopes_and_commands() -> None:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    bot = manifest["bots"][0]
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    commands = {c["title"] for group in bot["commandLists"] for c in group["commands"]}
    assert "help" in commands


def test_user_text_escapes_show_literally() -> None:
    from commands.markup import escape_text

    text = escape_text("Te hoog (echt!). Zie 3.5 - of *niet* _dus_ `x` #1")
    [block] = cards.markdown_blocks(text)
    assert block["text"] == "Te hoog (echt!). Zie 3.5 - of \\*niet\\* \\_dus\\_ \\`x\\` #1"
    [start] = cards.markdown_blocks(escape_text("- geen lijst"))
    assert start["text"] == "\\- geen lijst"


def test_chart_is_reencoded_smaller_and_stays_a_picture() -> None:
    import io

    from PIL import Image as Picture

    from commands.charts import Bar, reach_png

    png = reach_png([Bar(f"#kanaal-{i}", i, 10) for i in range(3)], title="Bereik",
                    labels=("gelezen", "niet gelezen", "mislukt"))
    smaller = cards.compact_png(png)
    assert len(smaller) < len(png) // 2
    with Picture.open(io.BytesIO(png)) as before, Picture.open(io.BytesIO(smaller)) as after:
        assert after.format == "PNG" and after.size == before.size
    assert cards.compact_png(b"not a picture") == b"not a picture"


def test_more_than_six_choices_go_in_action_sets_of_six() -> None:
    choices = tuple(Choice(str(i), "pulse.vote", str(i)) for i in range(11))
    card = cards.message_card(OutgoingMessage("0-10?", choices))
    assert "actions" not in card
    sets = [b["actions"] for b in card["body"] if b["type"] == "ActionSet"]
    assert [len(s) for s in sets] == [6, 5]
    assert [a["title"] for s in sets for a in s] == [c.label for c in choices]


def test_required_time_input_has_label_and_error_message() -> None:
    from commands.model import Form, FormField

    card = cards.form_card(Form("f", "T", (FormField("at", "Wanneer", "datetime",
                                                     required=True),)))
    time = next(b for b in card["body"] if b["type"] == "Input.Time")
    assert time["label"] == "Wanneer" and time["errorMessage"] and time["isRequired"]
