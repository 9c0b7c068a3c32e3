"""Creating a programme by form (Slack modal, Teams Adaptive Card): ``verbinden create``
without a name opens it; platforms without forms get the command grammar instead. The
submission goes through the same checks as the command, so bad values store nothing."""

from __future__ import annotations

from commands.context import Context
from commands.model import CommandRequest, Form, FormField, FormSubmission, OutgoingMessage, Reply
from commands.verbinden.create import TEMPLATES, create
from commands.verbinden.messages import VERBINDEN

FORM_ID = "verbinden.create"
RULES = ("departments", "location", "locations", "any")


def create_form(ctx: Context, usage: str) -> Reply:
    """The form, with ``usage`` (how to type the command) for platforms without forms."""
    def text(key: str) -> str:
        return ctx.text(VERBINDEN, key)

    form = Form(FORM_ID, text("form_title"), (
        FormField("name", text("field_name"), required=True, max_length=100),
        FormField("when", text("field_when"), required=True, max_length=100,
                  hint=text("hint_when")),
        FormField("rule", text("field_rule"), "select", required=True, initial="departments",
                  options=tuple((r, text(f"rule.{r}")) for r in RULES)),
        FormField("size", text("field_size"), "select", required=True, initial="2",
                  options=(("2", text("size.2")), ("3", text("size.3")))),
        FormField("template", text("field_template"), "select", required=True,
                  initial="koffie", options=tuple((t, t) for t in TEMPLATES)),
        FormField("team", text("field_team"), max_length=100, hint=text("hint_team")),
        FormField("channel", text("field_channel"), max_length=300, hint=text("hint_channel")),
    ), submit_label=text("form_submit"))
    return Reply(OutgoingMessage(usage), form=form)


async def on_form(request: FormSubmission, ctx: Context) -> Reply:
    values = {k: v.strip() for k, v in request.values.items() if v and v.strip()}
    keys = ("when", "rule", "size", "template", "team", "channel")
    options: dict[str, str] = {key: values[key] for key in keys if key in values}
    # A form has no channel of its own: announce only where the form says.
    as_command = CommandRequest(request.user, request.address, "verbinden", "", is_direct=True,
                                locale=request.locale)
    return await create(as_command, ctx, values.get("name"), options)
