"""routing's copy of the holiday table, and which joint-choice windows are provisional (#10)

The years ops load into mediation's table arrive as calendar.year_loaded; routing keeps every
version, counts the parties' window (2021 Art 10) on the newest, and computes again the windows
that reached a year known only by its fixed holidays. Windows open before this revision were
counted on the shipped calendar without keeping the flag: those whose last day lies in its first
provisional year or later are marked here.

Revision ID: c4d8e1f0a6b2
Revises: a7c3e9d2f4b1
Create Date: 2026-12-02 10:00:00
"""
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

import shared.db
from shared.clock import start_of_beijing_day
from shared.holidays import shipped_arrangements

revision: str = 'c4d8e1f0a6b2'
down_revision: str | None = 'a7c3e9d2f4b1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('holiday_years',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('holidays', sa.JSON(), nullable=False),
    sa.Column('make_up_working_days', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('notice', sa.String(length=200), nullable=True),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('loaded_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_at', shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('year', 'version')
    )
    with op.batch_alter_table('routed_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('choice_calendar_provisional', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.create_index('ix_routed_cases_choice_provisional', ['case_id'], unique=False,
                              postgresql_where=sa.text('choice_calendar_provisional IS true'),
                              sqlite_where=sa.text('choice_calendar_provisional IS 1'))
    first = min(a.year for a in shipped_arrangements() if a.provisional)
    routed = sa.table('routed_cases', sa.column('choice_calendar_provisional', sa.Boolean()),
                      sa.column('choice_closes_at', shared.db.UTCDateTime(timezone=True)),
                      sa.column('attempt', sa.Integer()), sa.column('closed', sa.Boolean()))
    # closes_at is the end of the last working day: past the start of `first`, that day is in it
    op.execute(routed.update().where(routed.c.choice_closes_at > start_of_beijing_day(date(first, 1, 1)),
                                     routed.c.attempt == 0, routed.c.closed.is_(False))
               .values(choice_calendar_provisional=True))


def downgrade() -> None:
    with op.batch_alter_table('routed_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_routed_cases_choice_provisional',
                            postgresql_where=sa.text('choice_calendar_provisional IS true'),
                            sqlite_where=sa.text('choice_calendar_provisional IS 1'))
        batch_op.drop_column('choice_calendar_provisional')
    op.drop_table('holiday_years')
