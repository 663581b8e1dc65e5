"""webhook secrets encrypted at rest

The signing secrets become Fernet tokens (services/notify/store/sealed.py), longer than the old
columns: they turn to text, and the secrets already stored in clear are encrypted here with the
first of NOTIFY_SECRET_KEYS (so the migration Job needs that Secret, as the service does).

Revision ID: 6f3a9c2e7b14
Revises: 1e4b87c8abcb
Create Date: 2026-12-02 01:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '6f3a9c2e7b14'
down_revision: str | None = '1e4b87c8abcb'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_endpoints = sa.table('webhook_endpoints', sa.column('id', sa.String), sa.column('secret', sa.Text),
                      sa.column('previous_secret', sa.Text))


def _box():
    from services.notify.settings import Settings
    from services.notify.store.sealed import SecretBox

    return SecretBox(Settings().secret_key_list)


def upgrade() -> None:
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.alter_column('secret', type_=sa.Text(), existing_type=sa.String(length=100), existing_nullable=False)
        batch_op.alter_column('previous_secret', type_=sa.Text(), existing_type=sa.String(length=100),
                              existing_nullable=True)
    connection = op.get_bind()
    rows = connection.execute(sa.select(_endpoints)).all()
    if not rows:
        return
    box = _box()
    for row in rows:
        # Only what is still in clear (a `whsec_` secret); a token already sealed stays as it is.
        changes = {name: box.seal(value) for name, value in (("secret", row.secret), ("previous_secret", row.previous_secret))
                   if value and value.startswith("whsec_")}
        if changes:
            connection.execute(sa.update(_endpoints).where(_endpoints.c.id == row.id).values(**changes))


def downgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(_endpoints)).all()
    if rows:  # the keys are needed only when there is something to open
        box = _box()
        for row in rows:
            changes = {name: box.open(value)
                       for name, value in (("secret", row.secret), ("previous_secret", row.previous_secret))
                       if value and not value.startswith("whsec_")}
            if changes:
                connection.execute(sa.update(_endpoints).where(_endpoints.c.id == row.id).values(**changes))
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.alter_column('secret', type_=sa.String(length=100), existing_type=sa.Text(), existing_nullable=False)
        batch_op.alter_column('previous_secret', type_=sa.String(length=100), existing_type=sa.Text(),
                              existing_nullable=True)
