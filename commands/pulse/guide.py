"""Guided pulse creation: a form where the platform has forms (Slack modal, Teams card), and
elsewhere (Matrix, the local chat) a DM conversation that asks one thing at a time.

Both end where the one-line command ends: ``create.build`` checks the answers and the pulse
is stored as a draft with a preview (commands/pulse/lifecycle.py); nothing is sent before
the author confirms. The conversation is held in memory only (``PulseRuntime.guides``),
expires after ``GUIDE_TTL`` of silence and can be left at any step with ``stop``.
"""

from __future__ import annotations

import json

from commands import timespec
from commands.context import Context
from commands.errors import UserError
from commands.grammar import Args
from commands.model import (
    CommandRequest,
    Form,
    FormField,
    FormSubmission,
    InboundMessage,
    OutgoingMessage,
    Reply,
)
from commands.org import load_tree
from commands.pulse.access import may_manage, series_by_id
from commands.pulse.create import build, may_create, minutes
from commands.pulse.lifecycle import preview, replace, save
from commands.pulse.questions import KIND_WORDS, LABELS, QuestionError, parse_questions
from commands.pulse.runtime import Guide, PulseRuntime
from commands.pulse.settings import PulseSettings
from commands.pulse.text import PULSE
from storage.pulse import PulseSeries

FORM_ID = "pulse.compose"
KINDS = ("likert", "enps", "single", "multi", "text")
STOP_WORDS = ("stop", "annuleer", "cancel", "annuleren")
DONE_WORDS = ("klaar", "done", "gereed", "ready")
DEFAULT_WORDS = ("-", "standaard", "default")
YES, NO = ("ja", "yes", "j", "y", "anoniem", "anonymous"), ("nee", "no", "n", "named", "namen")
MAX_FORM_TEAMS = 100  # a Slack static select holds at most 100 options


async def start(request: CommandRequest, ctx: Context) -> Reply:
    """``pulse new`` without anything after it."""
    if ctx.port.capabilities(request.address.platform).forms:
        return Reply(form=await compose_form(ctx), message=OutgoingMessage(
            ctx.text(PULSE, "guide.fallback")))
    if not request.is_direct:
        return Reply.text(ctx.text(PULSE, "guide.in_dm"))
    runtime = ctx.state(PulseRuntime)
    runtime.guides.start(request.user.key, Guide("title", ctx.clock.now()))
    return Reply.text(ctx.text(PULSE, "guide.intro") + "\n\n" + ctx.text(PULSE, "guide.title"))


# -- the form -------------------------------------------------------------------------------
async def _teams(ctx: Context) -> list[str]:
    tree = await load_tree(ctx)
    return sorted(tree.teams)


async def compose_form(ctx: Context, base: PulseSeries | None = None) -> Form:
    """Title, team, questions with their kinds, start, duration, reminder, anonymity. With
    ``base`` (the Edit button) the fields hold its current values."""
    settings = ctx.settings.get(PulseSettings)

    def field(name: str, kind: str = "text", **extra: object) -> FormField:
        return FormField(name, ctx.text(PULSE, f"field.{name.rstrip('0123456789')}"),
                         kind,  # type: ignore[arg-type]
                         hint=ctx.text(PULSE, f"hint.{name.rstrip('0123456789')}"),
                         **extra)  # type: ignore[arg-type]

    teams = await _teams(ctx)
    team = (field("team", "select", options=tuple((t, t) for t in teams),
                  initial=base.team if base else None)
            if 0 < len(teams) <= MAX_FORM_TEAMS else field("team", initial=base.team if base else None))
    kinds = tuple((k, LABELS.get(ctx.locale, f"kind.{k}")) for k in KINDS)
    questions = base_questions(base)
    fields = [field("title", required=True, max_length=200, initial=base.title if base else None),
              team]
    for i in range(1, min(settings.max_questions, 10) + 1):
        kind, text = questions[i - 1] if i <= len(questions) else (None, None)
        fields.append(FormField(f"kind{i}", ctx.text(PULSE, "field.kind", n=i), "select",
                                options=kinds, initial=kind))
        fields.append(FormField(f"q{i}", ctx.text(PULSE, "field.q", n=i), "text",
                                required=i == 1, max_length=1000, initial=text,
                                hint=ctx.text(PULSE, "hint.q") if i == 1 else None))
    fields += [field("when"), field("duration"), field("reminder"), field("named", "checkbox")]
    state = json.dumps({"edit": base.id}) if base is not None else ""
    return Form(FORM_ID, ctx.text(PULSE, "form.title"), tuple(fields),
                ctx.text(PULSE, "form.submit"), state)


