"""The embedded demo (no config file): a small knowledge base so every feature can be tried
at once. Nothing here runs when a config file is given."""

from __future__ import annotations

import logging
from importlib import resources

from commands.context import Context
from commands.wheres.kbfile import parse_file
from commands.wheres.knowledge import Knowledge
from storage.faq import FaqRepository

log = logging.getLogger("hartslag.demo")


async def seed(ctx: Context) -> int:
    """Load the demo knowledge base when the knowledge base is empty; returns entries added."""
    if await ctx.store.repo(FaqRepository).entries():
        return 0
    text = resources.files("bots.demo").joinpath("kb.yaml").read_text(encoding="utf-8")
    parsed = parse_file("kb.yaml", text)
    knowledge = Knowledge()
    for entry in parsed.entries:
        await knowledge.put(ctx, entry)
    log.info("demo knowledge base loaded", extra={"entries": len(parsed.entries)})
    return len(parsed.entries)
