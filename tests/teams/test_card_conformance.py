"""Every Adaptive Card the Teams adapter builds, checked by Microsoft's own Adaptive Cards
library and against Teams' documented host limits.

The cards come from the real code paths: features driven through the Teams adapter against
the fake Bot Connector (the activities it received, as posted), and the port's ``render`` /
``form_card`` of worst-case inputs (longest texts, most choices, biggest chart). The fake
connector and the SDK accept anything; Teams does not. ``adaptivecards`` (npm, the library
Teams' web and desktop clients render with) parses and validates each card in one node
call per test (tests/teams/cardcheck/validate.js).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple, cast

import pytest

from bots.teams import cards
from bots.teams.port import MAX_ACTIVITY_BYTES, message_activity, render
from commands.announcements.form import compose_form
from commands.charts import Bar, Line, reach_png, trend_png
from commands.context import Context, Services
from commands.model import Choice, Form, FormField, Image, OutgoingMessage
from commands.port import DeliveryError
from tests.support.node import node_package
from tests.teams.conftest import ANNA, BRAM, CHANNEL, MILA, TENANT, TESS, TeamsHarness
from tests.teams.fake_connector import Call, Member

FORMAT = "https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages"
WEBHOOK = ("https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/"
           "add-incoming-webhook")
CARDS = ("https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/"
         "cards-reference")


class Limit(NamedTuple):
    value: int
    source: str


# Teams' limits. Message size: the bot page (FORMAT) says 100 KB counted as UTF-16 with 80 KB
# recommended (earlier 40 KB, still so in its translated copies); incoming webhooks and the
# Teams connector say 28 KB. We keep the whole activity, as sent (compact JSON, UTF-8), within
# 28 KB, which is at most 56 KB of UTF-16: inside every figure. The UTF-16 check holds us to
# the bot page's recommendation as well. Teams renders Adaptive Cards up to schema 1.5 and at
# most 6 actions per action set (its host config's maxActions; the library's default is 5).
LIMITS: dict[str, Limit] = {
    "activity.utf8_bytes": Limit(28 * 1024, WEBHOOK),
    "activity.utf16_bytes": Limit(80 * 1024, FORMAT),
    "card.version": Limit(15, CARDS),  # 1.5, as major * 10 + minor
    "actions.count": Limit(6, CARDS),
}

CARDCHECK = Path(__file__).resolve().parent / "cardcheck"
VALIDATE = CARDCHECK / "validate.js"

Json = dict[str, Any]


Validate = Callable[[Sequence[Json]], list[Json]]


@pytest.fixture(scope="session")
def validate() -> Validate:
    """The Adaptive Cards library, installed by ``npm ci`` when node_modules is missing.
    No node on the machine fails the test with what to install: it is never skipped."""
    try:
        node_package(CARDCHECK)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        pytest.fail(str(exc))
    node = shutil.which("node")
    assert node is not None

    def run(batch: Sequence[Json]) -> list[Json]:
        done = subprocess.run([node, str(VALIDATE)], input=json.dumps(list(batch)),
                              capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            pytest.fail(f"validate.js failed:\n{done.stderr[-2000:]}")
        results = json.loads(done.stdout)
        assert len(results) == len(batch)
        return cast(list[Json], results)

    return run


# -- the checks -----------------------------------------------------------------------------

def _walk(node: Any) -> Iterator[Json]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _over(problems: list[str], name: str, value: int, what: str) -> None:
    limit = LIMITS[name]
    if value > limit.value:
        problems.append(f"{what}: {name} {value} > {limit.value} ({limit.source})")


def limit_problems(activity: Json, what: str) -> list[str]:
    """Teams' host limits on one activity as it goes over the wire."""
    problems: list[str] = []
    wire = json.dumps(activity, ensure_ascii=False, separators=(",", ":"))
    _over(problems, "activity.utf8_bytes", len(wire.encode("utf-8")), what)
    _over(problems, "activity.utf16_bytes", len(wire.encode("utf-16-le")), what)
    for attachment in activity.get("attachments") or []:
        card = attachment["content"]
        major, _, minor = str(card.get("version", "")).partition(".")
        _over(problems, "card.version", int(major) * 10 + int(minor or 0), what)
        for node in _walk(card):
            if isinstance(node.get("actions"), list):
                _over(problems, "actions.count", len(node["actions"]), what)
    return problems


