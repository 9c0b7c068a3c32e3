"""A past for the embedded demo, so every feature shows its result on the first try
(issue 20 #1): a pulse with three closed weekly rounds (results, a summary with a trend), a
sent announcement with read acknowledgements (reach), a verbinden programme with one round,
an unanswered question (faq gaps), the demo people in the directory (notifications) and one
anonymous signal that triage answered.

Everything is written through the features' own repositories and services, on a clock set
back in time, so the rows look as if the features made them. Nothing is sent from here: the
one delivery the real path enqueues (the announcement's post in #algemeen) goes out through
the outbox like any other. Each part checks first whether it is there already, so a restart
adds nothing.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import replace
from datetime import timedelta

from commands import timespec
from commands.announcements.compose import Plan
from commands.announcements.lifecycle import REPORT, owner, set_paused
from commands.announcements.lifecycle import confirm as confirm_announcement
from commands.announcements.lifecycle import create as create_announcement
from commands.announcements.targets import parse_target
from commands.clock import FakeClock
from commands.context import Context
from commands.model import UserRef
from commands.org import load_tree
from commands.org.tree import ROOT
from commands.pulse.jobs import FORGET
from commands.pulse.questions import dump_questions, parse_question
from commands.pulse.runtime import PulseRuntime, round_info
from commands.pulse.settings import PulseSettings
from commands.schedule import Trigger
from commands.signals import service as signals
from commands.verbinden.create import ROUND, cadence_of
from commands.verbinden.rounds import form_round
from commands.wheres.knowledge import Knowledge
from storage.announcements import AnnouncementAck, AnnouncementRepository
from storage.faq import FaqRepository
from storage.people import PeopleRepository, PersonRow
from storage.pulse import PulseSeries
from storage.signals import NewCase, RateCheck
from storage.verbinden import VerbindenParticipant, VerbindenProgramme, VerbindenRepository
from storage.votes import AnswerOp, VoteWriter

log = logging.getLogger("hartslag.demo")

TEAM = "demo"
PEOPLE = ("anna", "bram", "tess", "mila", "joost", "sara", "omar", "lisa", "noor", "daan")
ANNA, TESS = UserRef("local", "anna", "anna"), UserRef("local", "tess", "tess")
SENDER = UserRef("local", "sara", "sara")  # the demo signal's sender: only ever sealed
# The signal the command examples name (commands/signals/command.py CODE and REF): the demo's
# one case, so `signaal bekijk K7QX2-MPD4R` and `signaal dossier S-K7QX2M` show it.
SIGNAL_CODE, SIGNAL_REF = "K7QX2-MPD4R", "S-K7QX2M"

PULSE_TITLE = "Hoe gaat het?"
PULSE_QUESTIONS = ("likert: Ik kan mijn werk goed doen",
                   "likert: Ik weet wat er van mij verwacht wordt")
# Per closed round (oldest first), per question: the values of the people who answered. Five
# of six, then six of six twice, and a rising mean, so the summary has a trend to show.
PULSE_ANSWERS: tuple[tuple[tuple[str, ...], ...], ...] = (
    (("3", "2", "3", "4", "2"), ("3", "3", "2", "4", "3")),
    (("3", "4", "3", "4", "3", "3"), ("4", "3", "3", "4", "3", "4")),
    (("4", "5", "4", "4", "3", "5"), ("4", "4", "5", "4", "4", "5")),
)
ROUND_DAYS = 3  # each round is open three days, opening on the same weekday every week


def at(ctx: Context, ago: timedelta) -> Context:
    """``ctx`` on a clock ``ago`` in the past: what the features store gets that time."""
    past = FakeClock(ctx.clock.now() - ago)
    return Context(replace(ctx.services, clock=past), locale=ctx.locale, user=ctx.user)


async def seed_history(ctx: Context) -> dict[str, int]:
    """Write the demo's past where it is missing; returns what each part added."""
    return {
        "people": await _people(ctx),
        "pulse": await _pulse(ctx),
        "announcement": await _announcement(ctx),
        "announcements_open": await _open_announcements(ctx),
        "verbinden": await _verbinden(ctx),
        "faq_gap": await _faq_gap(ctx),
        "signal": await _signal(ctx),
    }


# -- the people directory (notifications look people up there) -------------------------
async def _people(ctx: Context) -> int:
    repo = ctx.store.repo(PeopleRepository)
    rows = [PersonRow(employee_id=f"demo-{name}", email=f"{name}@demo.hartslag.invalid",
                      name=name.capitalize(), ids={"local": name})
            for name in PEOPLE if await repo.by_platform_id("local", name) is None]
    if rows:
        await repo.upsert(rows)
    return len(rows)


