"""The declared command tree: every command's words, roles, arguments, usage and examples,
declared once, by the feature that owns the command.

One declaration drives everything people see of a command: the parsing of its arguments
(one argument-error path for all features), the role check before a handler runs, ``help``
(only what the caller may do), ``help <command>`` (usage with an example), the message for
an unknown subcommand or a missing argument, and the command reference in
``docs/reference/commands.md`` (generated from these declarations by ``hartslag reference``,
and compared with them by a test, so the docs cannot drift).

A command is ``Command(words, summary, subs=..., root=...)``: ``subs`` are its subcommands
(``pulse results``), ``root`` handles the command's words when they do not start with a
subcommand (``waar <vraag>``, ``summary <team>``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from commands.context import Context
from commands.errors import Refused, UserError
from commands.grammar import Args, ArgsError, parse_args
from commands.messages import CORE
from commands.model import CommandRequest, Reply

HELP_WORDS = frozenset({"help", "hulp", "?"})


@dataclass(frozen=True)
class T:
    """A text people read, in both languages, written where it is declared."""

    nl: str
    en: str

    def get(self, locale: str) -> str:
        return self.en if locale == "en" else self.nl


@dataclass(frozen=True)
class Words:
    """A name in both languages. ``en`` is the canonical name (what handlers and the code
    see); ``nl`` and ``also`` are aliases people may type in either language."""

    en: str
    nl: str
    also: tuple[str, ...] = ()

    def all(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(w.lower() for w in (self.en, self.nl, *self.also)))

    def say(self, locale: str) -> str:
        return self.en if locale == "en" else self.nl


@dataclass(frozen=True)
class Param:
    """A positional word (``<nummer>``), an ``--option <value>`` or a ``--flag``.

    Options and flags reach the handler under their canonical (English) name whatever
    alias was typed; an option or flag the subcommand does not declare is refused with the
    list of those it does."""

    words: Words
    required: bool = False
    option: bool = False
    flag: bool = False
    many: bool = False  # positional: the rest of the words (``<vraag...>``)
    value: Words | None = None  # the placeholder of an option's value (default: its name)
    # An option whose value may be left out (``--gelezen`` or ``--gelezen "vrijdag 17:00"``):
    # given bare, it reaches the handler as a flag of the same canonical name.
    optional_value: bool = False
    # A positional word that must be one of these (``doelgroep toevoegen|lijst|verwijder``):
    # the handler sees the canonical (English) name whatever alias was typed, and any other
    # word is refused with the choices in the caller's language.
    choices: tuple[Words, ...] = ()

    def choose(self, word: str) -> str | None:
        """The canonical name of the choice ``word`` is an alias of, or None."""
        lowered = word.lower()
        return next((c.en for c in self.choices if lowered in c.all()), None)

    def usage(self, locale: str) -> str:
        name = self.words.say(locale)
        if self.flag:
            text = f"--{name}"
        elif self.option and self.optional_value:
            text = f"--{name} [<{(self.value or self.words).say(locale)}>]"
        elif self.option:
            text = f"--{name} <{(self.value or self.words).say(locale)}>"
        elif self.choices:
            text = "<" + "|".join(c.say(locale) for c in self.choices) + ">"
        else:
            text = f"<{name}{'...' if self.many else ''}>"
        return text if self.required else f"[{text}]"


SubHandler = Callable[[CommandRequest, Context, Args], Awaitable[Reply | None]]
RawHandler = Callable[[CommandRequest, Context, str], Awaitable[Reply | None]]


@dataclass(frozen=True)
class Sub:
    """One thing a command does.

    ``roles``: the caller needs one of them (empty: everyone); help lists the subcommand only
    to those callers. A handler may check more (the author of a pulse, the manager of *that*
    team). ``raw``: the handler gets the text after the subcommand's word unparsed (free
    text over several lines) and ``params`` only document it. ``loose``: options and flags
    not declared are passed on as typed (``key=value`` variables, feature-defined options).
    ``hidden``: reached by buttons or kept for old habits, not listed in help."""

    words: Words
    summary: T
    handler: SubHandler | RawHandler
    params: tuple[Param, ...] = ()
    example: T | None = None  # what to type after the root word, in each language
    roles: tuple[str, ...] = ()
    raw: bool = False
    loose: bool = False
    hidden: bool = False

    def usage(self, command: Words | None, locale: str) -> str:
        parts = [command.say(locale)] if command is not None else []
        if self.words.en:
            parts.append(self.words.say(locale))
        parts += [p.usage(locale) for p in self.params]
        return " ".join(parts)


@dataclass(frozen=True)
class Command:
    """A root command. ``default``: the subcommand (canonical name) run when no word follows
    the command; without one, the command's own help is shown."""

    words: Words
    summary: T
    subs: tuple[Sub, ...] = ()
    root: Sub | None = None
    default: str | None = None
    _index: dict[str, Sub] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for sub in self.subs:
            for word in sub.words.all():
                if word in self._index:
                    raise ValueError(f"{self.words.en}: subcommand word {word!r} declared twice")
                self._index[word] = sub
        if self.default is not None and self.default not in self._index:
            raise ValueError(f"{self.words.en}: default {self.default!r} is not a subcommand")

    def find(self, word: str) -> Sub | None:
        return self._index.get(word.lower())

    def entries(self) -> tuple[Sub, ...]:
        return (*self.subs, *((self.root,) if self.root is not None else ()))

    # -- dispatch -----------------------------------------------------------------------
    async def dispatch(self, request: CommandRequest, ctx: Context) -> Reply | None:
        word, rest = _first_word(request.args)
        sub = self.find(word) if word else None
        if sub is None and word.lower() in HELP_WORDS:
            return Reply.text(await command_help(self, ctx, request))
        if sub is None and not word and self.default is not None:
            sub = self.find(self.default)
        if sub is None and self.root is not None:
            sub, rest = self.root, request.args
        if sub is None:
            if not word:
                return Reply.text(await command_help(self, ctx, request))
            raise UserError(ctx.text(CORE, "tree.unknown_sub", command=self.words.say(ctx.locale),
                                     word=word[:30], usage=await usage_list(self, ctx, request)))
        await _check_roles(sub, ctx, request)
        if sub.raw:
            raw: RawHandler = sub.handler  # type: ignore[assignment]
            return await raw(request, ctx, rest)
        args = parse(self, sub, ctx, rest)
        handler: SubHandler = sub.handler  # type: ignore[assignment]
        return await handler(request, ctx, args)


