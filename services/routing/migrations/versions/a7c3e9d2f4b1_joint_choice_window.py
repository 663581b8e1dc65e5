"""the parties' joint choice window (2021 Art 10)

A ruleset may give the parties working days to choose a partner (and a mediator) before the rules
designate one: routing keeps when the window closes on the case it routes.

Revision ID: a7c3e9d2f4b1
Revises: d5ee36fa0367
Create Date: 2026-12-02 01:35:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = 'a7c3e9d2f4b1'
down_revision: str | None = 'd5ee36fa0367'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('routed_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('choice_closes_at', shared.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_routed_cases_choice_closes_at', ['choice_closes_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('routed_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_routed_cases_choice_closes_at')
        batch_op.drop_column('choice_closes_at')