# -- pulse #1: three closed weekly rounds -------------------------------------------------
async def _pulse(ctx: Context) -> int:
    runtime = ctx.state(PulseRuntime)
    if any(s.team == TEAM for s in await runtime.repo.all_series()):
        return 0
    settings = ctx.settings.get(PulseSettings)
    weeks = len(PULSE_ANSWERS)
    made = at(ctx, timedelta(weeks=weeks, days=1))
    trigger = timespec.parse("elke maandag 9:00", now=made.clock.now(), locale="nl")
    series = await runtime.repo.add_series(PulseSeries(
        title=PULSE_TITLE, team=TEAM, anonymous=True,
        questions=dump_questions([parse_question(q) for q in PULSE_QUESTIONS]),
        trigger=json.dumps(timespec.to_json(trigger)), duration_minutes=ROUND_DAYS * 24 * 60,
        created_by="local:mila", created_at=made.clock.now(), locale="nl",
        # The demo's past ran its course: stopped, so no new round opens on its own.
        state="stopped", active=False, decided_by=None))
    assert series.id is not None
    tree = await load_tree(ctx)
    people = sorted(tree.members(TEAM))
    invited = json.dumps(dict(Counter(tree.team_of(m, within=TEAM) or ROOT for m in people)),
                         sort_keys=True)
    for week, answers in enumerate(PULSE_ANSWERS):
        opened = at(ctx, timedelta(weeks=weeks - week)).clock.now()
        closes = opened + timedelta(days=ROUND_DAYS)
        row = await runtime.repo.open_round(series.id, at=opened, closes_at=closes,
                                            invited=invited, ledger=False)
        assert row.id is not None
        info = round_info(series, row)
        ops = []
        for q, values in enumerate(answers):
            for key, value in zip(people, values, strict=False):
                voter = await runtime.voter(settings, info, key)  # the HMAC, never the person
                ops.append(AnswerOp(row.id, voter, q, value, tree.team_of(key, within=TEAM)))
        await ctx.store.repo(VoteWriter).submit(ops)
        await runtime.repo.close_round(row.id, at=closes)
        runtime.forget_cached(row.id)
        # As a closed round does: its key is destroyed ``key_days`` after the close.
        await ctx.scheduler.add(FORGET, Trigger("once", at=closes + timedelta(
            days=settings.key_days)), {"round": row.id}, owner=f"pulse:{series.id}")
    return 1


def _algemeen(ctx: Context) -> str:
    """#algemeen as the features store a channel (``local:///%23algemeen``)."""
    return str(parse_target(ctx, "local:#algemeen"))


# -- announcement #1: sent to #algemeen, read by some ------------------------------------
async def _announcement(ctx: Context) -> int:
    repo = ctx.store.repo(AnnouncementRepository)
    if await repo.get(1) is not None:
        return 0
    past = at(ctx, timedelta(days=2))
    plan = Plan(title="Nieuw rooster",
                body="Vanaf maandag werken we met het nieuwe rooster. Het staat op het "
                     "personeelsportaal.",
                targets=(_algemeen(ctx),), audiences=(), template=None, variables={},
                trigger=None, ack=True, ack_due=None, embargo=None, allow_mentions=False,
                needs_approval=False)
    ann = await create_announcement(past, plan, ANNA)
    await confirm_announcement(past, ann)  # posts it: one copy to #algemeen via the outbox
    assert ann.id is not None
    # Its reach report went to anna back then: planned on the past clock, the job would only
    # be a missed slot now (a warning on the terminal), so it is marked done instead.
    for planned in await ctx.scheduler.list(kind_prefix=REPORT, owner=owner(ann.id)):
        await ctx.scheduler.cancel(planned.id)
        await repo.mark_reported(str(planned.payload["batch"]))
    readers = ("anna", "bram", "mila", "joost", "sara", "omar")
    for hours, name in enumerate(readers, start=1):
        await repo.acknowledge(AnnouncementAck(
            announcement_id=ann.id, user_key=f"local:{name}", user_name=name,
            target=_algemeen(ctx), at=past.clock.now() + timedelta(hours=hours)))
    return 1


# -- announcements #2-#4: one in each state that has a way forward ------------------------
WEEKLY = ("Weekstart", "Elke maandag om 9:00 de agenda van de week in #algemeen.")
PAUSED = ("Zomerrooster", "In juli en augustus gaat de kantine om 14:00 dicht.")
PENDING = ("Verhuizing", "In maart verhuizen we naar het nieuwe stadskantoor.")