def _first_word(text: str) -> tuple[str, str]:
    stripped = text.lstrip()
    head, sep, rest = stripped.partition(" ")
    if "\n" in head:
        head, _, more = head.partition("\n")
        return head, "\n" + more + (sep + rest if sep else "")
    return head, rest


async def may_use(sub: Sub, ctx: Context, request: CommandRequest) -> bool:
    if not sub.roles:
        return True
    for role in sub.roles:
        if await ctx.roles.has(request.user, role):
            return True
    return False


async def _check_roles(sub: Sub, ctx: Context, request: CommandRequest) -> None:
    if not await may_use(sub, ctx, request):
        role = CORE.get(ctx.locale, f"role.{sub.roles[0]}")
        raise Refused(CORE.get(ctx.locale, "refused", role=role))


def parse(command: Command, sub: Sub, ctx: Context, text: str) -> Args:
    """The arguments of ``sub`` as declared (canonical names; unknown or missing ones
    refused in the tree's words). Features that read more lines after the first use it too."""
    flags = {w: p for p in sub.params if p.flag for w in p.words.all()}
    options = {w: p for p in sub.params if p.option for w in p.words.all()}
    try:
        args = parse_args(text, flags=frozenset(flags))
    except ArgsError:
        raise UserError(ctx.text(CORE, "bad_args")) from None
    usage = f"`{sub.usage(command.words, ctx.locale)}`"
    canonical = Args(words=args.words)
    for name, value in args.options.items():
        param = options.get(name)
        if param is None and name in flags:
            param = flags[name]  # ``--names=yes``: a flag written with a value
            canonical.flags.add(param.words.en)
            continue
        if param is None and not sub.loose:
            raise UserError(ctx.text(CORE, "tree.unknown_option", option=name[:30], usage=usage))
        canonical.options[param.words.en if param else name] = value
    for name in args.flags:
        param = flags.get(name)
        if param is None and name in options and options[name].optional_value:
            param = options[name]
        if param is None and name in options:
            raise UserError(ctx.text(CORE, "tree.needs_value", option=name[:30], usage=usage))
        if param is None and not sub.loose:
            raise UserError(ctx.text(CORE, "tree.unknown_option", option=name[:30], usage=usage))
        canonical.flags.add(param.words.en if param else name)
    _check_required(sub, ctx, canonical, usage)
    _check_choices(sub, ctx, canonical, usage)
    return canonical


def _check_choices(sub: Sub, ctx: Context, args: Args, usage: str) -> None:
    positional = [p for p in sub.params if not p.option and not p.flag]
    for index, param in enumerate(positional):
        if not param.choices or len(args.words) <= index:
            continue
        chosen = param.choose(args.words[index])
        if chosen is None:
            choices = ", ".join(f"`{c.say(ctx.locale)}`" for c in param.choices)
            raise UserError(ctx.text(CORE, "tree.bad_choice", word=args.words[index][:30],
                                     choices=choices, usage=usage))
        args.words[index] = chosen


