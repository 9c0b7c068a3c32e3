"""``announce audience ...`` and ``announce template ...``: the comms team's saved audiences
(named groups of targets, optionally with four-eyes approval) and Jinja2 templates.

The tree (``commands.announcements.command``) has parsed the options to their canonical
names (``to``, ``body``, ``four-eyes``); the first word is the action on the library, in its canonical name."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

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
    """``announce audience list|add|remove``: the tree hands over the canonical action."""
    action = _AUDIENCE.get(args.pop_word() or "list")
    if action is None:
        raise fail(ctx, "audience_usage")
    return await action(ctx, args, user)


async def template(ctx: Context, args: Args, user: UserRef) -> Reply:
    """``announce template list|add|show|delete``."""
    action = _TEMPLATE.get(args.pop_word() or "list")
    if action is None:
        raise fail(ctx, "template_usage")
    return await action(ctx, args, user)


def _listing(ctx: Context, items: list[str], *, heading: str, none: str) -> Reply:
    """The library's list: a heading and a line per item, or the text saying there is none."""
    if not items:
        return Reply.text(ctx.text(TEXT, none))
    return Reply.text("\n".join([ctx.text(TEXT, heading), *items]))


async def _audience_list(ctx: Context, args: Args, user: UserRef) -> Reply:
    found = await ctx.store.repo(AudienceRepository).all()
    return _listing(ctx, [_audience_line(ctx, a) for a in found],
                    heading="audience_list", none="audience_none")


def _audience_line(ctx: Context, audience: AnnouncementAudience) -> str:
    eyes = ctx.text(TEXT, "audience_four_eyes") if audience.four_eyes else ""
    return f"- **{audience.name}**{eyes}: " + ", ".join(
        f"`{show_target(ctx, t)}`" for t in audience.targets)


async def _audience_add(ctx: Context, args: Args, user: UserRef) -> Reply:
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
    new = await ctx.store.repo(AudienceRepository).save(AnnouncementAudience(
        name=name, targets=list(dict.fromkeys(targets)), four_eyes=four_eyes,
        created_by=user.key, created_at=ctx.clock.now()))
    key = "audience_added" if new else "audience_updated"
    eyes = ctx.text(TEXT, "audience_four_eyes") if four_eyes else ""
    return Reply.text(ctx.text(TEXT, key, name=name, count=len(set(targets)), eyes=eyes))


async def _audience_remove(ctx: Context, args: Args, user: UserRef) -> Reply:
    name = _name(ctx, args, "audience_usage")
    if not await ctx.store.repo(AudienceRepository).delete(name):
        raise fail(ctx, "unknown_audience", name=name, known="-")
    return Reply.text(ctx.text(TEXT, "audience_removed", name=name))


async def _template_list(ctx: Context, args: Args, user: UserRef) -> Reply:
    found = await ctx.store.repo(TemplateRepository).all()
    return _listing(ctx, [_template_line(ctx, t) for t in found],
                    heading="template_list", none="template_none")


def _template_line(ctx: Context, template: AnnouncementTemplate) -> str:
    needs = ", ".join(sorted(RENDERER.variables(template.source))) or "-"
    return ctx.text(TEXT, "template_item", name=template.name, variables=needs)


async def _template_add(ctx: Context, args: Args, user: UserRef) -> Reply:
    name = _name(ctx, args, "template_usage")
    source = args.options.get("body") or " ".join(args.words)
    source = source.replace("\\n", "\n").strip()
    if not source:
        raise fail(ctx, "template_usage")
    try:
        variables = RENDERER.variables(source)
    except TemplateError as exc:
        raise template_failure(ctx, exc) from None
    new = await ctx.store.repo(TemplateRepository).save(AnnouncementTemplate(
        name=name, source=source, created_by=user.key, created_at=ctx.clock.now()))
    key = "template_added" if new else "template_updated"
    return Reply.text(ctx.text(TEXT, key, name=name, variables=", ".join(sorted(variables)) or "-"))


async def _template_show(ctx: Context, args: Args, user: UserRef) -> Reply:
    name = _name(ctx, args, "template_usage")
    found = await ctx.store.repo(TemplateRepository).get(name)
    if found is None:
        raise fail(ctx, "unknown_template", name=name)
    return Reply.text(ctx.text(TEXT, "template_show", name=name) + "\n```\n"
                      + found.source.replace("```", "'''") + "\n```")


async def _template_delete(ctx: Context, args: Args, user: UserRef) -> Reply:
    name = _name(ctx, args, "template_usage")
    if not await ctx.store.repo(TemplateRepository).delete(name):
        raise fail(ctx, "unknown_template", name=name)
    return Reply.text(ctx.text(TEXT, "template_deleted", name=name))


Action = Callable[[Context, Args, UserRef], Awaitable[Reply]]
# Keyed by the canonical names the command tree declares (commands/announcements/command.py).
_AUDIENCE: dict[str, Action] = {"list": _audience_list, "add": _audience_add,
                                "remove": _audience_remove}
_TEMPLATE: dict[str, Action] = {"list": _template_list, "add": _template_add,
                                "show": _template_show, "delete": _template_delete}
