"""Answering a pulse: the "Answer" button, one private message per question (numbered choices
in the local chat and Matrix DMs, buttons elsewhere), a form where the platform has forms,
and free text typed in a DM.

Nothing here logs, and nothing stores, who answered: the vote writer gets the HMAC voter key
and the team tag, never the person.
"""

from __future__ import annotations

import json

from commands.context import Context
from commands.errors import UserError
from commands.model import (
    Choice,
    CommandRequest,
    Form,
    FormField,
    FormSubmission,
    InboundMessage,
    Interaction,
    OutgoingMessage,
    Reply,
    UserRef,
)
from commands.org import load_tree
from commands.pulse.questions import MAX_TEXT_ANSWER, Question
from commands.pulse.runtime import PulseRuntime, RoundInfo
from commands.pulse.settings import PulseSettings
from commands.pulse.text import PULSE
from storage.votes import AnswerOp, CommentOp, LedgerOp, Op, RoundClosed, VoteWriter

START = "pulse.start"
VOTE = "pulse.vote"
WRITE = "pulse.write"
FORM = "pulse.answer"
CANCEL_WORDS = ("stop", "annuleer", "cancel", "annuleren")


async def warm(ctx: Context) -> None:
    """Before a process serves requests: what the first votes after a (re)start would
    otherwise wait for together. The organisation tree (read and built: about 0.15 s for
    50,000 people on a quiet machine, seconds on a busy one, and every vote of a team pulse
    needs it) and the open rounds with their keys. Measured at 50,000 people and 300 votes/s:
    the slowest ack of the first 250 ms 260-320 ms without it, 13-26 ms with it."""
    await load_tree(ctx)
    await ctx.state(PulseRuntime).warm(ctx.settings.get(PulseSettings))


def invite_choices(ctx: Context, round_id: int) -> tuple[Choice, ...]:
    return (Choice(START, str(round_id), ctx.text(PULSE, "answer.start"), style="primary"),)


async def open_round(ctx: Context, round_id: int) -> RoundInfo:
    """The round if it can be answered now, else a UserError that says why."""
    info = await ctx.state(PulseRuntime).round(round_id)
    if info is None:
        raise UserError(ctx.text(PULSE, "answer.gone"))
    if not info.is_open(ctx.clock.now()):
        raise UserError(ctx.text(PULSE, "answer.closed", title=info.title))
    return info


def question_message(ctx: Context, info: RoundInfo, index: int, *, mask: int = 0) -> OutgoingMessage:
    """Question ``index`` with its choices; ``mask`` marks the options picked (multi)."""
    q = info.questions[index]
    head = ctx.text(PULSE, "answer.question", n=index + 1, total=len(info.questions), text=q.text)
    rid = info.round_id
    choices: tuple[Choice, ...]
    if q.kind == "text":
        choices = (Choice(WRITE, f"{rid}|{index}", ctx.text(PULSE, "answer.write"), "primary"),
                   Choice(VOTE, f"{rid}|{index}|skip", ctx.text(PULSE, "answer.skip")))
        return OutgoingMessage(head + "\n" + ctx.text(PULSE, "answer.text_hint"), choices)
    if q.kind == "multi":
        choices = tuple(
            Choice(VOTE, f"{rid}|{index}|m{mask ^ (1 << i)}",
                   ("✓ " if mask & (1 << i) else "") + label)
            for i, (_, label) in enumerate(q.choices(ctx.locale)))
        done = Choice(VOTE, f"{rid}|{index}|d{mask}", ctx.text(PULSE, "answer.done"), "primary")
        return OutgoingMessage(head + "\n" + ctx.text(PULSE, "answer.multi_hint"),
                               (*choices, done))
    hint = ""
    if q.kind == "enps":
        hint = "\n" + ctx.text(PULSE, "answer.enps_hint")
    choices = tuple(Choice(VOTE, f"{rid}|{index}|{value}", label)
                    for value, label in q.choices(ctx.locale))
    return OutgoingMessage(head + hint, choices)


