"""Compose by form (Slack modal, Teams Adaptive Card); other platforms get the text grammar."""

from __future__ import annotations

from commands.announcements.compose import Draft, plan
from commands.announcements.interactions import require_comms
from commands.announcements.lifecycle import create
from commands.announcements.messages import TEXT
from commands.announcements.render import preview
from commands.context import Context
from commands.model import Form, FormField, FormSubmission, OutgoingMessage, Reply

FORM_ID = "announcements.compose"


def compose_form(ctx: Context) -> Form:
    def field(name: str, kind: str = "text", *, required: bool = False,
              max_length: int | None = None) -> FormField:
        return FormField(name, ctx.text(TEXT, f"field_{name}"), kind,  # type: ignore[arg-type]
                         required=required, max_length=max_length,
                         hint=ctx.text(TEXT, f"hint_{name}"))

    return Form(FORM_ID, ctx.text(TEXT, "form_title"), (
        field("title", required=True, max_length=150),
        field("body", "multiline", max_length=8000),
        field("targets"),
        field("audiences"),
        field("template"),
        field("variables", "multiline"),
        field("when"),
        field("ack", "checkbox"),
        field("ack_due"),
        field("embargo"),
        field("allow_mentions", "checkbox"),
    ), submit_label=ctx.text(TEXT, "form_submit"))


def form_fallback(ctx: Context) -> OutgoingMessage:
    return OutgoingMessage(ctx.text(TEXT, "form_fallback"))


def _variables(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in text.splitlines():
        key, eq, value = line.partition("=")
        if eq:
            found[key.strip()] = value.strip()
    return found


def _checked(values: dict[str, str], name: str) -> bool:
    return values.get(name, "").strip().lower() in ("true", "1", "on", "yes", "ja", name)


def _given(values: dict[str, str], name: str) -> str | None:
    value = values.get(name, "").strip()
    return value or None


async def submitted(submission: FormSubmission, ctx: Context) -> Reply | None:
    """The form came back: check it like the command and show the preview."""
    user = await require_comms(ctx)
    values = {k: str(v) for k, v in submission.values.items()}
    ack_due = _given(values, "ack_due")
    ack = ack_due is not None or _checked(values, "ack")
    draft = Draft(
        title=values.get("title", ""), body=_given(values, "body"),
        targets=values.get("targets", ""), audiences=values.get("audiences", ""),
        template=_given(values, "template"), variables=_variables(values.get("variables", "")),
        when=_given(values, "when"), ack=True if ack else None, ack_due=ack_due,
        embargo=_given(values, "embargo"),
        allow_mentions=_checked(values, "allow_mentions"),
    )
    ann = await create(ctx, await plan(ctx, draft), user)
    return Reply(preview(ctx, ann))
