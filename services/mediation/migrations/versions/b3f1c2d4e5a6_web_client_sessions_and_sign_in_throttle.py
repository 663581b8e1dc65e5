"""web client: server-side sessions, sign-in throttle, first sign-in sets the password

Revision ID: b3f1c2d4e5a6
Revises: 39bc636958d7
Create Date: 2026-12-02 01:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = 'b3f1c2d4e5a6'
down_revision: str | None = '39bc636958d7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'ui_sessions',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('mediator_id', sa.String(length=40), nullable=False),
        sa.Column('partner_id', sa.String(length=20), nullable=False),
        sa.Column('csrf', sa.String(length=64), nullable=False),
        sa.Column('created_at', shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('token_hash'),
    )
    op.create_index(op.f('ix_ui_sessions_mediator_id'), 'ui_sessions', ['mediator_id'], unique=False)
    op.create_table(
        'sign_in_throttle',
        sa.Column('mediator_id', sa.String(length=40), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('first_failed_at', shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('locked_until', shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('mediator_id'),
    )
    # accounts that exist already hold an initial password: their mediator chooses one at next sign-in
    with op.batch_alter_table('mediator_accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_set_password', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('password_set_at', shared.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('mediator_accounts', schema=None) as batch_op:
        batch_op.drop_column('password_set_at')
        batch_op.drop_column('must_set_password')
    op.drop_table('sign_in_throttle')
    op.drop_index(op.f('ix_ui_sessions_mediator_id'), table_name='ui_sessions')
    op.drop_table('ui_sessions')
