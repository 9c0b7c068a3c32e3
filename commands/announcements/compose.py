"""From what the author wrote (command options or form fields) to a checked plan.

Everything is validated before anything is stored: targets, audiences, the template with its
variables, the send time or recurrence, the acknowledgement due date and the embargo. Every
problem raises ``UserError`` with what was wrong and how to fix it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from commands import timespec
from commands.announcements.messages import TEXT
from commands.announcements.settings import AnnouncementSettings
from commands.announcements.targets import TargetError, parse_target, split_targets
from commands.context import Context
from commands.errors import UserError
from commands.model import Address
from commands.port import enabled_platforms
from commands.schedule import Trigger
from commands.templating import TemplateError, TemplateRenderer
from storage.announcements import AudienceRepository, TemplateRepository

MAX_TITLE = 150
MAX_BODY = 8000
_VARIABLE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]{0,39}$")
RENDERER = TemplateRenderer()


@dataclass(frozen=True)
class Draft:
    """What the author asked for, as written. None means "not given" (an edit keeps it)."""

    title: str | None = None
    body: str | None = None
    targets: str | None = None
    audiences: str | None = None
    template: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)
    when: str | None = None
    ack: bool | None = None
    ack_due: str | None = None
    embargo: str | None = None
    allow_mentions: bool | None = None


@dataclass(frozen=True)
class Plan:
    """A checked announcement, ready to store."""

    title: str
    body: str
    targets: tuple[str, ...]  # str(Address)
    audiences: tuple[str, ...]
    template: str | None
    variables: Mapping[str, str]
    trigger: Trigger | None  # None: send at once
    ack: bool
    ack_due: datetime | None
    embargo: datetime | None
    allow_mentions: bool
    needs_approval: bool

    def trigger_json(self) -> dict[str, Any] | None:
        return timespec.to_json(self.trigger) if self.trigger else None


def fail(ctx: Context, key: str, **values: object) -> UserError:
    return UserError(ctx.text(TEXT, key, **values))


def settings_of(ctx: Context) -> AnnouncementSettings:
    return ctx.settings.get(AnnouncementSettings)


async def plan(ctx: Context, draft: Draft, *, base: Plan | None = None,
               platforms: Sequence[str] | None = None) -> Plan:
    """Check ``draft`` (merged over ``base`` for an edit) and return the plan.

    ``platforms``: where targets may be; None means the platforms the running port serves
    (the CLI has no port and passes the configured ones, so both refuse the same targets)."""
    settings = settings_of(ctx)
    title = _title(ctx, draft.title if draft.title is not None else (base.title if base else None))
    targets, audiences, four_eyes = await _targets(ctx, draft, base, settings, platforms)
    template = draft.template if draft.template is not None else (base.template if base else None)
    variables = dict(draft.variables) or dict(base.variables if base else {})
    allow = draft.allow_mentions if draft.allow_mentions is not None else bool(base and base.allow_mentions)
    body = await _body(ctx, draft, base, template or None, variables, allow)
    trigger = _trigger(ctx, draft, base, settings)
    first = _first_send(ctx, trigger)
    ack_due = _ack_due(ctx, draft, base, settings, first)
    ack = bool(draft.ack or ack_due or (draft.ack is None and base and base.ack))
    embargo = _embargo(ctx, draft, base, settings, trigger, first)
    return Plan(title, body, targets, audiences, template or None, variables, trigger, ack,
                ack_due, embargo, allow, settings.require_approval or four_eyes)


def _title(ctx: Context, title: str | None) -> str:
    title = (title or "").strip()
    if not title:
        raise fail(ctx, "need_title")
    if len(title) > MAX_TITLE or "\n" in title:
        raise fail(ctx, "bad_title", max=MAX_TITLE)
    return title


async def _targets(ctx: Context, draft: Draft, base: Plan | None, settings: AnnouncementSettings,
                   platforms: Sequence[str] | None,
                   ) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    if draft.targets is None and draft.audiences is None and base is not None:
        names = base.audiences
        found = await _audiences(ctx, names)
        return base.targets, names, any(a.four_eyes for a in found)
    addresses: list[Address] = []
    for text in split_targets(draft.targets or ""):
        try:
            addresses.append(parse_target(ctx, text))
        except TargetError as exc:
            raise fail(ctx, exc.reason, target=text[:80], **exc.fields) from None
    names = tuple(dict.fromkeys(split_targets(draft.audiences or "")))
    audiences = await _audiences(ctx, names)
    for audience in audiences:
        addresses += [Address.parse(t) for t in audience.targets]
    unique = tuple(dict.fromkeys(str(a) for a in addresses))
    if not unique:
        raise fail(ctx, "need_targets")
    if len(unique) > settings.max_targets:
        raise fail(ctx, "too_many_targets", max=settings.max_targets)
    enabled = enabled_platforms(ctx.port) if platforms is None else tuple(platforms)
    if enabled:
        for target in unique:
            platform = Address.parse(target).platform
            if platform not in enabled:
                raise fail(ctx, "platform_off", platform=platform, enabled=", ".join(enabled))
    return unique, names, any(a.four_eyes for a in audiences)


async def _audiences(ctx: Context, names: tuple[str, ...]) -> list[Any]:
    repo = ctx.store.repo(AudienceRepository)
    found = []
    for name in names:
        audience = await repo.get(name.lower())
        if audience is None:
            known = ", ".join(a.name for a in await repo.all()) or "-"
            raise fail(ctx, "unknown_audience", name=name[:60], known=known)
        found.append(audience)
    return found


async def _body(ctx: Context, draft: Draft, base: Plan | None, template: str | None,
                variables: Mapping[str, str], allow: bool) -> str:
    for name in variables:
        if not _VARIABLE.match(name):
            raise fail(ctx, "bad_variable", name=name[:40])
    if template and draft.body:
        raise fail(ctx, "body_or_template")
    if template:
        found = await ctx.store.repo(TemplateRepository).get(template.lower())
        if found is None:
            raise fail(ctx, "unknown_template", name=template[:60])
        return render_template(ctx, found.source, variables, allow_mentions=allow)
    body = (draft.body if draft.body is not None else (base.body if base else "")) or ""
    body = body.replace("\\n", "\n").strip()
    if not body:
        raise fail(ctx, "need_body")
    if len(body) > MAX_BODY:
        raise fail(ctx, "bad_body", max=MAX_BODY)
    return body


def render_template(ctx: Context, source: str, variables: Mapping[str, str], *,
                    allow_mentions: bool) -> str:
    """Render a stored template; a problem becomes a UserError with line and reason."""
    try:
        text = RENDERER.render(source, variables, allow_mentions=allow_mentions).strip()
    except TemplateError as exc:
        raise template_failure(ctx, exc) from None
    if not text:
        raise fail(ctx, "template_empty")
    return text


def template_failure(ctx: Context, exc: TemplateError) -> UserError:
    problem = exc.problem
    where = ctx.text(TEXT, "template_line", line=problem.line) if problem.line else ""
    key = f"template_{problem.kind}"
    if problem.kind == "syntax" and problem.syntax:
        key += f"_{problem.syntax}"
    # Jinja's English wording never reaches the reader; the variable name, token or limit does.
    detail = problem.reason if problem.kind == "undefined" else problem.subject
    reason = ctx.text(TEXT, key, detail=detail[:80].replace("`", "'"))
    return fail(ctx, "template_failed", where=where, reason=reason)


def _parse_when(ctx: Context, text: str, settings: AnnouncementSettings, *,
                now: datetime | None = None) -> Trigger:
    try:
        return timespec.parse(text, now=now or ctx.clock.now(), timezone=settings.timezone,
                              locale=ctx.locale)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def _trigger(ctx: Context, draft: Draft, base: Plan | None,
             settings: AnnouncementSettings) -> Trigger | None:
    if draft.when is None:
        return base.trigger if base else None
    if draft.when.strip().lower() in ("", "nu", "now"):
        return None
    return _parse_when(ctx, draft.when, settings)


def _first_send(ctx: Context, trigger: Trigger | None) -> datetime:
    now = ctx.clock.now()
    if trigger is None:
        return now
    first = timespec.first_fire_time(trigger, now)
    if first is None:
        raise fail(ctx, "never_fires")
    return max(first, now)


def _moment(ctx: Context, text: str, settings: AnnouncementSettings, what: str, *,
            now: datetime | None = None) -> datetime:
    trigger = _parse_when(ctx, text, settings, now=now)
    if trigger.kind != "once" or trigger.at is None:
        raise fail(ctx, "need_moment", what=ctx.text(TEXT, what))
    return trigger.at


def _edited_moment(ctx: Context, text: str | None, inherited: datetime | None,
                   settings: AnnouncementSettings, what: str) -> datetime | None:
    """A moment option of a new or edited plan: not given (None) keeps the base plan's,
    given blank clears it, otherwise it is parsed."""
    if text is None:
        return inherited
    if not text.strip():
        return None
    return _moment(ctx, text, settings, what)


def _ack_due(ctx: Context, draft: Draft, base: Plan | None, settings: AnnouncementSettings,
             first: datetime) -> datetime | None:
    due = _edited_moment(ctx, draft.ack_due, base.ack_due if base else None, settings,
                         "what_ack")
    if draft.ack_due is not None and due is not None and due <= first:
        # "--at 'elke maandag 9:00' --ack 'vrijdag 17:00'" on a Thursday means the Friday
        # after the first send, not tomorrow: read relative words from the first send.
        # Not a moment after the first send either: refused below, as before it.
        with contextlib.suppress(UserError):
            due = max(due, _moment(ctx, draft.ack_due, settings, "what_ack", now=first))
    if due is not None and due <= first:
        raise fail(ctx, "ack_before_send", due=local_time(ctx, due), send=local_time(ctx, first))
    return due


def _embargo(ctx: Context, draft: Draft, base: Plan | None, settings: AnnouncementSettings,
             trigger: Trigger | None, first: datetime) -> datetime | None:
    embargo = _edited_moment(ctx, draft.embargo, base.embargo if base else None, settings,
                             "what_embargo")
    if embargo is None:
        return None
    if trigger is not None and trigger.kind != "once":
        raise fail(ctx, "embargo_recurring")
    check_embargo(ctx, embargo, first)
    return embargo


def check_embargo(ctx: Context, embargo: datetime, send_at: datetime) -> None:
    """Refuse a send time later than the embargo minus the lead, with the reason."""
    lead = timedelta(minutes=settings_of(ctx).embargo_lead_minutes)
    latest = embargo - lead
    if send_at > latest:
        raise fail(ctx, "embargo_late", embargo=local_time(ctx, embargo),
                   latest=local_time(ctx, latest), send=local_time(ctx, send_at),
                   lead=int(lead.total_seconds() // 60))


def local_time(ctx: Context, when: datetime) -> str:
    """``23-11-2026 09:00`` in the announcements' time zone."""
    zone = timespec.zone(settings_of(ctx).timezone)
    return when.astimezone(zone).strftime("%d-%m-%Y %H:%M")


def describe_when(ctx: Context, trigger: Trigger | None) -> str:
    if trigger is None:
        return ctx.text(TEXT, "when_now")
    return timespec.describe(trigger, ctx.locale)


