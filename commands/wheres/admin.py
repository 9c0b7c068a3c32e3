"""``faq ...``: the comms team keeps the knowledge base; owners confirm paraphrases.

add/edit/remove/list/show/gaps/dismiss need the comms role (declared in ``FAQ``, checked
by the tree); ``alias`` and ``reviewed`` may also be done by the entry's owner (the digest
sends them the buttons), so the tree lets everyone through and ``_owned`` checks the entry.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from commands.context import Context
from commands.errors import UserError
from commands.grammar import Args
from commands.model import CommandRequest, Interaction, Reply
from commands.tree import Command, Param, Sub, T, Words
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

    # -- comms ----------------------------------------------------------------------------
    async def add(self, request: CommandRequest, ctx: Context, args: Args) -> Reply:
        entry_id = (args.pop_word() or "").lower()
        if entry_id and await self.knowledge.entry(ctx, entry_id) is not None:
            raise UserError(ctx.text(TEXT, "faq.exists", id=entry_id))
        item: dict[str, Any] = {"id": entry_id, "owner": request.user.key}
        item.update(_options(args))
        entry = _valid(ctx, item)
        await self.knowledge.put(ctx, entry)
        await ensure_schedules(ctx)
        return Reply.text(ctx.text(TEXT, "faq.added", id=entry.id))

    async def edit(self, request: CommandRequest, ctx: Context, args: Args) -> Reply:
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

    async def remove(self, request: CommandRequest, ctx: Context, args: Args) -> Reply:
        entry_id = (args.pop_word() or "").lower()
        if not await self.knowledge.remove(ctx, entry_id):
            raise UserError(ctx.text(TEXT, "faq.missing", id=entry_id))
        return Reply.text(ctx.text(TEXT, "faq.removed", id=entry_id))

    async def list(self, request: CommandRequest, ctx: Context, args: Args) -> Reply:
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

    async def show(self, request: CommandRequest, ctx: Context, args: Args) -> Reply:
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

    async def gaps(self, request: CommandRequest, ctx: Context, args: Args) -> Reply:
        since = ctx.clock.now() - timedelta(days=7)
        found = await repo(ctx).gaps(since=since, limit=settings_of(ctx).digest_max_groups)
        if not found:
            return Reply.text(ctx.text(TEXT, "gaps.none"))
        return Reply(gap_message(ctx, found, title=None))

    async def dismiss(self, request: CommandRequest, ctx: Context, args: Args) -> Reply:
        number = args.pop_word() or ""
        question = await repo(ctx).question(int(number)) if number.isdecimal() else None
        if question is None:
            raise UserError(ctx.text(TEXT, "faq.question.missing", number=number))
        await repo(ctx).resolve(question.key, "dismissed")
        return Reply.text(ctx.text(TEXT, "faq.dismissed", number=number))

    # -- owners or comms ------------------------------------------------------------------
    async def alias(self, request: CommandRequest, ctx: Context, args: Args) -> Reply:
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

    async def reviewed(self, request: CommandRequest, ctx: Context, args: Args) -> Reply:
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
        # The tree passes only the declared options, under their canonical names.
        field = OPTION_FIELDS.get(option, option)
        if field in ("keywords", "aliases"):
            item[field] = [p.strip() for p in value.replace(",", ";").split(";") if p.strip()]
        else:
            item[field] = value
    return item


def _valid(ctx: Context, item: dict[str, Any]) -> Entry:
    try:
        return to_entry(item, default_review_days=settings_of(ctx).default_review_days)
    except ValueError as exc:
        raise UserError(ctx.text(TEXT, "faq.invalid", reason=str(exc))) from None


def _entry_options(*, required: bool) -> tuple[Param, ...]:
    """The fields of an entry as options; ``add`` needs a question and an answer."""
    return (
        Param(Words("question", "vraag"), required=required, option=True,
              value=Words("text", "tekst")),
        Param(Words("answer", "antwoord"), required=required, option=True,
              value=Words("text", "tekst")),
        Param(Words("url", "url"), option=True),
        Param(Words("keywords", "trefwoorden"), option=True, value=Words("a; b", "a; b")),
        Param(Words("lang", "taal", ("language",)), option=True, value=Words("nl|en", "nl|en")),
        Param(Words("owner", "eigenaar"), option=True, value=Words("person", "persoon")),
        Param(Words("review", "review"), option=True, value=Words("days", "dagen")),
        Param(Words("aliases", "aliassen"), option=True, value=Words("a; b", "a; b")),
    )


_ID = Param(Words("id", "id"), required=True)
_NUMBER = Param(Words("question-number", "vraagnummer"), required=True)
_COMMS = ("comms",)


def faq_command(admin: Admin) -> Command:
    """The declared ``faq`` command around one ``Admin`` (one knowledge base per app)."""
    return Command(
        Words("faq", "faq"),
        T("de kennisbank beheren waaruit `waar` antwoordt",
          "manage the knowledge base that `where` answers from"),
        subs=(
            Sub(Words("add", "toevoegen"), T("een nieuw item", "a new entry"), admin.add,
                params=(_ID, *_entry_options(required=True)), roles=_COMMS,
                example=T('faq toevoegen parkeren --vraag "Waar mag ik parkeren?" '
                          '--antwoord "In de garage onder het stadskantoor."',
                          'faq add parking --question "Where can I park?" '
                          '--answer "In the garage under the city office." --lang en')),
            Sub(Words("edit", "wijzig"), T("een item aanpassen (alleen wat je noemt)",
                                           "change an entry (only what you name)"),
                admin.edit, params=(_ID, *_entry_options(required=False)), roles=_COMMS,
                example=T('faq wijzig thuiswerken --trefwoorden "thuis; hybride"',
                          'faq edit thuiswerken --keywords "home; hybrid"')),
            Sub(Words("remove", "verwijder", ("verwijderen",)), T("een item weghalen",
                                                                  "remove an entry"),
                admin.remove, params=(_ID,), roles=_COMMS,
                example=T("faq verwijder declaraties", "faq remove declaraties")),
            Sub(Words("list", "lijst"), T("de items, eventueel met een woord erin",
                                          "the entries, optionally those with a word"),
                admin.list, params=(Param(Words("word", "woord"), many=True),), roles=_COMMS,
                example=T("faq lijst verlof", "faq list payslip")),
            Sub(Words("show", "toon"), T("een item met eigenaar, trefwoorden en feedback",
                                         "an entry with owner, keywords and feedback"),
                admin.show, params=(_ID,), roles=_COMMS,
                example=T("faq toon loonstrook", "faq show loonstrook")),
            Sub(Words("gaps", "hiaten"), T("vragen van de afgelopen week zonder goed antwoord",
                                           "questions of the past week without a good answer"),
                admin.gaps, roles=_COMMS, example=T("faq hiaten", "faq gaps")),
            Sub(Words("dismiss", "negeer"), T("een vraag van de lijst met hiaten halen",
                                              "take a question off the gaps list"),
                admin.dismiss, params=(_NUMBER,), roles=_COMMS,
                example=T("faq negeer 1", "faq dismiss 1")),
            # Hidden: the owner of an entry may do these too (no role says who owns what),
            # reached from the digest's buttons and the review reminder that names them.
            Sub(Words("alias", "alias"), T("een vraag bevestigen als andere verwoording van een "
                                           "item", "confirm a question as another wording of "
                                           "an entry"),
                admin.alias, params=(_NUMBER, _ID), hidden=True,
                example=T("faq alias 1 loonstrook", "faq alias 1 loonstrook")),
            Sub(Words("reviewed", "gecontroleerd"), T("een item is nagekeken en klopt nog",
                                                      "an entry was checked and is still right"),
                admin.reviewed, params=(_ID,), hidden=True,
                example=T("faq gecontroleerd loonstrook", "faq reviewed loonstrook")),
        ))