def _cards(activities: Sequence[tuple[str, Json]]) -> list[tuple[str, Json]]:
    found = []
    for what, activity in activities:
        for attachment in activity.get("attachments") or []:
            if attachment.get("contentType") == cards.CARD_CONTENT_TYPE:
                found.append((what, attachment["content"]))
    return found


def conformance_problems(validate: Validate, activities: Sequence[tuple[str, Json]]) -> list[str]:
    """Everything wrong with these activities: limits, then the library's errors."""
    assert activities, "no activities to check"
    problems = [p for what, activity in activities for p in limit_problems(activity, what)]
    found = _cards(activities)
    assert found, "no Adaptive Cards among the activities"
    for (what, _), result in zip(found, validate([card for _, card in found]), strict=True):
        problems += [f"{what}: {e['event']}: {e['message']}" for e in result["errors"]]
    return problems


def wire(activity: Any) -> Json:
    """The activity as the SDK sends it (``model_dump`` as in its conversation client)."""
    return cast(Json, activity.model_dump(by_alias=True, exclude_none=True))


def posted(calls: Sequence[Call]) -> list[tuple[str, Json]]:
    """The activities the fake connector received (each once), named by method and path."""
    unique = list({id(c): c for c in calls}.values())
    return [(f"{c.method} {c.path} #{i}", c.body) for i, c in enumerate(unique)
            if isinstance(c.body, dict) and c.body.get("type") == "message"]


def sizes(activities: Sequence[tuple[str, Json]]) -> list[int]:
    return [cards.json_bytes(a) for _, a in activities]


# -- the validator and the checks can fail ----------------------------------------------------

def test_validator_reports_broken_cards(validate: Validate) -> None:
    """Not vacuous: an unknown element, a duplicate input id, a bad enum value, a misspelt
    property, a version above 1.5 and seven actions are each reported."""
    broken = cards.form_card(Form("f", "T", (FormField("a", "A"),)))
    broken["body"] += [{"type": "Fancy", "text": "x"},
                       {"type": "Input.Text", "id": "f_a", "label": "again"},
                       {"type": "TextBlock", "text": "x", "size": "Huge", "wrapp": True}]
    too_new = cards.message_card(OutgoingMessage("x", tuple(
        Choice(str(i), "ack", str(i)) for i in range(6))))
    too_new["version"] = "1.6"
    too_new["actions"].append(dict(too_new["actions"][0]))
    errors = [[e["event"] for e in r["errors"]] for r in validate([broken, too_new])]
    assert sorted(errors[0]) == sorted(["UnknownElementType", "DuplicateId",
                                        "InvalidPropertyValue", "UnsupportedProperty"])
    assert sorted(errors[1]) == ["TooManyActions", "UnsupportedCardVersion"]


