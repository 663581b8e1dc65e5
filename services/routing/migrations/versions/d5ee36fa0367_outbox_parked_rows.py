"""outbox parked rows

A row the bus can never take (too large, a property it cannot encode) is parked here with its error
instead of being retried for ever; its case's later events wait, other cases flow on (issue #13).

Revision ID: d5ee36fa0367
Revises: 8618243c52cc
Create Date: 2026-12-02 01:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = 'd5ee36fa0367'
down_revision: str | None = '8618243c52cc'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('outbox_parked',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('outbox_id', sa.BigInteger(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('parked_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('released_at', shared.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('released_by', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox_parked', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_parked_held_case', ['case_id'], unique=False,
                              postgresql_where=sa.text('released_at IS NULL'),
                              sqlite_where=sa.text('released_at IS NULL'))


def downgrade() -> None:
    with op.batch_alter_table('outbox_parked', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_parked_held_case', postgresql_where=sa.text('released_at IS NULL'),
                            sqlite_where=sa.text('released_at IS NULL'))
    op.drop_table('outbox_parked')
