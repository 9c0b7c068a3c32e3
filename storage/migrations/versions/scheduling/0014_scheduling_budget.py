"""outbox.lookups, the installation id and the shared delivery budget

Revision ID: 0014_scheduling_budget
Revises: 0011_scheduling_notify
Create Date: 2026-12-03 06:40:00

Hand-written: ``outbox.lookups`` counts failed reconciliation lookups apart from send
attempts; ``installation`` holds one random id per database (made here, once), which new
delivery ids include; ``delivery_budget`` is the token bucket instances share on PostgreSQL.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0014_scheduling_budget'
down_revision = '0011_scheduling_notify'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('lookups', sa.Integer(), nullable=False, server_default='0'))
    installation = op.create_table(
        'installation',
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_installation')),
    )
    op.bulk_insert(installation, [{'name': 'installation_id', 'value': secrets.token_hex(8)}])
    op.create_table(
        'delivery_budget',
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column('next_slot', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_delivery_budget')),
    )


def downgrade() -> None:
    op.drop_table('delivery_budget')
    op.drop_table('installation')
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('lookups')
