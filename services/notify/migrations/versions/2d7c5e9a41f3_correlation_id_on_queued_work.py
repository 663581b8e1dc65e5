"""correlation id on queued work: webhook messages and hand-offs remember the case's id, so the
worker that sends them later (outside any request or event) sends and logs it

Revision ID: 2d7c5e9a41f3
Revises: 6f3a9c2e7b14
Create Date: 2026-12-02 01:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '2d7c5e9a41f3'
down_revision: str | None = '6f3a9c2e7b14'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # nullable: rows queued before this revision have no id, and are sent without the header
    with op.batch_alter_table('webhook_messages') as batch:
        batch.add_column(sa.Column('correlation_id', sa.String(length=128), nullable=True))
    with op.batch_alter_table('handoffs') as batch:
        batch.add_column(sa.Column('correlation_id', sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('handoffs') as batch:
        batch.drop_column('correlation_id')
    with op.batch_alter_table('webhook_messages') as batch:
        batch.drop_column('correlation_id')