def base_questions(base: PulseSeries | None) -> list[tuple[str, str]]:
    """The stored questions as (kind, "text | option | option") for a prefilled form."""
    if base is None:
        return []
    found = []
    for q in json.loads(base.questions):
        text = " | ".join([q["text"], *q.get("options", [])])
        found.append((q["kind"], text))
    return found


def _checked(value: str) -> bool:
    return value.strip().lower() in ("true", "1", "on", "yes", "ja", "named")


def form_args(values: dict[str, str]) -> tuple[Args, list[str]]:
    """The form's values as the one-line command's options and question lines."""
    args = Args()
    for name in ("title", "team", "when", "duration", "reminder"):
        if values.get(name, "").strip():
            args.options[name] = values[name].strip()
    if _checked(values.get("named", "")):
        args.flags.add("named")
    lines = []
    for i in range(1, 11):
        text = values.get(f"q{i}", "").strip()
        if not text:
            continue
        kind = values.get(f"kind{i}", "").strip() or "likert"
        head = text.partition(":")[0].strip().lower()
        lines.append(text if head in KIND_WORDS else f"{kind}: {text}")
    return args, lines


async def submitted(submission: FormSubmission, ctx: Context) -> Reply | None:
    """The form came back: the same checks as the command, then the draft's preview."""
    request = CommandRequest(submission.user, submission.address, "pulse", "",
                             is_direct=submission.address.channel.startswith("@"),
                             locale=submission.locale)
    args, lines = form_args({k: str(v) for k, v in submission.values.items()})
    try:
        edit = json.loads(submission.state or "{}").get("edit")
    except (ValueError, AttributeError):
        edit = None
    if isinstance(edit, int):

        series = await series_by_id(ctx, str(edit))
        await may_manage(ctx, series)
        draft = await build(request, ctx, args, lines, base=series)
        return Reply(await preview(ctx, await replace(ctx, series, draft)))
    draft = await build(request, ctx, args, lines)
    return Reply(await preview(ctx, await save(ctx, draft)))


# -- the step-by-step DM --------------------------------------------------------------------
async def on_text(request: InboundMessage, ctx: Context) -> Reply | None:
    """A DM while a guide is open (a conversation: tried before commands)."""
    guides = ctx.state(PulseRuntime).guides
    guide = guides.get(request.user.key, ctx.clock.now())
    if guide is None or guide == "expired":  # an expired guide: as if none was open
        return None
    text = request.text.strip()
    if text.lower() in STOP_WORDS:
        guides.drop(request.user.key)
        return Reply.text(ctx.text(PULSE, "guide.stopped"))
    if not text:
        raise UserError(ctx.text(PULSE, f"guide.{guide.step}", n=len(guide.questions) + 1))
    step = _STEPS[guide.step]
    asked = await step(request, ctx, guide, text)
    if asked is not None:
        return Reply.text(asked)
    guides.drop(request.user.key)
    return await _finish(request, ctx, guide)


async def _title(request: InboundMessage, ctx: Context, guide: Guide, text: str) -> str | None:
    if len(text) > 200:
        raise UserError(ctx.text(PULSE, "create.bad_title"))
    guide.title, guide.step = text, "team"
    teams = ", ".join(f"`{t}`" for t in (await _teams(ctx))[:30]) or "-"
    return ctx.text(PULSE, "guide.team", teams=teams)


