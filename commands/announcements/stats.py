"""The reach report (per target delivered / failed / acknowledged / reactions, with a chart
where the platform takes images) and the per-person read view for the author."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from commands.announcements.compose import local_time
from commands.announcements.jobs import members_of, progress_line
from commands.announcements.lifecycle import repo, state_name
from commands.announcements.messages import TEXT
from commands.announcements.render import quoted_title
from commands.announcements.targets import show_target
from commands.charts import Bar, reach_png
from commands.context import Context
from commands.model import Address, Image, MessageRef, OutgoingMessage, Reply, UserRef
from commands.port import DeliveryError, ReactionCounter, platform_port
from storage.announcements import Announcement, AnnouncementAck, AnnouncementPost

MAX_PEOPLE = 150
REACTION_LOOKUPS = 4  # reaction counts asked at once: platforms rate-limit these reads



@dataclass
class Row:
    target: str
    delivered: int = 0
    failed: int = 0
    pending: int = 0
    acknowledged: int = 0
    members: int | None = None
    posts: int = 0
    reactions: int | None = None  # None: the platform cannot tell (or did not answer)
    errors: list[str] = field(default_factory=list)


async def _rows(ctx: Context, ann: Announcement, acks: list[AnnouncementAck]) -> list[Row]:
    rows = {target: Row(target) for target in ann.targets}
    assert ann.id is not None
    for run in await repo(ctx).runs(ann.id):
        report = await ctx.delivery.report(run.batch)
        for item in report.items:
            row = rows.setdefault(item.target, Row(item.target))
            if item.state == "sent":
                row.delivered += 1
            elif item.state == "failed":
                row.failed += 1
                if item.error:
                    row.errors.append(item.error[:120])
            elif item.state != "cancelled":
                row.pending += 1
    acked = {a.user_key for a in acks}
    for row in rows.values():
        members = await members_of(ctx, row.target)
        if members is not None:
            row.members = len(members)
            row.acknowledged = sum(1 for m in members if m.key in acked)
        else:
            row.acknowledged = sum(1 for a in acks if a.target == row.target)
    await _count_reactions(ctx, rows, await repo(ctx).posts(ann.id))
    return list(rows.values())


def _counter(ctx: Context, platform: str) -> Callable[[MessageRef], Awaitable[int | None]] | None:
    """The optional ``reaction_count`` of the platform's own port (a typed port extra)."""
    port = platform_port(ctx.port, platform)
    return port.reaction_count if isinstance(port, ReactionCounter) else None


async def _count_reactions(ctx: Context, rows: dict[str, Row],
                           posts: list[AnnouncementPost]) -> None:
    """Sum the reactions on every posted copy per target; one copy the platform cannot count
    makes the whole target unknown (a partial sum would read as the real number)."""
    gate = asyncio.Semaphore(REACTION_LOOKUPS)

    async def count(post: AnnouncementPost) -> int | None:
        try:
            address = Address.parse(post.target)
        except ValueError:
            return None
        counter = _counter(ctx, address.platform)
        if counter is None or not post.message_id:
            return None
        async with gate:
            try:
                return await counter(MessageRef(address, post.message_id))
            except DeliveryError:
                return None

    counts = await asyncio.gather(*(count(post) for post in posts))
    known: dict[str, int] = {}
    unknown: set[str] = set()
    for post, found in zip(posts, counts, strict=True):
        if post.target not in rows:
            continue
        rows[post.target].posts += 1
        if found is None:
            unknown.add(post.target)
        else:
            known[post.target] = known.get(post.target, 0) + found
    for target, total in known.items():
        if target not in unknown:
            rows[target].reactions = total


def _reactions(ctx: Context, row: Row) -> str:
    if not row.posts:
        return "-"  # nothing was posted there: nothing to react to
    return ctx.text(TEXT, "unknown") if row.reactions is None else str(row.reactions)


def _reactions_line(ctx: Context, rows: list[Row]) -> str | None:
    posted = [r for r in rows if r.posts]
    if not posted:
        return None  # nothing posted yet: no reactions to speak of
    known = [r.reactions for r in posted if r.reactions is not None]
    if not known:
        return ctx.text(TEXT, "stats_reactions_unknown")
    missing = len(posted) - len(known)
    if missing:
        return ctx.text(TEXT, "stats_reactions_partial", count=sum(known), unknown=missing)
    return ctx.text(TEXT, "stats_reactions_total", count=sum(known))


def _share(row: Row) -> str:
    if not row.members:
        return "-"
    return f"{round(100 * row.acknowledged / row.members)}%"