async def _open_announcements(ctx: Context) -> int:
    """#2 scheduled every Monday (pause, edit, cancel), #3 paused (resume) and #4 waiting for
    a second pair of eyes (approve, reject): what the command examples act on."""
    repo = ctx.store.repo(AnnouncementRepository)
    if await repo.get(2) is not None:
        return 0
    past = at(ctx, timedelta(days=1))
    weekly = timespec.parse("elke maandag 9:00", now=ctx.clock.now(), locale="nl")
    made = []
    for (title, body), trigger, approval in ((WEEKLY, weekly, False), (PAUSED, weekly, False),
                                             (PENDING, None, True)):
        ann = await create_announcement(past, Plan(
            title=title, body=body, targets=(_algemeen(ctx),), audiences=(), template=None,
            variables={}, trigger=trigger, ack=False, ack_due=None, embargo=None,
            allow_mentions=False, needs_approval=approval), ANNA)
        await confirm_announcement(past, ann)  # scheduled, or an approval request to bram
        made.append(ann)
    paused = await repo.get(made[1].id or 0)
    assert paused is not None
    await set_paused(past, paused, True)
    return len(made)


# -- verbinden #1: a programme people can join, one past round ---------------------------
async def _verbinden(ctx: Context) -> int:
    repo = ctx.store.repo(VerbindenRepository)
    if await repo.programmes():
        return 0
    past = at(ctx, timedelta(days=15))
    programme = await repo.create(VerbindenProgramme(
        name="Koffie met een collega", rule="any", size=2, channel=_algemeen(ctx),
        created_by="local:anna", created_at=past.clock.now()))
    assert programme.id is not None
    trigger = cadence_of(past, "om de 2 weken dinsdag 10:00")
    schedule = await ctx.scheduler.add(ROUND, trigger, {"programme": programme.id},
                                       owner="local:anna", notify="local:anna")
    await repo.set_schedule(programme.id, schedule)
    for name in ("joost", "sara", "omar", "lisa", "noor", "daan"):
        await repo.join(VerbindenParticipant(programme_id=programme.id,
                                             user_key=f"local:{name}",
                                             joined_at=past.clock.now()))
    # The first round, formed a week ago; its introductions went out then (not replayed).
    await form_round(at(ctx, timedelta(days=7)), programme)
    return 1


# -- one question nobody could answer (faq gaps) ------------------------------------------
GAP_QUESTION = "hoe vraag ik een parkeervergunning aan"


async def _faq_gap(ctx: Context) -> int:
    if await ctx.store.repo(FaqRepository).question(1) is not None:
        return 0
    # Asked yesterday, through the path every question takes (stored without who asked).
    knowledge = Knowledge()
    await knowledge.ask(at(ctx, timedelta(days=1)), GAP_QUESTION)
    await knowledge.built()  # a restart's seed then finds every vector stored
    return 1


# -- one anonymous signal, answered by triage --------------------------------------------
async def _signal(ctx: Context) -> int:
    store = signals.repo(ctx)
    if await store.ref_exists(SIGNAL_REF):
        return 0
    past = at(ctx, timedelta(days=3))
    conf = signals.settings(past)
    sealer = await signals.keys(past)
    day = signals.today(past)
    this_period = signals.period(day, conf)
    # What store_signal stores, with the code and case number the examples show: the code
    # as a keyed hash, the day (no time), and the way back sealed for the case (so triage can
    # answer and block). Who sent it is in no column: only inside the sealed relay, and as a
    # keyed hash in this week's rate counter, exactly as for a real signal.
    case = NewCase(ref=SIGNAL_REF, code_hash=sealer.keyed("code", SIGNAL_CODE),
                   category=conf.categories[0], team="",
                   text="De werkdruk in ons team is al weken te hoog; er gaan mensen "
                        "uitvallen als dit zo doorgaat.", day=day,
                   sealed=sealer.seal(signals._pack(SENDER, SIGNAL_CODE), case=SIGNAL_REF))
    check = RateCheck(period=this_period, sender_hash=sealer.keyed(
        f"rate:{this_period}", SENDER.key), limit=conf.rate_limit,
        block_hashes=sealer.keyed_all("block", SENDER.key), today=day)
    await store.create(case, check)
    await store.add_entry(SIGNAL_REF, "reply", "Dank voor je signaal. We bespreken de "
                          "werkdruk deze week in het MT en komen erop terug.",
                          author=TESS.key, day=signals.today(at(ctx, timedelta(days=2))),
                          status="answered", sender_replied=False)
    return 1
