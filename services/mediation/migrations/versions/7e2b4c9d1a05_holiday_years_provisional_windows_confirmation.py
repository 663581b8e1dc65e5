"""holiday years, provisional windows, the judicial-confirmation window

Revision ID: 7e2b4c9d1a05
Revises: 5c1e0a7d2b90
Create Date: 2026-12-02 01:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = '7e2b4c9d1a05'
down_revision: str | None = '5c1e0a7d2b90'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'holiday_years',
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('holidays', sa.JSON(), nullable=False),
        sa.Column('make_up_working_days', sa.JSON(), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('notice', sa.String(length=200), nullable=True),
        sa.Column('provisional', sa.Boolean(), nullable=False),
        sa.Column('loaded_at', shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('loaded_by', sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint('year', 'version'),
    )
    with op.batch_alter_table('mediations', schema=None) as batch_op:
        for column in ('offer_calendar_provisional', 'due_calendar_provisional', 'contact_calendar_provisional',
                       'confirmation_calendar_provisional'):
            batch_op.add_column(sa.Column(column, sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('confirmation_due_at', shared.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_mediations_confirmation_due_at'), ['confirmation_due_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('mediations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mediations_confirmation_due_at'))
        batch_op.drop_column('confirmation_due_at')
        for column in ('confirmation_calendar_provisional', 'contact_calendar_provisional', 'due_calendar_provisional',
                       'offer_calendar_provisional'):
            batch_op.drop_column(column)
    op.drop_table('holiday_years')
