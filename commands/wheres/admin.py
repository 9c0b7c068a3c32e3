"""``faq ...``: the comms team keeps the knowledge base; owners confirm paraphrases.

add/edit/remove/list/show/gaps/dismiss need the comms role; ``alias`` and ``reviewed`` may
also be done by the entry's owner (the digest sends them the buttons).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from commands.context import Context
from commands.errors import UserError
from commands.grammar import Args, ArgsError, parse_args
from commands.model import CommandRequest, Interaction, Reply
from commands.wheres.entry import Entry
from commands.wheres.jobs import ensure_schedules, gap_message
from commands.wheres.kbfile import to_entry
from commands.wheres.knowledge import Knowledge, repo, settings_of
from commands.wheres.messages import TEXT

LIST_MAX = 40
OPTION_FIELDS = {"question": "question", "answer": "answer", "url": "url",
                 "keywords": "keywords", "lang": "lang", "owner": "owner",
                 "review": "review_days", "aliases": "aliases"}


class Admin:
    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge

    async def command(self, request: CommandRequest, ctx: Context) -> Reply | None:
        try:
            args = parse_args(request.args)
        except ArgsError as exc:
            raise UserError(ctx.text(TEXT, "faq.invalid", reason=str(exc))) from None
        sub = args.pop_word()
        handler = {
            "add": self.add, "edit": self.edit, "remove": self.remove, "list": self.list,
            "show": self.show, "alias": self.alias, "reviewed": self.reviewed,
            "dismiss": self.dismiss, "gaps": self.gaps,
        }.get(sub or "")
        if handler is None:
            return Reply.text(ctx.text(TEXT, "faq.usage"))
        return await handler(args, ctx)

    # -- comms ----------------------------------------------------------------------------
    async def add(self, args: Args, ctx: Context) -> Reply:
        user = await ctx.require("comms")
        entry_id = (args.pop_word() or "").lower()
        if entry_id and await self.knowledge.entry(ctx, entry_id) is not None:
            raise UserError(ctx.text(TEXT, "faq.exists", id=entry_id))
        item: dict[str, Any] = {"id": entry_id, "owner": user.key}
        item.update(_options(args))
        entry = _valid(ctx, item)
        await self.knowledge.put(ctx, entry)
        await ensure_schedules(ctx)
        return Reply.text(ctx.text(TEXT, "faq.added", id=entry.id))

    async def edit(self, args: Args, ctx: Context) -> Reply:
        await ctx.require("comms")
        entry_id = (args.pop_word() or "").lower()
        current = await self.knowledge.entry(ctx, entry_id)
        if current is None:
            raise UserError(ctx.text(TEXT, "faq.missing", id=entry_id))
        item: dict[str, Any] = {
            "id": current.id, "question": current.question, "answer": current.answer,
            "url": current.url, "keywords": list(current.keywords), "lang": current.lang,
            "owner": current.owner, "review_days": current.review_days,
        }
        item.update(_options(args))
        entry = replace(_valid(ctx, item), aliases=current.aliases)
        result = await self.knowledge.put(ctx, entry)
        key = "faq.unchanged" if result == "unchanged" else "faq.edited"
        return Reply.text(ctx.text(TEXT, key, id=entry.id))

    async def remove(self, args: Args, ctx: Context) -> Reply:
        await ctx.require("comms")
        entry_id = (args.pop_word() or "").lower()
        if not await self.knowledge.remove(ctx, entry_id):
            raise UserError(ctx.text(TEXT, "faq.missing", id=entry_id))
        return Reply.text(ctx.text(TEXT, "faq.removed", id=entry_id))

    async def list(self, args: Args, ctx: Context) -> Reply:
        await ctx.require("comms")
        needle = args.rest().lower()
        index = await self.knowledge.index(ctx)
        found = sorted(
            (e for e in index.entries()
             if not needle or needle in e.id or needle in e.question.lower()),
            key=lambda e: e.id,
        )
        if not found:
            return Reply.text(ctx.text(TEXT, "faq.list.empty"))
        lines = [ctx.text(TEXT, "faq.list.title", count=len(found))]
        lines += [f"- `{e.id}`: {e.question}" for e in found[:LIST_MAX]]
        if len(found) > LIST_MAX:
            lines.append(ctx.text(TEXT, "faq.list.more", count=len(found) - LIST_MAX))
        return Reply.text("\n".join(lines))

    async def show(self, args: Args, ctx: Context) -> Reply:
        await ctx.require("comms")
        entry_id = (args.pop_word() or "").lower()
        row = await repo(ctx).get(entry_id)
        if row is None:
            raise UserError(ctx.text(TEXT, "faq.missing", id=entry_id))
        none = ctx.text(TEXT, "faq.none")
        return Reply.text(ctx.text(
            TEXT, "faq.show", id=row.id, lang=row.lang,
            owner=row.owner or ctx.text(TEXT, "faq.nobody"), days=row.review_days,
            helped=row.helped, unhelpful=row.unhelpful, question=row.question,
            answer=row.answer, url=row.url, keywords="; ".join(row.keywords) or none,
            aliases="; ".join(row.aliases) or none,
        ))

    async def gaps(self, args: Args, ctx: Context) -> Reply:
        await ctx.require("comms")
        since = ctx.clock.now() - timedelta(days=7)
        found = await repo(ctx).gaps(since=since, limit=settings_of(ctx).digest_max_groups)
        if not found:
            return Reply.text(ctx.text(TEXT, "gaps.none"))
        return Reply(gap_message(ctx, found, title=None))

    async def dismiss(self, args: Args, ctx: Context) -> Reply:
        await ctx.require("comms")
        number = args.pop_word() or ""
        question = await repo(ctx).question(int(number)) if number.isdecimal() else None
        if question is None:
            raise UserError(ctx.text(TEXT, "faq.question.missing", number=number))
        await repo(ctx).resolve(question.key, "dismissed")
        return Reply.text(ctx.text(TEXT, "faq.dismissed", number=number))

    # -- owners or comms ------------------------------------------------------------------
    async def alias(self, args: Args, ctx: Context) -> Reply:
        number, entry_id = args.pop_word() or "", (args.pop_word() or "").lower()
        return await self.confirm_alias(ctx, number, entry_id)

    async def alias_button(self, request: Interaction, ctx: Context) -> Reply | None:
        number, _, entry_id = request.value.partition(":")
        return await self.confirm_alias(ctx, number, entry_id)

    async def confirm_alias(self, ctx: Context, number: str, entry_id: str) -> Reply:
        """An owner confirms a question as a paraphrase: it becomes an alias of the entry."""
        entry = await self._owned(ctx, entry_id)
        question = await repo(ctx).question(int(number)) if number.isdecimal() else None
        if question is None:
            raise UserError(ctx.text(TEXT, "faq.question.missing", number=number))
        added = await self.knowledge.add_alias(ctx, entry.id, question.text)
        await repo(ctx).resolve(question.key, "alias")
        key = "faq.alias.added" if added else "faq.alias.exists"
        return Reply.text(ctx.text(TEXT, key, text=question.text, id=entry.id))

    async def reviewed(self, args: Args, ctx: Context) -> Reply:
        entry = await self._owned(ctx, (args.pop_word() or "").lower())
        await repo(ctx).mark_reviewed(entry.id, now=ctx.clock.now())
        return Reply.text(ctx.text(TEXT, "faq.reviewed", id=entry.id))

    async def _owned(self, ctx: Context, entry_id: str) -> Entry:
        entry = await self.knowledge.entry(ctx, entry_id)
        if entry is None:
            raise UserError(ctx.text(TEXT, "faq.missing", id=entry_id))
        user = ctx.user
        if user is not None and entry.owner == user.key:
            return entry
        if user is not None and await ctx.roles.has(user, "comms"):
            return entry
        raise UserError(ctx.text(TEXT, "faq.not_owner", id=entry_id))


def _options(args: Args) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for option, value in args.options.items():
        field = OPTION_FIELDS.get(option)
        if field is None:
            item[option] = value  # to_entry names the unknown field
        elif field in ("keywords", "aliases"):
            item[field] = [p.strip() for p in value.replace(",", ";").split(";") if p.strip()]
        else:
            item[field] = value
    return item


def _valid(ctx: Context, item: dict[str, Any]) -> Entry:
    try:
        return to_entry(item, default_review_days=settings_of(ctx).default_review_days)
    except ValueError as exc:
        raise UserError(ctx.text(TEXT, "faq.invalid", reason=str(exc))) from None
