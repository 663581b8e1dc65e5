"""traceparent on queued work: a caller's W3C trace is passed on with webhooks and hand-offs

Revision ID: 8b3e1f6c2a57
Revises: 2d7c5e9a41f3
Create Date: 2026-12-02 01:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '8b3e1f6c2a57'
down_revision: str | None = '2d7c5e9a41f3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('webhook_messages') as batch:
        batch.add_column(sa.Column('traceparent', sa.String(length=55), nullable=True))
    with op.batch_alter_table('handoffs') as batch:
        batch.add_column(sa.Column('traceparent', sa.String(length=55), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('handoffs') as batch:
        batch.drop_column('traceparent')
    with op.batch_alter_table('webhook_messages') as batch:
        batch.drop_column('traceparent')
