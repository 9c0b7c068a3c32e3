"""schedule.notify: the person told about a missed slot, apart from the owning entity

Revision ID: 0011_scheduling_notify
Revises: 0002_scheduling
Create Date: 2026-12-02 21:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0011_scheduling_notify'
down_revision = '0002_scheduling'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('schedule') as batch:
        batch.add_column(sa.Column('notify', sqlmodel.sql.sqltypes.AutoString(length=300),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('schedule') as batch:
        batch.drop_column('notify')
