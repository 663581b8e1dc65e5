"""undisputed facts kept during mediation

Revision ID: e4a7b9c2d618
Revises: c8d2e6f1a9b3
Create Date: 2026-12-02 01:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'e4a7b9c2d618'
down_revision: str | None = 'c8d2e6f1a9b3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('mediations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('undisputed_facts', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('mediations', schema=None) as batch_op:
        batch_op.drop_column('undisputed_facts')