def test_limit_checks_report_a_broken_limit() -> None:
    card = cards.message_card(OutgoingMessage("x", tuple(
        Choice(str(i), "ack", str(i)) for i in range(7))))
    card["actions"] = [a for block in card["body"] if block["type"] == "ActionSet"
                       for a in block["actions"]]
    activity = {"type": "message", "attachments": [cards.attachment(card)],
                "text": "é" * (MAX_ACTIVITY_BYTES // 2)}
    assert limit_problems(activity, "broken") == [
        f"broken: activity.utf8_bytes {cards.json_bytes(activity)} > {28 * 1024} ({WEBHOOK})",
        f"broken: actions.count 7 > 6 ({CARDS})"]


# -- worst-case inputs through the port's render and form_card --------------------------------

LONG = "Lorem ipsum dolor sit amet, **vet** en [link](https://example.org/a?b=1). " * 200
QUOTE = "> Dit citeren we.\n> Tweede regel van het citaat met *nadruk*.\n>\n> Nieuwe alinea."


def _choices(count: int, label: str = "Optie", value: str = "v") -> tuple[Choice, ...]:
    return tuple(Choice(f"{label} {i}", "pulse.vote", f"{value}{i}") for i in range(count))


@cache  # matplotlib takes a while; several tests use the same charts
def _reach_chart(channels: int) -> Image:
    bars = [Bar(f"#kanaal-{i:03d}-met-een-lange-naam", i % 37, 40, failed=i % 11 == 0)
            for i in range(channels)]
    png = reach_png(bars, title="Aankondiging " * 8, labels=("gelezen", "niet gelezen", "mislukt"))
    return Image(png, alt_text="\n".join(f"{b.label}: {b.acknowledged}/{b.members}" for b in bars))


@cache
def _trend_chart(rounds: int) -> Image:
    lines = [Line(f"{q}. Vraag {q}", [1 + (r * q) % 5 for r in range(rounds)])
             for q in range(1, 11)]
    png = trend_png([f"{r} (1 jan)" for r in range(rounds)], lines, title="zorg: Week pulse",
                    y_range=(0.8, 5.2))
    return Image(png, alt_text="Trend over de rondes")


def messages() -> Iterator[tuple[str, OutgoingMessage]]:
    yield "plain", OutgoingMessage("Hallo *wereld*")
    yield "empty", OutgoingMessage("")
    yield "title only", OutgoingMessage("", title="Nieuw rooster")
    yield "quote", OutgoingMessage(f"**Jullie zeiden, wij deden**\n\n{QUOTE}\n\nWe pakken het op.")
    yield "quote with code", OutgoingMessage("> ```\n> x = 1\n> ```\n> # kop\n\nna")
    yield "long title", OutgoingMessage("tekst", title="T" * 400)
    yield "long body", OutgoingMessage(LONG, title="Aankondiging")
    yield "one huge line", OutgoingMessage("y" * 90_000)
    yield "many lines", OutgoingMessage("regel met tekst\n" * 5000)
    yield "many quotes", OutgoingMessage((QUOTE + "\n\nTussendoor\n\n") * 400)
    yield "unicode", OutgoingMessage("😀 Ünïcødé — “quotes” 中文 " * 3000)
    yield "pulse 11 options (eNPS)", OutgoingMessage("Hoe waarschijnlijk?", _choices(11))
    yield "26 buttons", OutgoingMessage("kies", _choices(26))
    yield "many buttons and long text", OutgoingMessage(LONG * 3, _choices(60))
    yield "long labels and values", OutgoingMessage(
        "kies", _choices(3, label="L" * 200, value="V" * 2000))
    yield "styled", OutgoingMessage("ok?", (Choice("Ja", "ack", "1", style="primary"),
                                            Choice("Nee", "ack", "0", style="danger")))
    yield "reach chart 8 channels", OutgoingMessage("Bereik", image=_reach_chart(8))
    yield "reach chart 200 channels", OutgoingMessage("Bereik\n" + "kanaal 1 2 3\n" * 200,
                                                      image=_reach_chart(200))
    yield "trend chart 52 rounds", OutgoingMessage("Samenvatting", image=_trend_chart(52),
                                                   title="zorg")
    yield "chart and huge text", OutgoingMessage(LONG * 4, _choices(2), image=_trend_chart(12))


def _ctx(locale: str) -> Context:
    return Context(cast(Services, None), locale=locale)  # compose_form only reads texts


def forms() -> Iterator[tuple[str, Form]]:
    for locale in ("nl", "en"):
        yield f"announcement compose ({locale})", compose_form(_ctx(locale))
    questions = tuple(FormField(f"q{i}", f"Vraag {i}: " + "w" * 300, "select",
                                options=tuple((f"{i}-{n}", f"Antwoord {n}") for n in range(11)),
                                required=True) for i in range(10))
    yield "pulse 10 questions of 11 options", Form("pulse.answer", "Peiling", questions, "Versturen")
    yield "every field kind", Form("f", "T", (
        FormField("a", "A", "multiline", max_length=8000, initial="i" * 8000, hint="h" * 300),
        FormField("b", "B", max_length=50, initial="x" * 50, required=True),
        FormField("c", "C" * 100, "checkbox", initial="true"),
        FormField("d", "D", "multiselect", options=(("1", "een"), ("2", "twee")), initial="1,2"),
        FormField("e", "E", "datetime", initial="2026-01-05T09:00:00+00:00", required=True),
        FormField("g", "G", "datetime"),
    ))
    yield "60 fields", Form("many", "Veel", tuple(FormField(f"f{i}", f"F{i}") for i in range(60)))


def test_rendered_messages_conform(validate: Validate) -> None:
    activities = [(name, wire(render(message))) for name, message in messages()]
    activities += [(f"{name} (execute)", wire(render(message, execute=True)))
                   for name, message in messages() if message.choices]
    assert conformance_problems(validate, activities) == []


def test_forms_conform(validate: Validate) -> None:
    activities = [(name, wire(message_activity(cards.form_card(form, intro=QUOTE))))
                  for name, form in forms()]
    assert conformance_problems(validate, activities) == []


def test_too_many_buttons_are_refused_not_sent() -> None:
    """Buttons are never cut (a vote without its options is wrong); a card that cannot fit
    with all of them is a permanent delivery failure that says why."""
    with pytest.raises(DeliveryError) as failed:
        render(OutgoingMessage("kies", _choices(2000)))
    assert failed.value.permanent and "card too large" in failed.value.reason


def test_quote_lines_become_an_emphasis_container() -> None:
    card = cards.message_card(OutgoingMessage(f"Voor\n\n{QUOTE}\nNa"))
    kinds = [b["type"] for b in card["body"]]
    assert kinds == ["TextBlock", "Container", "TextBlock"]
    quote = card["body"][1]
    assert quote["style"] == "emphasis" and quote["spacing"] == "Medium"
    assert [(b["text"], b.get("spacing")) for b in quote["items"]] == [
        ("Dit citeren we.", None), ("Tweede regel van het citaat met *nadruk*.", "None"),
        ("Nieuwe alinea.", "Medium")]
    assert not any(b["text"].startswith(">") for b in quote["items"])
    assert card["body"][2]["spacing"] == "None"


def test_escaped_quote_mark_stays_text() -> None:
    from commands.markup import escape_text

    [block] = cards.markdown_blocks(escape_text("> geen citaat"))
    assert block["type"] == "TextBlock" and block["text"] == "\\> geen citaat"


def test_big_chart_is_left_out_with_a_note_and_its_figures() -> None:
    message = OutgoingMessage("Bereik\n" + "kanaal 1 2 3\n" * 200, image=_reach_chart(200))
    assert message.image is not None
    activity = wire(render(message))
    card = activity["attachments"][0]["content"]
    assert not [b for b in _walk(card) if b.get("type") == "Image"]
    texts = [b["text"] for b in _walk(card) if b.get("type") == "TextBlock"]
    assert message.image.alt_text in texts
    assert cards.TEXT.get("nl", "chart_left_out") in texts
    assert cards.TEXT.get("en", "chart_left_out") in texts
    assert not any("ingekort" in t for t in texts)  # the text itself fitted
    assert cards.json_bytes(activity) <= MAX_ACTIVITY_BYTES


def test_small_chart_stays_inline() -> None:
    message = OutgoingMessage("Bereik", image=_reach_chart(3))
    card = wire(render(message))["attachments"][0]["content"]
    [image] = [b for b in card["body"] if b.get("type") == "Image"]
    assert image["url"].startswith("data:image/png;base64,")


def test_huge_text_is_shortened_with_a_marker_and_keeps_buttons() -> None:
    message = OutgoingMessage("regel met tekst\n" * 5000, _choices(8), title="Titel")
    activity = wire(render(message))
    card = activity["attachments"][0]["content"]
    texts = [b["text"] for b in _walk(card) if b.get("type") == "TextBlock"]
    assert texts[0] == "Titel" and cards.TEXT.get("nl", "shortened") in texts
    assert "(ingekort" in cards.TEXT.get("nl", "shortened")
    buttons = [a["title"] for b in card["body"] if b["type"] == "ActionSet" for a in b["actions"]]
    assert buttons == [c.label for c in message.choices]
    assert MAX_ACTIVITY_BYTES - 2000 < cards.json_bytes(activity) <= MAX_ACTIVITY_BYTES


def test_one_long_line_is_cut_not_dropped() -> None:
    activity = wire(render(OutgoingMessage("y" * 90_000)))
    texts = [b["text"] for b in _walk(activity) if b.get("type") == "TextBlock"]
    assert texts[0].startswith("yyyy") and texts[0].endswith("…") and len(texts[0]) > 20_000


def test_fitting_leaves_the_callers_card_alone() -> None:
    card = cards.message_card(OutgoingMessage("z" * 40_000))
    before = json.dumps(card)
    message_activity(card)
    assert json.dumps(card) == before


# -- the real features, through the adapter and the fake Bot Connector ------------------------

TARGET = f"teams:{CHANNEL}"
PEOPLE = [Member(f"29:c{i}", f"aad-c{i}", f"Collega {i}") for i in range(1, 6)]
CHANNELS = [f"19:kanaal{i:02d}@thread.tacv2" for i in range(12)]


@pytest.fixture
def harness_sections() -> dict[str, Any]:
    from tests.pulse.conftest import PULSE_KEY

    zorg = {"members": [p.key for p in PEOPLE], "managers": [MILA.key]}
    return {"roles": {"admin": [ANNA.key], "comms": [ANNA.key, BRAM.key], "triage": [TESS.key],
                      "managers": {}},
            "announcements": {"workspaces": {"teams": TENANT}, "require_approval": True,
                              "approval_channel": TARGET},
            "pulse": {"key": PULSE_KEY, "teams": {"zorg": zorg}}}


async def _install_channels(teams: TeamsHarness) -> None:
    await teams.post(teams.activities.installed_in_team(members=[BRAM, TESS, *PEOPLE]))
    for channel in CHANNELS:
        activity = teams.activities.installed_in_team(members=[BRAM])
        activity["conversation"]["id"] = channel
        await teams.post(activity)
    await teams.settle()


def card_of(call: Call) -> Json:
    assert call.card is not None, call.text
    return call.card


def _button(call: Call, label: str) -> Json:
    assert call.card is not None, call.text
    actions = [a for node in _walk(call.card) if isinstance(node.get("actions"), list)
               for a in node["actions"]]
    return next(a for a in actions if a["title"] == label)


async def _say(teams: TeamsHarness, text: str, sender: Member = ANNA) -> list[Call]:
    teams.connector.clear()
    await teams.post(teams.activities.personal(text, sender=sender))
    calls = await teams.connector.wait_for(lambda c: len(c) >= 1)
    await teams.settle_outbox()
    return [*calls, *[c for c in teams.connector.sent() if c not in calls]]


async def _press(teams: TeamsHarness, call: Call, label: str, sender: Member = ANNA, *,
                 personal: bool = True) -> list[Call]:
    teams.connector.clear()
    press = teams.activities.submit(_button(call, label)["data"], card_id=call.result_id,
                                    sender=sender, personal=personal)
    if personal:
        press["conversation"]["id"] = call.conversation_id
    await teams.post(press)
    await teams.connector.wait_for(lambda c: len(c) >= 1)
    await teams.settle_outbox()
    return teams.connector.sent()


async def test_announcement_cards_conform(teams: TeamsHarness, validate: Validate) -> None:
    """Preview, approval request, the post with its button, the thanks, the reach report
    with its chart over a dozen channels, and the compose form, with a worst-case body."""
    await _install_channels(teams)
    seen: list[Call] = []
    body = ("Vanaf **maandag** geldt het nieuwe rooster. " * 60 + "\n\n" + QUOTE + "\n\n"
            + "- punt\n" * 40)[:7900]
    targets = ",".join(f"teams:{c}" for c in [CHANNEL, *CHANNELS])
    preview = (await _say(teams, f'announce new --title "{"Nieuw rooster " * 10}" '
                                 f'--body "{body}" --to {targets} --ack'))
    seen += preview
    card = next(c for c in preview if "Voorbeeld" in c.text)
    sent = await _press(teams, card, _button(card, card_of(card)["actions"][0]["title"])["title"])
    seen += sent
    request = next(c for c in sent if c.conversation_id == CHANNEL and c.card
                   and any("oedkeur" in a["title"] for a in c.card.get("actions", [])))
    approved = await _press(teams, request, card_of(request)["actions"][0]["title"], BRAM,
                            personal=False)
    seen += approved
    await teams.advance(timedelta(minutes=3))
    seen += teams.connector.sent()
    post = next(c for c in teams.connector.sent() if c.conversation_id == CHANNEL and c.card
                and "Nieuw rooster" in c.text)
    seen += await _press(teams, post, "Gelezen", BRAM, personal=False)
    stats = await _say(teams, "announce stats 1")
    assert any(b.get("type") == "Image" or "grafiek" in str(b.get("text", "")).lower()
               for c in stats if c.card for b in _walk(c.card)), [c.text for c in stats]
    seen += stats
    seen += await _say(teams, "announce form")
    problems = conformance_problems(validate, posted(seen))
    assert problems == []
    print("announcement activity bytes, largest:", max(sizes(posted(seen))))


async def test_pulse_and_summary_cards_conform(teams: TeamsHarness, validate: Validate) -> None:
    """Invitation, the answer form with the most options (eNPS, a long multi), the thanks,
    the results and the manager's summary with its trend chart."""
    await _install_channels(teams)
    await teams.post(teams.activities.installed_in_team(members=[MILA]))
    options = " | ".join(f"Keuze {i} met een wat langere omschrijving" for i in range(10))
    seen = await _say(teams, 'pulse create --confirm "Week pulse" --team zorg --duration 2d '
                             '--reminder off --q1 "likert: Ik kan mijn werk goed doen" '
                             '--q2 "enps: Zou je ons aanraden?" '
                             f'--q3 "multi: Wat helpt? | {options}" '
                             '--q4 "text: Wat wil je nog kwijt?"')
    assert "Week pulse" in seen[0].text, seen[0].text
    # No clear() here: the app's own timer may open the round (and send the invitations)
    # while the command's reply is still settling, so the DM of the first member can be
    # created before this point on a slow machine. Look through every call instead.
    await teams.advance(timedelta(minutes=5))
    invite = None
    for _ in range(20):  # bounded: on a loaded machine a send may time out and be retried
        invites = [c for c in teams.connector.activities() if c.card and c.card.get("actions")]
        dm_of = {call.body["members"][0]["id"]: call.result_id
                 for call in teams.connector.sent() if call.path == "/v3/conversations"}
        invite = next((c for c in invites if c.conversation_id == dm_of.get(PEOPLE[0].id)),
                      None)
        if invite is not None:
            break
        await teams.advance(timedelta(minutes=1))
    assert invite is not None, "no invitation reached the first member"
    seen += teams.connector.sent()
    calls = await _press(teams, invite, card_of(invite)["actions"][0]["title"], PEOPLE[0])
    seen += calls
    form = next(c for c in calls if c.card and any(
        str(b.get("type", "")).startswith("Input.") for b in card_of(c)["body"]))
    base = dict(card_of(form)["actions"][0]["data"])
    for number, member in enumerate(PEOPLE):
        data = base | {"f_q0": str(1 + number % 5), "f_q1": str(number + 5), "f_q2": "0,1",
                       "f_q3": "Meer rust " * 50}
        submission = teams.activities.submit(data, card_id=form.result_id, sender=member,
                                             personal=True)
        submission["conversation"]["id"] = dm_of[member.id]
        await teams.post(submission)
    await teams.settle()
    seen += teams.connector.sent()
    teams.connector.clear()
    await teams.advance(timedelta(days=2, hours=1))
    seen += teams.connector.sent()
    summary = await _say(teams, "summary zorg", MILA)
    assert any("zorg" in c.text for c in summary)
    # The trend chart (a 49 KB PNG from matplotlib) goes inline as a palette PNG.
    assert any(b.get("type") == "Image" for c in summary if c.card for b in _walk(c.card))
    seen += summary
    seen += await _say(teams, "pulse results 1")
    assert conformance_problems(validate, posted(seen)) == []
    print("pulse activity bytes, largest:", max(sizes(posted(seen))))


async def test_signal_and_wheres_cards_conform(teams: TeamsHarness, validate: Validate) -> None:
    """The signal form, the triage inbox, a published follow-up with its quote (rendered as
    a quote, not as ``>`` characters), and a wheres answer with alternatives."""
    from dataclasses import replace

    from commands.wheres.kbfile import parse_file
    from commands.wheres.knowledge import Knowledge
    from tests.wheres.conftest import sample_text

    await _install_channels(teams)
    seen = await _say(teams, "signaal")
    form = next(c for c in seen if c.card and any(
        str(b.get("type", "")).startswith("Input.") for b in card_of(c)["body"]))
    text = "De werkdruk op de afdeling is al maanden te hoog. " * 20
    data = dict(card_of(form)["actions"][0]["data"]) | {"f_text": text, "f_relay": "true"}
    data |= {k: "" for k in ("f_category", "f_team") if any(
        b.get("id") == k for b in card_of(form)["body"])}
    teams.connector.clear()
    submission = teams.activities.submit(data, card_id=form.result_id, personal=True)
    submission["conversation"]["id"] = form.conversation_id
    await teams.post(submission)
    seen += await teams.connector.wait_for(lambda c: len(c) >= 1)
    inbox = await _say(teams, "signaal inbox", TESS)
    seen += inbox
    ref = re.search(r"\b(S-[A-Z0-9]{6})\b", "\n".join(c.text for c in inbox))
    assert ref, [c.text for c in inbox]
    published = await _say(teams, f'signaal publiceer {ref.group(1)} {CHANNEL} --citaat '
                                  f'"De werkdruk op de afdeling is al maanden te hoog." '
                                  f'We zetten vanaf volgende week een extra collega in.', TESS)
    seen += published
    post = next(c for c in published if c.conversation_id == CHANNEL and c.card)
    quotes = [b for b in card_of(post)["body"] if b.get("type") == "Container"]
    assert quotes and quotes[0]["style"] == "emphasis", post.card
    assert not any(str(b.get("text", "")).startswith(">") for b in _walk(post.card))

    knowledge = Knowledge()
    for entry in parse_file("sample-kb.yaml", sample_text()).entries:
        await knowledge.put(teams.app.context(), replace(entry))
    seen += await _say(teams, "waar vind ik mijn loonstrook")
    seen += await _say(teams, "wie wint het songfestival")  # abstains, with hints
    alternatives = await _say(teams, "waar book a company car")
    assert any(a["data"].get(cards.ACTION) == "wheres.show" for c in alternatives if c.card
               for a in card_of(c).get("actions", [])), [c.text for c in alternatives]
    seen += alternatives
    assert conformance_problems(validate, posted(seen)) == []
    print("signal/wheres activity bytes, largest:", max(sizes(posted(seen))))


def test_worst_case_sizes_are_reported() -> None:
    """Not a limit test: prints the largest activity of the worst cases (see the report)."""
    largest = max(cards.json_bytes(wire(render(m))) for _, m in messages())
    print(json.dumps({"largest_activity_bytes": largest, "limit": MAX_ACTIVITY_BYTES}))
    assert largest <= MAX_ACTIVITY_BYTES
