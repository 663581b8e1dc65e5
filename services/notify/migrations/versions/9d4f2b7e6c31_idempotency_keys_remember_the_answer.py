"""idempotency keys remember the answer

Every service keeps its Idempotency-Keys in one table shape (shared/idempotency.py): a key remembers
the status and body its first request answered instead of the endpoint it created, and the scope
widens to 200 characters. A key already used answers from now on its endpoint as it is at this
migration, without the secret (a replay never shows it).

Revision ID: 9d4f2b7e6c31
Revises: 8b3e1f6c2a57
Create Date: 2026-12-03 10:00:00
"""
from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = '9d4f2b7e6c31'
down_revision: str | None = '8b3e1f6c2a57'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_keys = sa.table('idempotency_keys', sa.column('scope', sa.String), sa.column('key', sa.String),
                 sa.column('endpoint_id', sa.String), sa.column('status_code', sa.Integer),
                 sa.column('response', sa.JSON))
_endpoints = sa.table(
    'webhook_endpoints', sa.column('id', sa.String), sa.column('partner_id', sa.String), sa.column('url', sa.Text),
    sa.column('event_types', sa.JSON), sa.column('enabled', sa.Boolean), sa.column('disabled_reason', sa.Text),
    sa.column('consecutive_failures', sa.Integer),
    *(sa.column(name, shared.db.UTCDateTime()) for name in ('disabled_at', 'first_failure_at', 'rotated_at',
                                                            'created_at', 'updated_at')))
_ROTATION_OVERLAP = timedelta(hours=24)  # services/notify/domain/signing.py when this was written


def _iso(value):
    return None if value is None else value.isoformat()


def _view(endpoint) -> dict:
    """The endpoint as POST /v1/webhook-endpoints answered it (services/notify/api/views.py), no secret."""
    rotated = endpoint.rotated_at
    return {
        "id": endpoint.id, "partner_id": endpoint.partner_id, "url": endpoint.url,
        "event_types": list(endpoint.event_types), "enabled": endpoint.enabled,
        "disabled_reason": endpoint.disabled_reason, "disabled_at": _iso(endpoint.disabled_at),
        "consecutive_failures": endpoint.consecutive_failures, "failing_since": _iso(endpoint.first_failure_at),
        "secret_rotated_at": _iso(rotated),
        "previous_secret_expires_at": _iso(rotated + _ROTATION_OVERLAP) if rotated else None,
        "created_at": _iso(endpoint.created_at), "updated_at": _iso(endpoint.updated_at),
    }


def upgrade() -> None:
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.alter_column('scope', type_=sa.String(length=200), existing_type=sa.String(length=120),
                              existing_nullable=False)
        batch_op.add_column(sa.Column('status_code', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('response', sa.JSON(), nullable=True))
    connection = op.get_bind()
    answered = (sa.select(_keys.c.scope, _keys.c.key, *_endpoints.c)
                .join(_endpoints, _endpoints.c.id == _keys.c.endpoint_id))
    for row in connection.execute(answered).all():
        connection.execute(sa.update(_keys).where(_keys.c.scope == row.scope, _keys.c.key == row.key)
                           .values(status_code=201, response=_view(row)))
    # A key whose endpoint is gone answers nothing to replay: it is freed, so its retry creates anew.
    connection.execute(sa.delete(_keys).where(_keys.c.response.is_(None)))
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.alter_column('status_code', server_default=None, existing_type=sa.Integer(), existing_nullable=False)
        batch_op.alter_column('response', nullable=False, existing_type=sa.JSON())
        batch_op.drop_column('endpoint_id')


def downgrade() -> None:
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('endpoint_id', sa.String(length=36), nullable=False, server_default=''))
    connection = op.get_bind()
    for row in connection.execute(sa.select(_keys.c.scope, _keys.c.key, _keys.c.response)).all():
        connection.execute(sa.update(_keys).where(_keys.c.scope == row.scope, _keys.c.key == row.key)
                           .values(endpoint_id=(row.response or {}).get('id', '')))
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.alter_column('endpoint_id', server_default=None, existing_type=sa.String(length=36),
                              existing_nullable=False)
        batch_op.drop_column('response')
        batch_op.drop_column('status_code')
        batch_op.alter_column('scope', type_=sa.String(length=120), existing_type=sa.String(length=200),
                              existing_nullable=False)
