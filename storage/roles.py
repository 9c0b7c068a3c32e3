"""Role grants made by command (config grants live in the config, not here)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel, select

from storage.base import UTCDateTime
from storage.db import Database


class RoleGrant(SQLModel, table=True):
    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("role", "user_key", "team"),)

    id: int | None = Field(default=None, primary_key=True)
    role: str = Field(max_length=20, index=True)
    user_key: str = Field(max_length=300, index=True)
    team: str = Field(default="", max_length=100)  # "" for roles without a team
    granted_by: str = Field(max_length=300)
    granted_at: datetime = Field(sa_type=UTCDateTime)


class RoleRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def has(self, user_key: str, role: str, *, team: str | None = None) -> bool:
        query = select(RoleGrant.id).where(RoleGrant.user_key == user_key, RoleGrant.role == role)
        if team is not None:
            query = query.where(RoleGrant.team == team)
        async with self._db.session(readonly=True) as session:
            return (await session.exec(query.limit(1))).first() is not None

    async def roles_of(self, user_key: str) -> set[str]:
        async with self._db.session(readonly=True) as session:
            rows = await session.exec(select(RoleGrant.role).where(RoleGrant.user_key == user_key))
            return set(rows)

    async def grant(self, role: str, user_key: str, team: str, *, by: str, at: datetime) -> bool:
        """False when the grant already existed."""
        async with self._db.session() as session:
            existing = await session.exec(
                select(RoleGrant).where(
                    RoleGrant.role == role, RoleGrant.user_key == user_key, RoleGrant.team == team
                )
            )
            if existing.first() is not None:
                return False
            session.add(RoleGrant(role=role, user_key=user_key, team=team, granted_by=by,
                                  granted_at=at))
            return True

    async def revoke(self, role: str, user_key: str, team: str) -> bool:
        async with self._db.session() as session:
            rows = (await session.exec(
                select(RoleGrant).where(
                    RoleGrant.role == role, RoleGrant.user_key == user_key, RoleGrant.team == team
                )
            )).all()
            for row in rows:
                await session.delete(row)
            return bool(rows)

    async def all(self) -> list[RoleGrant]:
        async with self._db.session(readonly=True) as session:
            rows = await session.exec(select(RoleGrant).order_by(RoleGrant.role, RoleGrant.user_key))  # type: ignore[arg-type]
            return list(rows)
