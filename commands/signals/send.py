"""Sending a signal: a form where the platform has one (Slack modal, Teams card), otherwise a
DM conversation with an explicit "send anonymously? yes / no" step.

The conversation keeps its draft in memory only (``Drafts``); after "yes" the case is stored
without the sender and the draft is dropped.
"""

from __future__ import annotations

from dataclasses import replace

from commands.context import Context
from commands.errors import UserError
from commands.markup import escape_text
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
from commands.signals.drafts import Draft, Drafts
from commands.signals.sender import add_sender_reply
from commands.signals.service import (
    check_rate,
    check_text,
    is_blocked,
    keys,
    settings,
    store_signal,
)
from commands.signals.settings import SignalSettings
from commands.signals.text import SIGNALS

FORM_ID = "signals.send"
TEAM_MAX = 60
CANCEL = frozenset({"stop", "annuleer", "annuleren", "cancel", "afbreken", "quit"})
NONE = frozenset({"geen", "none", "-", "0", "nee", "no", "overslaan", "skip", "niets"})
YES = frozenset({"ja", "yes", "j", "y", "ok", "verstuur", "send", "ja graag"})
NO = frozenset({"nee", "no", "n", "niet"})
YES_NO_REPLY = frozenset({"ja zonder antwoord", "yes without reply", "zonder antwoord",
                          "without reply", "ja, zonder antwoord", "yes, without reply"})
TRUTHY = frozenset({"true", "1", "yes", "on", "ja", "checked"})


def _sent(ctx: Context, code: str, relay: bool) -> Reply:
    tail = ctx.text(SIGNALS, "sent.relay" if relay else "sent.no_relay")
    return Reply.text(ctx.text(SIGNALS, "sent", code=code) + "\n" + tail)


# -- the form ---------------------------------------------------------------------------------
def build_form(ctx: Context, conf: SignalSettings) -> Form:
    fields: list[FormField] = []
    if conf.categories:
        fields.append(FormField("category", ctx.text(SIGNALS, "form.category"), kind="select",
                                options=tuple(zip(conf.categories, _labels(ctx, conf),
                                                  strict=True))))
    if conf.teams:
        fields.append(FormField("team", ctx.text(SIGNALS, "form.team"), kind="select",
                                options=tuple((t, t) for t in conf.teams)))
    else:
        fields.append(FormField("team", ctx.text(SIGNALS, "form.team"), max_length=TEAM_MAX))
    fields.append(FormField("text", ctx.text(SIGNALS, "form.text"), kind="multiline",
                            required=True, max_length=conf.max_length,
                            hint=ctx.text(SIGNALS, "form.text_hint", max=conf.max_length)))
    fields.append(FormField("relay", ctx.text(SIGNALS, "form.relay"), kind="checkbox",
                            initial="true"))
    return Form(FORM_ID, ctx.text(SIGNALS, "form.title"), tuple(fields),
                submit_label=ctx.text(SIGNALS, "form.submit"))


def _pick(ctx: Context, value: str, names: tuple[str, ...], *, key: str,
          labels: tuple[str, ...] = ()) -> str:
    """A configured name from a number, a name (or its label) or "none"; UserError otherwise.

    The refusal never repeats what was typed: at this step people often type their whole
    signal already, and a cut-off echo of it helps nobody."""
    answer = value.strip()
    if answer.lower() in NONE or not answer:
        return ""
    if answer.isdecimal() and 1 <= int(answer) <= len(names):
        return names[int(answer) - 1]
    for name, label in zip(names, labels or names, strict=True):
        if answer.lower() in (name.lower(), label.lower()):
            return name
    if key == "form":
        raise UserError(ctx.text(SIGNALS, "bad.category_name",
                                 choices=", ".join(labels or names)))
    raise UserError(ctx.text(SIGNALS, key, count=len(names)))


