"""receipts keep the case as received

The offer no longer carries the parties (case.routed is slim): mediation keeps the case as intake
sent it, for recusal, the offer page and first contact.

Revision ID: 5c1e0a7d2b90
Revises: 4a6631a6c67a
Create Date: 2026-12-02 00:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5c1e0a7d2b90'
down_revision: str | None = '4a6631a6c67a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_snapshot', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_column('case_snapshot')
