"""``announce audience ...`` and ``announce template ...``: the comms team's saved audiences
(named groups of targets, optionally with four-eyes approval) and Jinja2 templates.

The tree (``commands.announcements.command``) has parsed the options to their canonical
names (``to``, ``body``, ``four-eyes``); the first word is the action on the library."""

from __future__ import annotations

import re

from commands.announcements.compose import RENDERER, fail, template_failure
from commands.announcements.messages import TEXT
from commands.announcements.targets import TargetError, parse_target, show_target
from commands.context import Context
from commands.grammar import Args
from commands.model import Reply, UserRef
from commands.templating import TemplateError
from storage.announcements import (
    AnnouncementAudience,
    AnnouncementTemplate,
    AudienceRepository,
    TemplateRepository,
)

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")


def _name(ctx: Context, args: Args, usage: str) -> str:
    if not args.words:
        raise fail(ctx, usage)
    name = args.words.pop(0).lower()
    if not NAME.match(name):
        raise fail(ctx, "bad_name", name=name[:60])
    return name


async def audience(ctx: Context, args: Args, user: UserRef) -> Reply:
    action = args.pop_word() or "list"
    repo = ctx.store.repo(AudienceRepository)
    if action in ("list", "lijst"):
        found = await repo.all()
        if not found:
            return Reply.text(ctx.text(TEXT, "audience_none"))
        lines = [ctx.text(TEXT, "audience_list")]
        for a in found:
            eyes = ctx.text(TEXT, "audience_four_eyes") if a.four_eyes else ""
            lines.append(f"- **{a.name}**{eyes}: " + ", ".join(
                f"`{show_target(ctx, t)}`" for t in a.targets))
        return Reply.text("\n".join(lines))
    if action in ("add", "set", "nieuw", "zet"):
        name = _name(ctx, args, "audience_usage")
        texts = [w for word in args.words for w in word.replace(",", " ").split()]
        texts += (args.options.get("to") or "").replace(",", " ").split()
        if not texts:
            raise fail(ctx, "audience_usage")
        targets = []
        for text in texts:
            try:
                targets.append(str(parse_target(ctx, text)))
            except TargetError as exc:
                raise fail(ctx, exc.reason, target=text[:80], **exc.fields) from None
        four_eyes = "four-eyes" in args.flags
        new = await repo.save(AnnouncementAudience(
            name=name, targets=list(dict.fromkeys(targets)), four_eyes=four_eyes,
            created_by=user.key, created_at=ctx.clock.now()))
        key = "audience_added" if new else "audience_updated"
        eyes = ctx.text(TEXT, "audience_four_eyes") if four_eyes else ""
        return Reply.text(ctx.text(TEXT, key, name=name, count=len(set(targets)), eyes=eyes))
    if action in ("remove", "delete", "verwijder"):
        name = _name(ctx, args, "audience_usage")
        if not await repo.delete(name):
            raise fail(ctx, "unknown_audience", name=name, known="-")
        return Reply.text(ctx.text(TEXT, "audience_removed", name=name))
    raise fail(ctx, "audience_usage")


async def template(ctx: Context, args: Args, user: UserRef) -> Reply:
    action = args.pop_word() or "list"
    repo = ctx.store.repo(TemplateRepository)
    if action in ("list", "lijst"):
        found = await repo.all()
        if not found:
            return Reply.text(ctx.text(TEXT, "template_none"))
        lines = [ctx.text(TEXT, "template_list")]
        for t in found:
            needs = ", ".join(sorted(RENDERER.variables(t.source))) or "-"
            lines.append(ctx.text(TEXT, "template_item", name=t.name, variables=needs))
        return Reply.text("\n".join(lines))
    if action in ("add", "set", "nieuw", "zet"):
        name = _name(ctx, args, "template_usage")
        source = args.options.get("body") or " ".join(args.words)
        source = source.replace("\\n", "\n").strip()
        if not source:
            raise fail(ctx, "template_usage")
        try:
            variables = RENDERER.variables(source)
        except TemplateError as exc:
            raise template_failure(ctx, exc) from None
        new = await repo.save(AnnouncementTemplate(name=name, source=source, created_by=user.key,
                                                   created_at=ctx.clock.now()))
        key = "template_added" if new else "template_updated"
        return Reply.text(ctx.text(TEXT, key, name=name, variables=", ".join(sorted(variables)) or "-"))
    if action in ("show", "toon"):
        name = _name(ctx, args, "template_usage")
        found_one = await repo.get(name)
        if found_one is None:
            raise fail(ctx, "unknown_template", name=name)
        return Reply.text(ctx.text(TEXT, "template_show", name=name) + "\n```\n"
                          + found_one.source.replace("```", "'''") + "\n```")
    if action in ("delete", "remove", "verwijder"):
        name = _name(ctx, args, "template_usage")
        if not await repo.delete(name):
            raise fail(ctx, "unknown_template", name=name)
        return Reply.text(ctx.text(TEXT, "template_deleted", name=name))
    raise fail(ctx, "template_usage")
