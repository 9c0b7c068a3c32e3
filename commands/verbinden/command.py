"""``/hartslag verbinden ...``: list, join, skip a round, stop; and for organisers (role
``comms``) create, round (form one now), stats and end. Joining is always opt-in."""

from __future__ import annotations

from commands.context import Context
from commands.errors import UserError
from commands.grammar import ArgsError, parse_args
from commands.messages import CORE
from commands.model import CommandRequest, InboundMessage, Interaction, Reply, UserRef
from commands.org.directory import OrgDirectory
from commands.pulse.settings import PulseSettings
from commands.verbinden.create import create, describe, trigger_of
from commands.verbinden.form import create_form
from commands.verbinden.jobs import run_round
from commands.verbinden.messages import VERBINDEN
from commands.verbinden.stats import stats
from storage.verbinden import VerbindenParticipant, VerbindenProgramme, VerbindenRepository

STOP_WORDS = ("stop", "stoppen")


async def programme_of(ctx: Context, word: str | None) -> VerbindenProgramme:
    if word is None or not word.isdigit():
        raise UserError(ctx.text(VERBINDEN, "bad_number", value=(word or "")[:20])
                        if word else ctx.text(VERBINDEN, "usage"))
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
    tree = await ctx.store.repo(OrgDirectory).tree(ctx.settings.get(PulseSettings),
                                                   at=ctx.clock.now())
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
    await ctx.require("comms")
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
    await ctx.require("comms")
    assert programme.id is not None
    await ctx.store.repo(VerbindenRepository).end(programme.id)
    if programme.schedule_id is not None:
        await ctx.scheduler.cancel(programme.schedule_id)
    return Reply.text(ctx.text(VERBINDEN, "ended", name=programme.name))


async def handle(request: CommandRequest, ctx: Context) -> Reply | None:
    try:
        args = parse_args(request.args)
    except ArgsError as exc:
        raise UserError(ctx.text(CORE, "bad_args", reason=str(exc))) from None
    action = (args.pop_word() or "list").lower()
    word = args.words[0] if args.words else None
    if action in ("list", "lijst"):
        return await listing(ctx, request.user)
    if action in ("create", "maak", "nieuw"):
        if not args.words and not args.options:
            await ctx.require("comms")
            return create_form(ctx)
        return await create(request, ctx, " ".join(args.words) or None, args.options)
    if action not in ("join", "meedoen", "skip", "overslaan", "stop", "stoppen", "leave",
                      "round", "ronde", "stats", "cijfers", "end", "einde"):
        raise UserError(ctx.text(VERBINDEN, "usage"))
    if action in ("stop", "stoppen", "leave") and word is None:
        return await leave_all(ctx, request.user) or Reply.text(
            ctx.text(VERBINDEN, "left_all", count=0))
    programme = await programme_of(ctx, word)
    if action in ("join", "meedoen"):
        return await join(ctx, request.user, programme,
                          args.options.get("locatie") or args.options.get("location"))
    if action in ("skip", "overslaan"):
        return await skip(ctx, request.user, programme)
    if action in ("stop", "stoppen", "leave"):
        return await leave(ctx, request.user, programme)
    if action in ("round", "ronde"):
        return await round_now(ctx, programme)
    if action in ("end", "einde"):
        return await end(ctx, programme)
    await ctx.require("comms")
    return await stats(ctx, programme)


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
