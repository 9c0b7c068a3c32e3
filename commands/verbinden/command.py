"""``/hartslag verbinden ...``: list, join, skip a round, stop; and for organisers (role
``comms``) create, round (form one now), stats and end, declared in ``VERBINDEN_COMMAND``
(the tree parses the arguments and checks the roles). Joining is always opt-in."""

from __future__ import annotations

from commands.context import Context
from commands.errors import UserError
from commands.grammar import Args
from commands.messages import CORE
from commands.model import CommandRequest, InboundMessage, Interaction, Reply, UserRef
from commands.org import load_tree
from commands.tree import Command, Param, Sub, T, Words
from commands.verbinden.create import create, describe, trigger_of
from commands.verbinden.form import create_form
from commands.verbinden.jobs import run_round
from commands.verbinden.messages import VERBINDEN
from commands.verbinden.stats import stats
from storage.verbinden import VerbindenParticipant, VerbindenProgramme, VerbindenRepository

STOP_WORDS = ("stop", "stoppen")


async def programme_of(ctx: Context, word: str) -> VerbindenProgramme:
    if not word.isdigit():
        raise UserError(ctx.text(VERBINDEN, "bad_number", value=word[:20]))
    programme = await ctx.store.repo(VerbindenRepository).get(int(word))
    if programme is None:
        raise UserError(ctx.text(VERBINDEN, "unknown_programme", id=word[:20]))
    return programme


async def join(ctx: Context, user: UserRef, programme: VerbindenProgramme,
               location: str | None) -> Reply:
    assert programme.id is not None
    if not programme.active:
        raise UserError(ctx.text(VERBINDEN, "inactive", name=programme.name))
    if location is not None and len(location) > 100:
        raise UserError(ctx.text(VERBINDEN, "bad_location"))
    tree = await load_tree(ctx)
    if programme.audience and user.key not in tree.members(programme.audience):
        raise UserError(ctx.text(VERBINDEN, "not_in_audience", name=programme.name,
                                 team=programme.audience))
    # The department is the person's most specific team of the org tree.
    row = VerbindenParticipant(programme_id=programme.id, user_key=user.key,
                               department=tree.team_of(user.key), location=location or "",
                               joined_at=ctx.clock.now())
    new = await ctx.store.repo(VerbindenRepository).join(row)
    return Reply.text(ctx.text(VERBINDEN, "joined" if new else "joined_again",
                               name=programme.name))


async def skip(ctx: Context, user: UserRef, programme: VerbindenProgramme) -> Reply:
    assert programme.id is not None
    repo = ctx.store.repo(VerbindenRepository)
    number = await repo.next_number(programme.id)
    if not await repo.skip(programme.id, user.key, number):
        raise UserError(ctx.text(VERBINDEN, "not_member", name=programme.name))
    return Reply.text(ctx.text(VERBINDEN, "skipped", name=programme.name, number=number))


async def leave(ctx: Context, user: UserRef, programme: VerbindenProgramme) -> Reply:
    assert programme.id is not None
    if not await ctx.store.repo(VerbindenRepository).leave(programme.id, user.key):
        raise UserError(ctx.text(VERBINDEN, "not_member", name=programme.name))
    return Reply.text(ctx.text(VERBINDEN, "left", name=programme.name))


async def leave_all(ctx: Context, user: UserRef) -> Reply | None:
    repo = ctx.store.repo(VerbindenRepository)
    joined = await repo.memberships(user.key)
    for programme_id in joined:
        await repo.leave(programme_id, user.key)
    return Reply.text(ctx.text(VERBINDEN, "left_all", count=len(joined))) if joined else None


async def listing(ctx: Context, user: UserRef) -> Reply:
    repo = ctx.store.repo(VerbindenRepository)
    programmes = [p for p in await repo.programmes() if p.active]
    if not programmes:
        return Reply.text(ctx.text(VERBINDEN, "list_empty"))
    mine = set(await repo.memberships(user.key))
    lines = [ctx.text(VERBINDEN, "list_title")]
    for programme in programmes:
        assert programme.id is not None
        when, rule = describe(ctx, programme, await trigger_of(ctx, programme))
        lines.append(ctx.text(VERBINDEN, "list_line", id=programme.id, name=programme.name,
                              when=when, rule=rule, count=await repo.count(programme.id),
                              mine=ctx.text(VERBINDEN, "list_mine")
                              if programme.id in mine else ""))
    return Reply.text("\n".join(lines))


async def round_now(ctx: Context, programme: VerbindenProgramme) -> Reply:
    if not programme.active:
        raise UserError(ctx.text(VERBINDEN, "inactive", name=programme.name))
    formed = await run_round(ctx, programme)
    if formed is None:
        assert programme.id is not None
        count = await ctx.store.repo(VerbindenRepository).count(programme.id)
        return Reply.text(ctx.text(VERBINDEN, "round_too_few", name=programme.name, count=count))
    return Reply.text(ctx.text(VERBINDEN, "round_started", name=programme.name,
                               number=formed.row.number, groups=formed.row.groups))


async def end(ctx: Context, programme: VerbindenProgramme) -> Reply:
    assert programme.id is not None
    await ctx.store.repo(VerbindenRepository).end(programme.id)
    if programme.schedule_id is not None:
        await ctx.scheduler.cancel(programme.schedule_id)
    return Reply.text(ctx.text(VERBINDEN, "ended", name=programme.name))


