"""The embedded demo (no config file): a small knowledge base and a past (bots/demo/history.py)
so every feature can be tried, and shows its result, at once. Nothing here runs when a
config file is given."""

from __future__ import annotations

import logging
from importlib import resources

from bots.demo.history import seed_history
from commands.context import Context
from commands.wheres.kbfile import parse_file
from commands.wheres.knowledge import Knowledge
from storage.faq import FaqRepository

log = logging.getLogger("hartslag.demo")


async def seed(ctx: Context) -> int:
    """Load the demo knowledge base and the demo's past where they are missing (so a
    restart adds nothing); returns the knowledge base entries added."""
    added = await _knowledge(ctx)
    history = await seed_history(ctx)
    log.info("demo history loaded", extra={"parts": sum(history.values())})
    return added


async def _knowledge(ctx: Context) -> int:
    if await ctx.store.repo(FaqRepository).entries():
        return 0
    text = resources.files("bots.demo").joinpath("kb.yaml").read_text(encoding="utf-8")
    parsed = parse_file("kb.yaml", text)
    knowledge = Knowledge()
    for entry in parsed.entries:
        await knowledge.put(ctx, entry)
    await knowledge.built()
    log.info("demo knowledge base loaded", extra={"entries": len(parsed.entries)})
    return len(parsed.entries)
