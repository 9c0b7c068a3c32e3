"""``hartslag faq import FILE`` and ``hartslag faq ask [--json] QUESTION|-``.

``ask -`` reads one question per line from stdin and writes one JSON object per line:
``{"question": ..., "id": <entry id or null>, "score": <0..1>, "alternatives": [<ids>]}``
where ``id`` is null when the bot would not answer. Questions asked here are not recorded
(they are tests of the knowledge base, not employees' questions).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from bots.cli_files import read_input
from bots.config import Config
from commands.wheres.entry import Match
from commands.wheres.kbfile import FileError, parse_file
from storage.faq import FaqRepository


def add_parser(subparsers: Any) -> None:
    faq = subparsers.add_parser("faq", help="the 'where do I find X' knowledge base")
    sub = faq.add_subparsers(dest="faq_command", required=True)
    imp = sub.add_parser("import", help="add or update entries from a YAML or CSV file "
                                        "(idempotent on id)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--owner", default="", help="owner (user key such as slack:U123) of "
                                                 "entries that name none")
    imp.set_defaults(func=run_import)
    ask = sub.add_parser("ask", help="answer a question as the bot would ('-': one per line "
                                     "from stdin, JSON lines out)")
    ask.add_argument("--json", action="store_true", help="print JSON instead of text")
    ask.add_argument("question", nargs="+", help="the question, or - for stdin")
    ask.set_defaults(func=run_ask)


async def run_import(args: argparse.Namespace, config: Config) -> int:
    from bots.app import open_core
    from commands.wheres.jobs import ensure_schedules

    path: Path = args.file
    text = read_input(path)
    if text is None:
        return 2
    try:
        parsed = parse_file(path.name, text,
                            default_review_days=config.wheres.default_review_days)
    except FileError as exc:
        print(f"hartslag: {path}: {exc}", file=sys.stderr)
        return 2
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    if parsed.errors:
        # All or nothing: a half-imported knowledge base is worse than none; name every bad
        # entry (position and line) so the file can be fixed and imported again.
        for error in parsed.errors:
            print(f"{path}: {error.position} ({error.entry_id or '-'}): {error.reason}",
                  file=sys.stderr)
        print(f"nothing imported: {len(parsed.errors)} invalid")
        return 1
    entries = [replace(e, owner=args.owner) if args.owner and not e.owner else e
               for e in parsed.entries]
    async with open_core(config) as app:
        ctx = app.context()
        # One transaction; running bots pick the changes up on their next lookup.
        for result in await ctx.store.repo(FaqRepository).upsert_many(entries, now=ctx.clock.now()):
            counts[result] += 1
        if entries:
            await ensure_schedules(ctx)
    # Reached only without invalid entries (they returned above); the summary says so.
    print(f"{counts['created']} created, {counts['updated']} updated, "
          f"{counts['unchanged']} unchanged, 0 invalid")
    return 0


def as_json(question: str, match: Match) -> str:
    return json.dumps({
        "question": question, "id": match.entry_id, "score": match.score,
        "alternatives": list(match.alternatives),
    }, ensure_ascii=False)


async def run_ask(args: argparse.Namespace, config: Config) -> int:
    # The matcher (numpy, YAML, stemmers) is imported by the commands that use it: every
    # ``hartslag`` start builds this parser, and most never ask a question.
    from bots.app import open_core
    from commands.wheres.knowledge import Knowledge

    words: list[str] = args.question
    batch = words == ["-"]
    async with open_core(config) as app:
        ctx = app.context()
        knowledge = Knowledge()
        index = await knowledge.index(ctx)
        # Answer as the bot would: with every entry's vector, not lexically while they are
        # still being built (the first run after an import stores them for the next).
        await knowledge.built()
        if batch:
            try:
                for line in sys.stdin:
                    question = line.rstrip("\r\n")
                    if question.strip():
                        match = await knowledge.match(ctx, question, lang=None)
                        print(as_json(question, match))
                sys.stdout.flush()
            except BrokenPipeError:  # the reader stopped early (| head): not an error
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115, ASYNC230 (until exit)
            return 0
        question = " ".join(words)
        match = await knowledge.match(ctx, question, lang=None)
        if args.json:
            print(as_json(question, match))
            return 0
        if match.entry_id is None:
            hints = ", ".join(match.alternatives) or "-"
            print(f"(no answer; confidence {match.score:.2f}; closest: {hints})")
            return 0
        entry = index.get(match.entry_id)
        assert entry is not None
        print(f"[{entry.id}] {entry.question}\n{entry.answer}")
        if entry.url:
            print(entry.url)
        print(f"(confidence {match.score:.2f}; alternatives: "
              f"{', '.join(match.alternatives) or '-'})")
        return 0