def _check_required(sub: Sub, ctx: Context, args: Args, usage: str) -> None:
    positional = [p for p in sub.params if not p.option and not p.flag]
    for index, param in enumerate(positional):
        if param.required and len(args.words) <= index:
            raise UserError(_missing(sub, ctx, param, usage))
    for param in sub.params:
        if param.option and param.required and param.words.en not in args.options:
            raise UserError(_missing(sub, ctx, param, usage))


def _missing(sub: Sub, ctx: Context, param: Param, usage: str) -> str:
    text = ctx.text(CORE, "tree.missing", what=param.usage(ctx.locale).strip("[]"), usage=usage)
    if sub.example is not None:
        text += "\n" + ctx.text(CORE, "tree.example", example=sub.example.get(ctx.locale))
    return text


# -- help -------------------------------------------------------------------------------
async def allowed(command: Command, ctx: Context, request: CommandRequest) -> list[Sub]:
    return [s for s in command.entries() if not s.hidden and await may_use(s, ctx, request)]


async def overview_line(command: Command, ctx: Context, request: CommandRequest) -> str | None:
    """``- `peiling lijst|toon|resultaten`: korte peilingen ...``; None when the caller may
    use none of it."""
    subs = await allowed(command, ctx, request)
    if not subs:
        return None
    name = command.words.say(ctx.locale)
    words = "|".join(s.words.say(ctx.locale) for s in subs if s.words.en)
    shown = f"{name} {words}" if words else name
    if command.root is not None and command.root in subs and words:
        shown = f"{name} [{words}]"
    return f"- `{shown}`: {command.summary.get(ctx.locale)}"


async def usage_list(command: Command, ctx: Context, request: CommandRequest) -> str:
    return "\n".join(f"- `{s.usage(command.words, ctx.locale)}`: {s.summary.get(ctx.locale)}"
                     for s in await allowed(command, ctx, request))


async def command_help(command: Command, ctx: Context, request: CommandRequest) -> str:
    """``help pulse``: what the caller may do with the command, each with an example."""
    subs = await allowed(command, ctx, request)
    if not subs:
        role = next((r for s in command.entries() for r in s.roles), "admin")
        raise Refused(CORE.get(ctx.locale, "refused", role=CORE.get(ctx.locale, f"role.{role}")))
    aliases = _aliases(command.words, ctx.locale)
    lines = [f"**{command.words.say(ctx.locale)}**{f' ({aliases})' if aliases else ''}: "
             f"{command.summary.get(ctx.locale)}", ""]
    for sub in subs:
        lines.append(f"- `{sub.usage(command.words, ctx.locale)}`: {sub.summary.get(ctx.locale)}")
        if sub.example is not None:
            lines.append("  " + ctx.text(CORE, "tree.example",
                                         example=sub.example.get(ctx.locale)))
    return "\n".join(lines)


def _aliases(words: Words, locale: str) -> str:
    return ", ".join(f"`{w}`" for w in words.all() if w != words.say(locale))


# -- the reference in the docs ----------------------------------------------------------
def reference(commands: Iterable[Command], role_name: Callable[[str], str]) -> str:
    """The command reference as Markdown, Dutch and English side by side per subcommand."""
    lines = ["# Command reference", "",
             "Generated from the declared command tree (`commands/tree.py`) by "
             "`hartslag reference`; a test fails when it differs from the declarations.", "",
             "Type a command after `/hartslag` (Slack), `!hartslag` (Matrix) or in a direct "
             "message without a prefix. Dutch and English words both work.", ""]
    for command in commands:
        lines += [f"## `{command.words.en}` / `{command.words.nl}`", "",
                  f"{command.summary.nl}  ", f"*{command.summary.en}*", "",
                  "| Command | Who | What | Example |", "|---|---|---|---|"]
        for sub in command.entries():
            if sub.hidden:
                continue
            who = ", ".join(role_name(r) for r in sub.roles) or "everyone"
            example = (f"`{sub.example.nl}`<br>`{sub.example.en}`" if sub.example else "")
            usage = (f"`{_cell(sub.usage(command.words, 'nl'))}`<br>"
                     f"`{_cell(sub.usage(command.words, 'en'))}`")
            what = f"{_cell(sub.summary.nl)}<br>*{_cell(sub.summary.en)}*"
            lines.append(f"| {usage} | {who} | {what} | {_cell(example)} |")
        lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