def _after(ctx: Context, info: RoundInfo, index: int) -> Reply:
    """The next question, or thanks after the last one."""
    if index + 1 < len(info.questions):
        return Reply(question_message(ctx, info, index + 1))
    key = "answer.thanks_anonymous" if info.anonymous else "answer.thanks_named"
    return Reply.text(ctx.text(PULSE, key, title=info.title))


def answer_form(ctx: Context, info: RoundInfo) -> Form:
    fields = []
    for i, q in enumerate(info.questions):
        if q.kind == "text":
            fields.append(FormField(f"q{i}", q.text, "multiline", max_length=MAX_TEXT_ANSWER))
        else:
            fields.append(FormField(f"q{i}", q.text,
                                    "multiselect" if q.kind == "multi" else "select",
                                    options=tuple(q.choices(ctx.locale))))
    return Form(FORM, info.title[:24], tuple(fields), ctx.text(PULSE, "answer.submit"),
                json.dumps({"round": info.round_id}))


async def _tag(ctx: Context, info: RoundInfo, user: UserRef) -> str:
    """The person's most specific team within the audience. A team pulse only takes answers
    from the team's members (a channel pulse from anyone in the channel)."""
    tree = await load_tree(ctx)
    team = info.team if info.team in tree.teams else None
    tag = tree.team_of(user.key, within=team)
    if team is not None and not tag:
        raise UserError(ctx.text(PULSE, "answer.not_invited", title=info.title))
    return tag


async def _submit(ctx: Context, info: RoundInfo, user: UserRef,
                  answers: dict[int, str | None], text: tuple[int, str | None] | None) -> None:
    settings = ctx.settings.get(PulseSettings)
    runtime = ctx.state(PulseRuntime)
    team = await _tag(ctx, info, user)
    ops: list[Op] = []
    if answers:
        voter = await runtime.voter(settings, info, user.key)
        ops += [AnswerOp(info.round_id, voter, q, value, team) for q, value in answers.items()]
    if text is not None:
        key = await runtime.commenter(settings, info, user.key)
        ops.append(CommentOp(info.round_id, key, text[0], text[1], team))
    if info.ledger:
        ops.append(LedgerOp(info.round_id, await runtime.participant(settings, info, user.key)))
    try:
        await ctx.store.repo(VoteWriter).submit(ops)
    except RoundClosed:
        ctx.state(PulseRuntime).forget_cached(info.round_id)
        raise UserError(ctx.text(PULSE, "answer.closed", title=info.title)) from None


async def on_start(request: Interaction, ctx: Context) -> Reply | None:
    try:
        round_id = int(request.value)
    except ValueError:
        raise UserError(ctx.text(PULSE, "answer.gone")) from None
    info = await open_round(ctx, round_id)
    await _tag(ctx, info, request.user)
    first = question_message(ctx, info, 0)
    if ctx.port.capabilities(request.address.platform).forms:
        return Reply(first, form=answer_form(ctx, info))
    intro = ctx.text(PULSE, "answer.intro_anonymous" if info.anonymous else "answer.intro_named")
    return Reply(OutgoingMessage(intro + "\n\n" + first.markdown, first.choices))


def _parse_vote(ctx: Context, value: str) -> tuple[int, int, str]:
    parts = value.split("|")
    try:
        if len(parts) == 3:
            return int(parts[0]), int(parts[1]), parts[2]
        if len(parts) == 2:
            return int(parts[0]), int(parts[1]), ""
    except ValueError:
        pass
    raise UserError(ctx.text(PULSE, "answer.gone"))


def _question(ctx: Context, info: RoundInfo, index: int) -> Question:
    if not 0 <= index < len(info.questions):
        raise UserError(ctx.text(PULSE, "answer.gone"))
    return info.questions[index]


