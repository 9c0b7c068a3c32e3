"""faq entry source, tags and twin; entry vectors by model and text hash

Revision ID: 0015_wheres_vectors
Revises: 0006_wheres
Create Date: 2026-12-03 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0015_wheres_vectors'
down_revision = '0006_wheres'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('faq_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=1000),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('tags', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('twin', sqlmodel.sql.sqltypes.AutoString(length=80),
                                      nullable=False, server_default=''))
    op.create_table('faq_vector',
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('text_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('dim', sa.Integer(), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('model', 'text_hash', name=op.f('pk_faq_vector'))
    )


def downgrade() -> None:
    op.drop_table('faq_vector')
    with op.batch_alter_table('faq_entry', schema=None) as batch_op:
        batch_op.drop_column('twin')
        batch_op.drop_column('tags')
        batch_op.drop_column('source')
