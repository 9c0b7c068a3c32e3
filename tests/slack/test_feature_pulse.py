"""Pulse polls on Slack: invitations go out as DMs (conversations.open + chat.postMessage) to
the team's members, the start button opens the questions as a modal, the submission is
counted anonymously and nothing Slack-specific is written (no user id, DM, event id)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from storage.pulse import PulseRepository
from tests.pulse.conftest import PULSE_KEY, all_rows
from tests.slack.conftest import SlackHarness, button, buttons, fill

PEOPLE = [f"U0Z{i}" for i in range(1, 6)]
CREATE = ('pulse create "Week pulse" --team zorg --duration 2d --reminder off '
          '--q1 "likert: Ik kan mijn werk goed doen" '
          '--q2 "single: Werkdruk? | te laag | goed | te hoog" '
          '--q3 "text: Wat wil je nog kwijt?"')


@pytest.fixture
def slack_sections() -> dict[str, Any]:
    teams = {"zorg": {"members": [f"slack:{p}" for p in PEOPLE], "managers": ["slack:U0MILA"]}}
    return {"roles": {"admin": ["slack:U0ANNA"], "comms": ["slack:U0ANNA"], "triage": [],
                      "managers": {}},
            "pulse": {"key": PULSE_KEY, "teams": teams}}


async def invite_and_open(slack: SlackHarness, person: str) -> tuple[Any, dict[str, Any]]:
    """The invitation DM of ``person`` and the modal its start button opens."""
    invite = next(c for c in slack.posts() if c.args["channel"] == "D" + person[1:])
    start = buttons(invite.args["blocks"])[0]
    before = len(slack.fake.called("views.open"))
    await slack.press(start, user=person, channel="D" + person[1:], trigger_id=f"t-{person}")
    opened = await slack.fake.wait_for("views.open", before + 1)
    assert opened[-1].args["trigger_id"] == f"t-{person}"
    return invite, opened[-1].args["view"]


async def create_and_invite(slack: SlackHarness) -> None:
    for person in PEOPLE:
        slack.fake.add_user(person, f"Zorg {person[-1]}")
    hook = await slack.command(CREATE)
    await slack.fake.wait_for_response()
    preview = slack.answers(hook)[0]
    assert "Week pulse" in preview["text"] and "nog niets verstuurd" in preview["text"]
    await slack.advance(timedelta(minutes=5))
    assert slack.posts() == []  # nothing goes out before the confirm
    await slack.press(button(preview["blocks"], "Bevestigen"))
    await slack.advance(timedelta(minutes=5))
    dms = {c.args["channel"] for c in slack.posts()}
    assert dms == {"D" + p[1:] for p in PEOPLE}
    assert len(slack.fake.called("conversations.open")) == len(PEOPLE)


async def test_invite_answer_by_modal_and_anonymity(slack: SlackHarness) -> None:
    await create_and_invite(slack)
    first = PEOPLE[0]
    before = await all_rows(slack.app)
    invite, view = await invite_and_open(slack, first)
    assert [b["block_id"] for b in view["blocks"]] == ["q0", "q1", "q2"]
    likert = view["blocks"][0]["element"]["options"][3]["value"]
    single = view["blocks"][1]["element"]["options"][1]["value"]
    await slack.submit(view, fill(view, q0=likert, q1=single, q2="Meer rust op de afdeling"),
                       user=first)
    thanks = [c for c in slack.posts("D" + first[1:]) if c is not invite]
    assert thanks and "anoniem" in thanks[-1].args["text"].lower(), thanks

    repo = slack.app.store.repo(PulseRepository)
    assert sorted(a.question for a in await repo.answers(1)) == [0, 1]
    assert len(await repo.comments(1)) == 1
    after = await all_rows(slack.app)
    changed = {t for t in after if after[t] != before.get(t)}
    assert changed <= {"pulse_answer", "pulse_comment"}, changed  # nothing Slack-specific
    dump = json.dumps({t: after[t] for t in ("pulse_answer", "pulse_comment")}, default=str)
    for marker in (first, "D" + first[1:], f"t-{first}", invite.args["channel"]):
        assert marker not in dump


async def test_new_without_arguments_opens_a_modal_that_makes_the_same_draft(
        slack: SlackHarness) -> None:
    await slack.command("pulse new", trigger_id="t-new")
    opened = await slack.fake.wait_for("views.open", 1)
    assert opened[-1].args["trigger_id"] == "t-new"
    view = opened[-1].args["view"]
    ids = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert ids[:4] == ["title", "team", "kind1", "q1"] and "named" in ids
    await slack.submit(view, fill(view, title="Modalpeiling", team="zorg", kind1="single",
                                  q1="Werkdruk? | te laag | goed | te hoog", duration="1d"))
    await slack.settle_outbox()
    series = await slack.app.store.repo(PulseRepository).series(1)
    assert series is not None and series.state == "draft" and series.team == "zorg"
    assert json.loads(series.questions)[0]["options"] == ["te laag", "goed", "te hoog"]
    assert (await all_rows(slack.app))["pulse_round"] == []
    assert not any(c.args["channel"].startswith("D0Z") for c in slack.posts())
    # Edit on the preview opens the same modal holding the draft's values.
    hook = await slack.command("pulse show 1")
    await slack.fake.wait_for_response()
    preview = slack.answers(hook)[0]
    await slack.press(button(preview["blocks"], "Wijzigen"), trigger_id="t-edit")
    edit = (await slack.fake.wait_for("views.open", 2))[-1].args["view"]
    title = next(b for b in edit["blocks"] if b.get("block_id") == "title")
    assert title["element"].get("initial_value") == "Modalpeiling"
    await slack.submit(edit, fill(edit, title="Nieuwe titel", team="zorg", kind1="likert",
                                  q1="Het gaat goed"))
    series = await slack.app.store.repo(PulseRepository).series(1)
    assert series is not None and series.title == "Nieuwe titel" and series.state == "draft"
    assert json.loads(series.questions)[0]["kind"] == "likert"
