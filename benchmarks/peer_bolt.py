"""The naive peer of the Slack vote benchmark: what a competent engineer writes from the Bolt
docs. An ``AsyncApp`` with one ``pulse.vote`` listener that acks first (as the docs advise),
checks team membership and stores the vote in one SQLModel transaction per click (aiosqlite,
or asyncpg when ``--db`` is a PostgreSQL URL), and answers the voter through ``respond()``.
No group commit, no caches, no worker processes.

Run as a child process by ``benchmarks/_ballots.py``; it seeds its own members table with
``--audience`` people (``slack:U00000000`` ...) before it starts serving, so the seeding is not
measured. Errors are printed (the harness counts "database is locked", PostgreSQL's
failures and tracebacks in this output).

    python benchmarks/peer_bolt.py --port P --db FILE|postgresql://... --api URL --secret S \
        --audience N
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import sqlite3
import traceback
from collections.abc import Iterator
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

VOTER_SECRET = b"peer-round-key"


class PeerMember(SQLModel, table=True):
    __tablename__ = "peer_member"

    user_key: str = Field(primary_key=True)
    team: str = Field(index=True)


class PeerVote(SQLModel, table=True):
    __tablename__ = "peer_vote"

    round_id: int = Field(primary_key=True)
    voter_key: str = Field(primary_key=True)  # an HMAC, as anonymity asks
    value: str


SCHEMA = ("CREATE TABLE peer_member (user_key TEXT PRIMARY KEY, team TEXT)",
          "CREATE INDEX ix_peer_member_team ON peer_member (team)",
          "CREATE TABLE peer_vote (round_id INTEGER, voter_key TEXT, value TEXT, "
          "PRIMARY KEY (round_id, voter_key))")


def is_postgres(db: str) -> bool:
    return db.startswith(("postgresql:", "postgresql+", "postgres:"))


def members(audience: int) -> Iterator[tuple[str, str]]:
    return ((f"slack:U{i:08d}", f"bench-{i // 25:05d}") for i in range(audience))


def seed(db: str, audience: int) -> None:
    """The members table, written before the server starts (not part of the measurement)."""
    if is_postgres(db):
        asyncio.run(seed_postgres(db, audience))
        return
    with sqlite3.connect(db) as conn:
        for statement in SCHEMA:
            conn.execute(statement)
        conn.executemany("INSERT INTO peer_member VALUES (?, ?)", members(audience))


async def seed_postgres(db: str, audience: int) -> None:
    """The same tables on PostgreSQL, members by COPY (there is no sync driver here)."""
    import asyncpg

    conn = await asyncpg.connect(make_url(db).set(drivername="postgresql")
                                 .render_as_string(hide_password=False), timeout=30)
    try:
        for statement in SCHEMA:
            await conn.execute(statement)
        await conn.copy_records_to_table("peer_member", columns=["user_key", "team"],
                                         records=list(members(audience)), timeout=120)
    finally:
        await conn.close()


def engine_url(db: str) -> str:
    """SQLModel's async URL: the docs' ``sqlite+aiosqlite`` or ``postgresql+asyncpg``."""
    if is_postgres(db):
        return make_url(db).set(drivername="postgresql+asyncpg").render_as_string(
            hide_password=False)
    return f"sqlite+aiosqlite:///{db}"


def build(args: argparse.Namespace) -> web.Application:
    # The default pool (5 + 10 overflow) on both databases, as the docs leave it.
    engine = create_async_engine(engine_url(args.db))
    client = AsyncWebClient(token="xoxb-peer", base_url=args.api)
    app = AsyncApp(token="xoxb-peer", signing_secret=args.secret, client=client)

    @app.action("pulse.vote")
    async def vote(ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        user = "slack:" + body["user"]["id"]
        round_id, _, value = body["actions"][0]["value"].split("|")
        voter = hmac.new(VOTER_SECRET, user.encode(), hashlib.sha256).hexdigest()
        async with AsyncSession(engine) as session:
            member = (await session.exec(select(PeerMember).where(
                PeerMember.user_key == user))).first()
            if member is None:
                await respond("Je hoort niet bij dit team.")
                return
            row = await session.get(PeerVote, (int(round_id), voter))
            if row is None:
                session.add(PeerVote(round_id=int(round_id), voter_key=voter, value=value))
            else:
                row.value = value
                session.add(row)
            await session.commit()
        await respond("Bedankt, je antwoord is opgeslagen.")

    @app.error
    async def failed(error: Exception) -> None:
        print("".join(traceback.format_exception(error)), flush=True)

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    web_app = web.Application()
    web_app.router.add_post("/slack/events", events)
    web_app.router.add_get("/healthz", healthz)
    return web_app


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("--db", "--api", "--secret"):
        parser.add_argument(name, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--audience", type=int, default=0)
    args = parser.parse_args()
    seed(args.db, args.audience)
    web.run_app(build(args), host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