async def on_vote(request: Interaction, ctx: Context) -> Reply | None:
    round_id, index, raw = _parse_vote(ctx, request.value)
    info = await open_round(ctx, round_id)
    q = _question(ctx, info, index)
    if raw == "skip":
        return _after(ctx, info, index)
    if q.kind == "multi" and raw[:1] in ("m", "d") and raw[1:].isdecimal():
        mask = int(raw[1:])
        if mask >= 1 << len(q.options):
            raise UserError(ctx.text(PULSE, "answer.gone"))
        picked = ",".join(str(i) for i in range(len(q.options)) if mask & (1 << i))
        await _submit(ctx, info, request.user, {index: picked or None}, None)
        if raw[0] == "m":
            return Reply(question_message(ctx, info, index, mask=mask), replace=True)
        return _after(ctx, info, index)
    value = q.normalise(raw)
    if value is None or q.kind in ("multi", "text"):
        raise UserError(ctx.text(PULSE, "answer.gone"))
    await _submit(ctx, info, request.user, {index: value}, None)
    return _after(ctx, info, index)


async def on_write(request: Interaction, ctx: Context) -> Reply | None:
    round_id, index, _ = _parse_vote(ctx, request.value)
    info = await open_round(ctx, round_id)
    if _question(ctx, info, index).kind != "text":
        raise UserError(ctx.text(PULSE, "answer.gone"))
    ctx.state(PulseRuntime).expect_text(request.user.key, round_id, index, ctx.clock.now())
    return Reply.text(ctx.text(PULSE, "answer.write_now"))


async def on_text(request: InboundMessage, ctx: Context) -> Reply | None:
    """A DM while a free-text answer is expected (a conversation: tried before commands)."""
    runtime = ctx.state(PulseRuntime)
    pending = runtime.pending_text(request.user.key, ctx.clock.now())
    if pending is None:
        return None
    round_id, index = pending
    text = request.text.strip()
    if text.lower() in CANCEL_WORDS:
        runtime.clear_text(request.user.key)
        return Reply.text(ctx.text(PULSE, "answer.text_cancelled"))
    if not text:
        raise UserError(ctx.text(PULSE, "answer.text_empty"))
    if len(text) > MAX_TEXT_ANSWER:
        raise UserError(ctx.text(PULSE, "answer.text_long", max=MAX_TEXT_ANSWER, n=len(text)))
    runtime.clear_text(request.user.key)
    info = await open_round(ctx, round_id)
    await _submit(ctx, info, request.user, {}, (index, text))
    reply = _after(ctx, info, index)
    saved = ctx.text(PULSE, "answer.text_saved")
    message = reply.message or OutgoingMessage("")
    return Reply(OutgoingMessage(saved + "\n\n" + message.markdown, message.choices))


async def on_form(request: FormSubmission, ctx: Context) -> Reply | None:
    try:
        round_id = int(json.loads(request.state or "{}")["round"])
    except (ValueError, KeyError, TypeError):
        raise UserError(ctx.text(PULSE, "answer.gone")) from None
    info = await open_round(ctx, round_id)
    answers: dict[int, str | None] = {}
    text: tuple[int, str | None] | None = None
    for i, q in enumerate(info.questions):
        raw = (request.values.get(f"q{i}") or "").strip()
        if q.kind == "text":
            if len(raw) > MAX_TEXT_ANSWER:
                raise UserError(ctx.text(PULSE, "answer.text_long", max=MAX_TEXT_ANSWER,
                                         n=len(raw)))
            text = (i, raw or None)
            continue
        if not raw:
            continue
        value = q.normalise(raw)
        if value is None:
            raise UserError(ctx.text(PULSE, "answer.bad_value", n=i + 1))
        answers[i] = value
    if not answers and (text is None or text[1] is None):
        raise UserError(ctx.text(PULSE, "answer.nothing"))
    await _submit(ctx, info, request.user, answers, text)
    key = "answer.thanks_anonymous" if info.anonymous else "answer.thanks_named"
    return Reply.text(ctx.text(PULSE, key, title=info.title))


async def answer_command(request: CommandRequest, ctx: Context, round_word: str | None) -> Reply:
    """``pulse answer <round>`` in a DM: the questions of an anonymous channel pulse on a
    platform whose room buttons would be public (Matrix)."""
    if round_word is None or not round_word.isdecimal():
        raise UserError(ctx.text(PULSE, "answer.usage"))
    interaction = Interaction(request.user, request.address, START, round_word)
    reply = await on_start(interaction, ctx)
    assert reply is not None
    return reply