async def _team(request: InboundMessage, ctx: Context, guide: Guide, text: str) -> str | None:
    if text not in await _teams(ctx):
        raise UserError(ctx.text(PULSE, "no_team", team=text[:100]))
    await may_create(ctx, request.user, text)
    guide.team, guide.step = text, "question"
    return ctx.text(PULSE, "guide.question", n=1)


async def _question(request: InboundMessage, ctx: Context, guide: Guide,
                    text: str) -> str | None:
    settings = ctx.settings.get(PulseSettings)
    if text.lower() in DONE_WORDS and guide.questions:
        guide.step = "when"
        return ctx.text(PULSE, "guide.when")
    try:
        parse_questions([*guide.questions, text], maximum=settings.max_questions)
    except QuestionError as exc:
        raise UserError(ctx.text(PULSE, exc.key, **exc.values) + "\n" + ctx.text(
            PULSE, "guide.question", n=len(guide.questions) + 1)) from None
    guide.questions.append(text)
    if len(guide.questions) >= settings.max_questions:
        guide.step = "when"
        return ctx.text(PULSE, "guide.when")
    return ctx.text(PULSE, "guide.more", n=len(guide.questions) + 1)


async def _when(request: InboundMessage, ctx: Context, guide: Guide, text: str) -> str | None:
    if text.lower() not in DEFAULT_WORDS:
        try:
            trigger = timespec.parse(text, now=ctx.clock.now(), locale=ctx.locale)
        except ValueError as exc:
            raise UserError(str(exc) + "\n" + ctx.text(PULSE, "guide.when")) from None
        if trigger.kind == "daily":
            raise UserError(ctx.text(PULSE, "create.no_daily"))
        guide.when = text
    guide.step = "duration"
    return ctx.text(PULSE, "guide.duration",
                    hours=ctx.settings.get(PulseSettings).duration_hours)


async def _duration(request: InboundMessage, ctx: Context, guide: Guide,
                    text: str) -> str | None:
    if text.lower() not in DEFAULT_WORDS:
        minutes(ctx, text, "--duration")
        guide.duration = text
    guide.step = "reminder"
    return ctx.text(PULSE, "guide.reminder")


async def _reminder(request: InboundMessage, ctx: Context, guide: Guide,
                    text: str) -> str | None:
    if text.lower() not in DEFAULT_WORDS:
        if text.lower() not in ("off", "uit", "0", "nee", "no"):
            minutes(ctx, text, "--reminder")
        guide.reminder = text
    guide.step = "anonymous"
    return ctx.text(PULSE, "guide.anonymous")


async def _anonymous(request: InboundMessage, ctx: Context, guide: Guide,
                     text: str) -> str | None:
    answer = text.lower()
    if answer not in YES and answer not in NO and answer not in DEFAULT_WORDS:
        raise UserError(ctx.text(PULSE, "guide.anonymous"))
    guide.named = answer in NO
    return None


_STEPS = {"title": _title, "team": _team, "question": _question, "when": _when,
          "duration": _duration, "reminder": _reminder, "anonymous": _anonymous}


async def _finish(request: InboundMessage, ctx: Context, guide: Guide) -> Reply:
    args = Args(options={"title": guide.title, "team": guide.team})
    for name, value in (("when", guide.when), ("duration", guide.duration),
                        ("reminder", guide.reminder)):
        if value:
            args.options[name] = value
    if guide.named:
        args.flags.add("named")
    command = CommandRequest(request.user, request.address, "pulse", "", is_direct=True,
                             locale=request.locale)
    try:
        draft = await build(command, ctx, args, list(guide.questions))
    except UserError as exc:
        raise UserError(exc.message + "\n" + ctx.text(PULSE, "guide.again")) from None
    return Reply(await preview(ctx, await save(ctx, draft)))
