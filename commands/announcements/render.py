"""What an announcement looks like: the delivered copy, the preview, the summary lines."""

from __future__ import annotations

from commands import timespec
from commands.announcements.compose import Plan, describe_when, local_time, settings_of
from commands.announcements.messages import TEXT
from commands.announcements.targets import show_target
from commands.context import Context
from commands.i18n import DEFAULT_LOCALE
from commands.markup import neutralise_mentions
from commands.model import Choice, OutgoingMessage
from storage.announcements import Announcement

ACK = "announcements.ack"
CONFIRM = "announcements.confirm"
DISCARD = "announcements.discard"
APPROVE = "announcements.approve"
REJECT = "announcements.reject"


def plan_of(ann: Announcement) -> Plan:
    """The stored announcement as a plan (the base of an edit)."""
    return Plan(
        title=ann.title, body=ann.body, targets=tuple(ann.targets), audiences=tuple(ann.audiences),
        template=ann.template, variables=dict(ann.variables),
        trigger=timespec.from_json(ann.trigger) if ann.trigger else None, ack=ann.ack,
        ack_due=ann.ack_due, embargo=ann.embargo, allow_mentions=ann.allow_mentions,
        needs_approval=ann.needs_approval,
    )


def quoted_title(ann: Announcement) -> str:
    """The title inside hartslag's own messages (lists, reminders, reports): never a mention."""
    return neutralise_mentions(ann.title)


def ack_choice(ann: Announcement, locale: str) -> Choice:
    return Choice(ACK, str(ann.id), TEXT.get(locale, "ack_button"), style="primary")


def delivered(ctx: Context, ann: Announcement, locale: str = DEFAULT_LOCALE) -> OutgoingMessage:
    """The copy that goes to a channel (in that channel's language)."""
    title = ann.title if ann.allow_mentions else neutralise_mentions(ann.title)
    body = ann.body if ann.allow_mentions else neutralise_mentions(ann.body)
    if ann.ack and ann.ack_due is not None:
        body += "\n\n" + TEXT.get(locale, "ack_due_line", due=local_time(ctx, ann.ack_due))
    elif ann.ack:
        body += "\n\n" + TEXT.get(locale, "ack_line")
    choices = (ack_choice(ann, locale),) if ann.ack else ()
    return OutgoingMessage(body, choices=choices, title=title,
                           metadata={"hartslag_announcement": str(ann.id)})


def summary(ctx: Context, ann: Announcement) -> list[str]:
    """Where, when, acknowledgement, embargo and approval, one line each."""
    settings = settings_of(ctx)
    targets = ", ".join(f"`{show_target(ctx, t)}`" for t in ann.targets)
    lines = [ctx.text(TEXT, "sum_targets", targets=targets)]
    if ann.audiences:
        lines.append(ctx.text(TEXT, "sum_audiences", names=", ".join(ann.audiences)))
    trigger = timespec.from_json(ann.trigger) if ann.trigger else None
    lines.append(ctx.text(TEXT, "sum_when", when=describe_when(ctx, trigger)))
    if ann.ack_due is not None:
        lines.append(ctx.text(TEXT, "sum_ack_due", due=local_time(ctx, ann.ack_due)))
    elif ann.ack:
        lines.append(ctx.text(TEXT, "sum_ack"))
    if ann.embargo is not None:
        lines.append(ctx.text(TEXT, "sum_embargo", embargo=local_time(ctx, ann.embargo),
                              lead=settings.embargo_lead_minutes))
    if ann.template:
        lines.append(ctx.text(TEXT, "sum_template", name=ann.template))
    if ann.allow_mentions:
        lines.append(ctx.text(TEXT, "sum_mentions"))
    if ann.needs_approval:
        lines.append(ctx.text(TEXT, "sum_approval"))
    return lines


def framed(ctx: Context, ann: Announcement, head: str) -> str:
    """``head``, the announcement as it will look, and the summary."""
    return "\n".join([head, "", quoted(ctx, ann, ctx.locale), "", *summary(ctx, ann)])


def quoted(ctx: Context, ann: Announcement, locale: str) -> str:
    """The announcement as a quote: title and text as its readers got them."""
    copy = delivered(ctx, ann, locale)
    return "\n".join(f"> {line}" if line else ">" for line in
                     [f"**{copy.title}**", *copy.markdown.splitlines()])


def preview(ctx: Context, ann: Announcement) -> OutgoingMessage:
    """The private preview for the author, with confirm and discard."""
    key = "confirm_approval" if ann.needs_approval else (
        "confirm_schedule" if ann.trigger else "confirm_send")
    text = framed(ctx, ann, ctx.text(TEXT, "preview_head", id=ann.id))
    choices = (Choice(CONFIRM, str(ann.id), ctx.text(TEXT, key), style="primary"),
               Choice(DISCARD, str(ann.id), ctx.text(TEXT, "discard_button"), style="danger"))
    return OutgoingMessage(text + "\n\n" + ctx.text(TEXT, "preview_foot", id=ann.id),
                           choices=choices)


def approval_request(ctx: Context, ann: Announcement) -> OutgoingMessage:
    """What an approver sees (``ctx`` carries the approver's language)."""
    head = ctx.text(TEXT, "approval_head", id=ann.id, author=ann.author_name or ann.author_key)
    choices = (Choice(APPROVE, str(ann.id), ctx.text(TEXT, "approve_button"), style="primary"),
               Choice(REJECT, str(ann.id), ctx.text(TEXT, "reject_button"), style="danger"))
    text = framed(ctx, ann, head) + "\n\n" + ctx.text(TEXT, "approval_foot", id=ann.id)
    return OutgoingMessage(text, choices=choices)
