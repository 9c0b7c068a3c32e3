"""pulse_series: state (draft, pending, rejected, scheduled, stopped, cancelled) and approver

Revision ID: 0017_pulse_state
Revises: 0012_pulse_audience
Create Date: 2026-12-03 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision = '0017_pulse_state'
down_revision = '0012_pulse_audience'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Series from before drafts were created and scheduled in one go: an active one is
    # "scheduled" (its rounds keep opening), a stopped one "stopped".
    with op.batch_alter_table('pulse_series', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', AutoString(length=12),
                                      nullable=False, server_default='scheduled'))
        batch_op.add_column(sa.Column('decided_by', AutoString(length=300),
                                      nullable=True))
        batch_op.create_index(batch_op.f('ix_pulse_series_state'), ['state'], unique=False)
    op.execute(sa.text("UPDATE pulse_series SET state = 'stopped' WHERE NOT active"))


def downgrade() -> None:
    with op.batch_alter_table('pulse_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pulse_series_state'))
        batch_op.drop_column('decided_by')
        batch_op.drop_column('state')
