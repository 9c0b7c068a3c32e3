"""``help``: the commands the caller may use, and ``help <command>``: its usage with an
example, both generated from the declared command tree (``commands.tree``)."""

from __future__ import annotations

from commands.context import Context
from commands.grammar import Args
from commands.messages import CORE
from commands.model import CommandRequest, Reply
from commands.router import Router
from commands.tree import Command, Param, Sub, T, Words, command_help, overview_line

HELP = Words("help", "hulp", ("?",))


def register(router: Router) -> None:
    async def overview(request: CommandRequest, ctx: Context) -> str:
        lines = [ctx.text(CORE, "help.title"), ""]
        for command in router.trees:
            line = await overview_line(command, ctx, request)
            if line is not None:
                lines.append(line)
        lines += ["", ctx.text(CORE, "help.more", example="waar" if ctx.locale == "nl"
                                 else "where"), ctx.text(CORE, "help.footer")]
        return "\n".join(lines)

    async def handle(request: CommandRequest, ctx: Context, args: Args) -> Reply | None:
        if not args.words:
            return Reply.text(await overview(request, ctx))
        command = router.find_tree(args.words[0].lstrip("/!"))
        if command is None:
            head = ctx.text(CORE, "help.unknown", name=args.words[0][:40])
            return Reply.text(head + "\n\n" + await overview(request, ctx))
        return Reply.text(await command_help(command, ctx, request))

    router.tree(Command(
        HELP, T("dit overzicht, of uitleg bij één commando",
                "this overview, or the usage of one command"),
        root=Sub(Words("", ""), T("wat jij hier kunt doen; met een commando: de uitleg ervan",
                                  "what you can do here; with a command: its usage"),
                 handle, params=(Param(Words("command", "commando")),),
                 example=T("help peiling", "help pulse"))))
