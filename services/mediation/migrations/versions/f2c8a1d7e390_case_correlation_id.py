"""the case's correlation id on its mediation, so the sweepers' events carry it

Revision ID: f2c8a1d7e390
Revises: e4a7b9c2d618
Create Date: 2026-12-02 01:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'f2c8a1d7e390'
down_revision: str | None = 'e4a7b9c2d618'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # nullable: a case opened before this revision gets a fresh id on each sweeper event, as before
    with op.batch_alter_table('mediations') as batch:
        batch.add_column(sa.Column('correlation_id', sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('mediations') as batch:
        batch.drop_column('correlation_id')