async def stats(ctx: Context, ann: Announcement) -> Reply:
    """``announce stats <id>``."""
    assert ann.id is not None
    acks = await repo(ctx).acks(ann.id)
    rows = await _rows(ctx, ann, acks)
    names = [show_target(ctx, r.target) for r in rows]
    width = max([len(n) for n in names] + [12])
    head = ctx.text(TEXT, "stats_columns").split("|")
    table = [f"{head[0]:<{width}} " + " ".join(f"{h:>9}" for h in head[1:])]
    for name, row in zip(names, rows, strict=True):
        cells = [row.delivered, row.failed, row.pending, row.acknowledged,
                 "-" if row.members is None else row.members, _share(row),
                 _reactions(ctx, row)]
        table.append(f"{name:<{width}} " + " ".join(f"{c!s:>9}" for c in cells))
    lines = [ctx.text(TEXT, "stats_head", id=ann.id, title=quoted_title(ann),
                      state=state_name(ctx, ann.state)), "", "```", *table, "```"]
    lines.append(ctx.text(TEXT, "stats_acks", count=len(acks)) if ann.ack
                 else ctx.text(TEXT, "stats_no_ack"))
    for name, row in zip(names, rows, strict=True):
        for error in row.errors[:3]:
            lines.append(ctx.text(TEXT, "stats_error", target=name, error=error))
    runs = await repo(ctx).runs(ann.id)
    if runs:
        last = runs[-1]
        report = await ctx.delivery.report(last.batch)
        lines.append(progress_line(ctx, report, last.started_at))
    reactions = _reactions_line(ctx, rows)
    if reactions:
        lines.append(reactions)
    text = "\n".join(lines)
    platform = ctx.address.platform if ctx.address else None
    if platform and ctx.port.capabilities(platform).images and rows:
        bars = [Bar(n, r.acknowledged, r.members, failed=bool(r.failed and not r.delivered))
                for n, r in zip(names, rows, strict=True)]
        labels = tuple(ctx.text(TEXT, "chart_legend").split("|"))
        # Rendering takes tens of milliseconds of CPU: off the event loop.
        png = await asyncio.to_thread(reach_png, bars, title=ann.title,
                                      labels=(labels[0], labels[1], labels[2]))
        image = Image(png, alt_text="\n".join([*table, *filter(None, [reactions])]),
                      filename=f"bereik-{ann.id}.png")
        return Reply(OutgoingMessage(text, image=image))
    return Reply(OutgoingMessage(text))


async def readers(ctx: Context, ann: Announcement) -> Reply:
    """``announce readers <id>``: per person read / unread / overdue."""
    assert ann.id is not None
    acks = {a.user_key: a for a in await repo(ctx).acks(ann.id)}
    people: dict[str, UserRef] = {}
    unknown: list[str] = []
    for target in ann.targets:
        members = await members_of(ctx, target)
        if members is None:
            unknown.append(show_target(ctx, target))
        for person in members or ():
            people.setdefault(person.key, person)
    overdue = ann.ack_due is not None and ctx.clock.now() > ann.ack_due
    groups: dict[str, list[str]] = {"overdue": [], "unread": [], "read": []}
    for key, person in sorted(people.items()):
        name = person.display_name or key
        if key in acks:
            groups["read"].append(ctx.text(TEXT, "person_read", name=name,
                                           at=local_time(ctx, acks[key].at)))
        else:
            groups["overdue" if overdue else "unread"].append(name)
    for key, ack in acks.items():
        if key not in people:
            groups["read"].append(ctx.text(TEXT, "person_read", name=ack.user_name or key,
                                           at=local_time(ctx, ack.at)))
    lines = [ctx.text(TEXT, "readers_head", id=ann.id, title=quoted_title(ann),
                      read=len(groups["read"]), unread=len(groups["unread"]),
                      overdue=len(groups["overdue"]))]
    shown = 0
    for group in ("overdue", "unread", "read"):
        if not groups[group]:
            continue
        lines.append(f"**{ctx.text(TEXT, 'group_' + group)}**")
        for entry in groups[group]:
            if shown >= MAX_PEOPLE:
                break
            lines.append(f"- {entry}")
            shown += 1
    total = sum(len(g) for g in groups.values())
    if total > shown:
        lines.append(ctx.text(TEXT, "readers_more", count=total - shown))
    if unknown:
        lines.append(ctx.text(TEXT, "readers_unknown", targets=", ".join(unknown)))
    return Reply.text("\n".join(lines))