def _team(ctx: Context, value: str, conf: SignalSettings) -> str:
    if conf.teams:
        return _pick(ctx, value, conf.teams, key="bad.team")
    answer = " ".join(value.split())
    if answer.lower() in NONE:
        return ""
    if len(answer) > TEAM_MAX:
        raise UserError(ctx.text(SIGNALS, "bad.team_name", max=TEAM_MAX))
    return answer


async def submitted(form: FormSubmission, ctx: Context) -> Reply:
    conf = settings(ctx)
    category = form.values.get("category", "").strip()
    if category:
        category = _pick(ctx, category, conf.categories, key="form", labels=_labels(ctx, conf))
    team = _team(ctx, form.values.get("team", ""), conf)
    text = check_text(ctx, form.values.get("text", ""), conf)
    relay = form.values.get("relay", "").strip().lower() in TRUTHY
    code, _ = await store_signal(ctx, form.user, category=category, team=team, text=text,
                                   relay=relay)
    return _sent(ctx, code, relay)


# -- the conversation ---------------------------------------------------------------------------
TOPIC = "signals.topic"  # a topic button of the DM conversation


def _numbered(names: tuple[str, ...]) -> str:
    return "\n".join(f"{i}. {name}" for i, name in enumerate(names, 1))


def _labels(ctx: Context, conf: SignalSettings) -> tuple[str, ...]:
    return tuple(conf.label(name, ctx.locale) for name in conf.categories)


def _topic_question(ctx: Context, conf: SignalSettings, platform: str) -> OutgoingMessage:
    """Buttons where the platform has them (a phone taps, it does not type numbers); the
    numbered list otherwise. Typing the number or the name works either way."""
    labels = _labels(ctx, conf)
    if not ctx.port.capabilities(platform).buttons:
        return OutgoingMessage(ctx.text(SIGNALS, "ask.category", options=_numbered(labels)))
    choices = [Choice(TOPIC, str(i), label) for i, label in enumerate(labels, 1)]
    choices.append(Choice(TOPIC, "0", ctx.text(SIGNALS, "summary.none")))
    return OutgoingMessage(ctx.text(SIGNALS, "ask.category_buttons"), choices=tuple(choices))


def _team_question(ctx: Context, conf: SignalSettings) -> str:
    how = (ctx.text(SIGNALS, "ask.team_pick", options=_numbered(conf.teams)) if conf.teams
           else ctx.text(SIGNALS, "ask.team_free"))
    return ctx.text(SIGNALS, "ask.team", how=how)


def _summary(ctx: Context, draft: Draft) -> str:
    none = ctx.text(SIGNALS, "summary.none")
    topic = settings(ctx).label(draft.category, ctx.locale) if draft.category else ""
    lines = [ctx.text(SIGNALS, "summary.category", value=escape_text(topic) or none),
             ctx.text(SIGNALS, "summary.team", value=escape_text(draft.team) or none), "",
             escape_text(draft.text)]
    return "\n".join(lines)


async def start(request: CommandRequest, ctx: Context, drafts: Drafts, *,
                conversation: bool = False) -> Reply:
    """``signal``: a form where the platform has one, else the first question in a DM.
    ``signal conversation`` asks for the DM conversation also where forms exist (a Slack DM
    message carries no trigger to open a modal with)."""
    conf = settings(ctx)
    await keys(ctx)  # refuse before anyone writes a word when the keys are missing
    if await is_blocked(ctx, request.user):
        raise UserError(ctx.text(SIGNALS, "blocked"))
    await check_rate(ctx, request.user)  # before anyone writes a word, not after
    if ctx.port.capabilities(request.address.platform).forms and not conversation:
        return Reply(OutgoingMessage(ctx.text(SIGNALS, "form.fallback")),
                     form=build_form(ctx, conf))
    now = ctx.clock.now()
    drafts.sweep(now)
    if conf.categories:
        draft = Draft("category", now)
        question = _topic_question(ctx, conf, request.address.platform)
    else:
        draft = Draft("team", now)
        question = OutgoingMessage(_team_question(ctx, conf))
    prompt = replace(question, markdown=ctx.text(SIGNALS, "intro") + "\n\n" + question.markdown)
    if request.is_direct:
        drafts.start(request.user.key, draft)
        return Reply(prompt)
    await ctx.port.send_direct(request.user, prompt)
    drafts.start(request.user.key, draft)
    return Reply.text(ctx.text(SIGNALS, "moved_to_dm"))