# -- the subcommands (roles are declared in VERBINDEN_COMMAND and checked by the tree) --
async def _list(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    return await listing(ctx, request.user)


async def _create(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    if not args.words and not args.options:
        # Bare ``create``: the form where the platform has forms, else how to type it.
        sub = VERBINDEN_COMMAND.find("create")
        assert sub is not None and sub.example is not None
        usage = (f"`{sub.usage(VERBINDEN_COMMAND.words, ctx.locale)}`\n"
                 + ctx.text(CORE, "tree.example", example=sub.example.get(ctx.locale)))
        return create_form(ctx, usage)
    return await create(request, ctx, " ".join(args.words) or None, args.options)


async def _join(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    programme = await programme_of(ctx, args.words[0])
    return await join(ctx, request.user, programme, args.options.get("location"))


async def _skip(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    return await skip(ctx, request.user, await programme_of(ctx, args.words[0]))


async def _stop(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    if not args.words:
        return await leave_all(ctx, request.user) or Reply.text(
            ctx.text(VERBINDEN, "left_all", count=0))
    return await leave(ctx, request.user, await programme_of(ctx, args.words[0]))


async def _round(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    return await round_now(ctx, await programme_of(ctx, args.words[0]))


async def _stats(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    return await stats(ctx, await programme_of(ctx, args.words[0]))


async def _end(request: CommandRequest, ctx: Context, args: Args) -> Reply:
    return await end(ctx, await programme_of(ctx, args.words[0]))


_NUMBER = Param(Words("number", "nummer"), required=True)
_ORGANISER = ("comms",)
_CREATE_OPTIONS = (
    Param(Words("name", "naam"), many=True),
    Param(Words("when", "wanneer"), option=True, value=Words("repeat", "herhaling")),
    Param(Words("rule", "regel"), option=True,
          value=Words("departments|location|locations|any",
                      "afdelingen|locatie|locaties|iedereen")),
    Param(Words("size", "grootte"), option=True, value=Words("2|3", "2|3")),
    Param(Words("team", "team"), option=True),
    Param(Words("channel", "kanaal"), option=True, value=Words("#channel|here", "#kanaal|hier")),
    Param(Words("template", "sjabloon"), option=True,
          value=Words("koffie|ommetje|nieuw", "koffie|ommetje|nieuw")),
    Param(Words("followup", "opvolging"), option=True, value=Words("days", "dagen")),
)
VERBINDEN_COMMAND = Command(
    Words("verbinden", "verbinden", ("connect",)),
    T("collega's ontmoeten buiten je eigen afdeling of locatie",
      "meet colleagues outside your own department or location"),
    subs=(
        Sub(Words("list", "lijst"), T("de programma's en of je meedoet",
                                      "the programmes and whether you joined"), _list,
            example=T("verbinden lijst", "verbinden list")),
        Sub(Words("join", "meedoen"), T("meedoen met een programma (vrijwillig)",
                                        "join a programme (voluntary)"), _join,
            params=(_NUMBER, Param(Words("location", "locatie"), option=True,
                                   value=Words("place", "plaats"))),
            example=T("verbinden meedoen 1 --locatie stadhuis",
                      "verbinden join 1 --location stadhuis")),
        Sub(Words("skip", "overslaan"), T("de volgende ronde overslaan", "sit out the next round"),
            _skip, params=(_NUMBER,), example=T("verbinden overslaan 1", "verbinden skip 1")),
        Sub(Words("stop", "stoppen", ("leave",)),
            T("stoppen met een programma, of zonder nummer met alle; je koppelgeschiedenis "
              "wordt gewist", "leave a programme, or without a number all of them; your "
              "pairing history is deleted"),
            _stop, params=(Param(Words("number", "nummer")),),
            example=T("verbinden stoppen", "verbinden stop")),
        Sub(Words("create", "maak", ("nieuw",)),
            T("een programma starten (zonder naam: een formulier)",
              "start a programme (without a name: a form)"),
            _create, params=_CREATE_OPTIONS, roles=_ORGANISER,
            example=T('verbinden maak "Koffie met een onbekende" --wanneer "om de 2 weken '
                      'dinsdag 10:00" --regel afdelingen',
                      'verbinden create "Coffee with a stranger" --when "every 2 weeks '
                      'tuesday 10:00" --rule departments')),
        Sub(Words("round", "ronde"), T("nu een ronde vormen", "form a round now"), _round,
            params=(_NUMBER,), roles=_ORGANISER,
            example=T("verbinden ronde 1", "verbinden round 1")),
        Sub(Words("stats", "cijfers"), T("deelname en gesprekken per ronde (alleen totalen)",
                                         "participation and meetings per round (totals only)"),
            _stats, params=(_NUMBER,), roles=_ORGANISER,
            example=T("verbinden cijfers 1", "verbinden stats 1")),
        Sub(Words("end", "einde"), T("een programma beëindigen; deelnemers en "
                                     "koppelgeschiedenis worden gewist",
                                     "end a programme; participants and pairing history are "
                                     "deleted"),
            _end, params=(_NUMBER,), roles=_ORGANISER,
            example=T("verbinden einde 1", "verbinden end 1")),
    ),
    default="list")


async def on_join(request: Interaction, ctx: Context) -> Reply:
    return await join(ctx, request.user, await programme_of(ctx, request.value), None)


async def on_skip(request: Interaction, ctx: Context) -> Reply:
    return await skip(ctx, request.user, await programme_of(ctx, request.value))


async def on_stop(request: Interaction, ctx: Context) -> Reply:
    return await leave(ctx, request.user, await programme_of(ctx, request.value))


async def on_text(request: InboundMessage, ctx: Context) -> Reply | None:
    """``stop`` alone in a DM leaves every programme; anything else is not ours."""
    if request.text.strip().lower() not in STOP_WORDS:
        return None
    return await leave_all(ctx, request.user)
