"""idempotency keys in the shared shape

Every service keeps its Idempotency-Keys in one table shape (shared/idempotency.py): the case id
column goes (the remembered answer holds the case's id) and the scope widens to 200 characters.

Revision ID: 3c5e8a1f9d24
Revises: aece3aec69d7
Create Date: 2026-12-03 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '3c5e8a1f9d24'
down_revision: str | None = 'aece3aec69d7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_keys = sa.table('idempotency_keys', sa.column('scope', sa.String), sa.column('key', sa.String),
                 sa.column('response', sa.JSON), sa.column('case_id', sa.String))


def upgrade() -> None:
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.alter_column('scope', type_=sa.String(length=200), existing_type=sa.String(length=120),
                              existing_nullable=False)
        batch_op.drop_column('case_id')


def downgrade() -> None:
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_id', sa.String(length=36), nullable=False, server_default=''))
    connection = op.get_bind()
    for row in connection.execute(sa.select(_keys.c.scope, _keys.c.key, _keys.c.response)).all():
        connection.execute(sa.update(_keys).where(_keys.c.scope == row.scope, _keys.c.key == row.key)
                           .values(case_id=(row.response or {}).get('id', '')))
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.alter_column('case_id', server_default=None, existing_type=sa.String(length=36),
                              existing_nullable=False)
        batch_op.alter_column('scope', type_=sa.String(length=120), existing_type=sa.String(length=200),
                              existing_nullable=False)