async def topic_pressed(interaction: Interaction, ctx: Context, drafts: Drafts) -> Reply:
    """A topic button of the conversation: the same step as typing its number."""
    found = drafts.get(interaction.user.key, ctx.clock.now())
    if found is None or found == "expired" or found.step != "category":
        return Reply.text(ctx.text(SIGNALS, "topic.stale"))
    conf = settings(ctx)
    index = int(interaction.value) if interaction.value.isdecimal() else 0
    found.category = conf.categories[index - 1] if 1 <= index <= len(conf.categories) else ""
    found.step = "team"
    return Reply.text(_team_question(ctx, conf))


def start_reply(user: UserRef, ctx: Context, drafts: Drafts, *, ref: str, code: str) -> Reply:
    """``signal reply <code>`` without text in a DM: ask for the reply, then confirm."""
    conf = settings(ctx)
    drafts.start(user.key, Draft("reply_text", ctx.clock.now(), ref=ref, code=code))
    return Reply.text(ctx.text(SIGNALS, "reply.ask", max=conf.max_length))


async def converse(message: InboundMessage, ctx: Context, drafts: Drafts) -> Reply | None:
    """The next step of an open draft; None when this person has no draft open."""
    key = message.user.key
    found = drafts.get(key, ctx.clock.now())
    if found is None:
        return None
    if found == "expired":
        return Reply.text(ctx.text(SIGNALS, "expired"))
    answer = message.text.strip()
    if answer.lower() in CANCEL:
        drafts.drop(key)
        return Reply.text(ctx.text(SIGNALS, "cancelled"))
    conf = settings(ctx)
    draft = found
    if draft.step == "category":
        draft.category = _pick(ctx, answer, conf.categories, key="bad.category",
                               labels=_labels(ctx, conf))
        draft.step = "team"
        return Reply.text(_team_question(ctx, conf))
    if draft.step == "team":
        draft.team = _team(ctx, answer, conf)
        draft.step = "text"
        return Reply.text(ctx.text(SIGNALS, "ask.text", max=conf.max_length))
    if draft.step == "text":
        draft.text = check_text(ctx, message.text, conf)
        draft.step = "confirm"
        return Reply.text(ctx.text(SIGNALS, "ask.confirm", summary=_summary(ctx, draft)))
    if draft.step == "reply_text":
        draft.text = check_text(ctx, message.text, conf)
        draft.step = "reply_confirm"
        return Reply.text(ctx.text(SIGNALS, "reply.confirm", text=escape_text(draft.text)))
    return await _confirm(message, ctx, drafts, draft, answer.lower())


async def _confirm(message: InboundMessage, ctx: Context, drafts: Drafts, draft: Draft,
                   answer: str) -> Reply:
    key = message.user.key
    if answer in NO:
        drafts.drop(key)
        return Reply.text(ctx.text(SIGNALS, "cancelled"))
    if draft.step == "reply_confirm":
        if answer not in YES:
            raise UserError(ctx.text(SIGNALS, "bad.yes_no"))
        drafts.drop(key)
        await add_sender_reply(ctx, message.user, draft.code, draft.text)
        return Reply.text(ctx.text(SIGNALS, "reply.sent"))
    relay = answer in YES
    if not relay and answer not in YES_NO_REPLY:
        raise UserError(ctx.text(SIGNALS, "bad.confirm"))
    drafts.drop(key)  # whatever happens next, the text leaves memory now
    code, _ = await store_signal(ctx, message.user, category=draft.category, team=draft.team,
                                   text=draft.text, relay=relay)
    return _sent(ctx, code, relay)
