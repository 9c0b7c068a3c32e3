"""From an e-mail or employee id in a work system's payload to a person we can message.

The directory (``storage/people.py``) is filled by CSV import. An unknown e-mail is looked up
on the platforms whose port can (the optional extra ``EmailLookup``: Slack's
``users.lookupByEmail``, Matrix's id convention from its own config), in the order of
``[hooks] platforms``, and the result is remembered. Someone who cannot be found is reported, never dropped silently.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from commands.context import Context
from commands.model import UserRef
from commands.notices.settings import HookSettings
from commands.port import enabled_platforms, platform_port
from storage.people import PLATFORM_COLUMNS, PeopleRepository, Person, PersonRow

CSV_COLUMNS = ("employee_id", "email", "name", *PLATFORM_COLUMNS)


@dataclass(frozen=True)
class Recipient:
    person: Person
    user: UserRef


@runtime_checkable
class EmailLookup(Protocol):
    """Optional port extra: a platform's account of a person, found by their e-mail."""

    async def find_user_by_email(self, email: str) -> UserRef | None: ...


def _enabled(ctx: Context) -> tuple[str, ...]:
    return enabled_platforms(ctx.port)


async def resolve(ctx: Context, ident: str) -> Recipient | None:
    """The person behind ``ident`` and the account to message them on, or None."""
    repo = ctx.store.repo(PeopleRepository)
    settings = ctx.settings.get(HookSettings)
    person = await repo.find(ident)
    if person is None and "@" in ident:
        person = await _discover(ctx, repo, settings, ident)
    if person is None or person.id is None:
        return None
    for platform in settings.platforms:
        ident_on = getattr(person, platform, None) if platform in PLATFORM_COLUMNS else None
        if ident_on is None and platform in _enabled(ctx) and person.email:
            ident_on = await _lookup(ctx, platform, person.email)
            if ident_on:
                await repo.remember(person.id, platform, ident_on)
        if ident_on and platform in _enabled(ctx):
            return Recipient(person, UserRef(platform, ident_on, person.name))
    return None


async def _discover(ctx: Context, repo: PeopleRepository, settings: HookSettings,
                    email: str) -> Person | None:
    ids: dict[str, str] = {}
    for platform in settings.platforms:
        if platform in _enabled(ctx):
            found = await _lookup(ctx, platform, email)
            if found:
                ids[platform] = found
                break
    if not ids:
        return None
    await repo.upsert([PersonRow(employee_id=None, email=email, name="", ids=ids)])
    return await repo.find(email)


async def _lookup(ctx: Context, platform: str, email: str) -> str | None:
    port = platform_port(ctx.port, platform)
    if not isinstance(port, EmailLookup):
        return None
    found = await port.find_user_by_email(email)
    return found.id if found else None


def parse_people_csv(text: str) -> tuple[list[PersonRow], list[str]]:
    """Rows and, for rows that cannot be used, ``"line N: reason"``."""
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    unknown = [name for name in header if name not in CSV_COLUMNS]
    if unknown or not header:
        return [], [f"line 1: unknown columns {unknown or 'none'}; use {', '.join(CSV_COLUMNS)}"]
    rows: list[PersonRow] = []
    problems: list[str] = []
    for number, raw in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        problem = _row_problem(row)
        if problem:
            problems.append(f"line {number}: {problem}")
            continue
        ids = {p: row[p] for p in PLATFORM_COLUMNS if row.get(p)}
        rows.append(PersonRow(row.get("employee_id") or None, row.get("email") or None,
                              row.get("name", ""), ids))
    return rows, problems


def _row_problem(row: dict[str, Any]) -> str | None:
    if not row.get("employee_id") and not row.get("email"):
        return "needs an employee_id or an email"
    email = row.get("email") or ""
    if email and ("@" not in email or len(email) > 320):
        return f"{email!r} is not an e-mail address"
    if not any(row.get(p) for p in PLATFORM_COLUMNS) and not email:
        return "needs an e-mail or an id on at least one platform"
    return None
