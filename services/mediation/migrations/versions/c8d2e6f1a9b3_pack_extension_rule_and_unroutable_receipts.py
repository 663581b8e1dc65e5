"""the pack's extension rule from the routing decision; receipts know unroutable cases

Mediation no longer keeps its own copy of the policy packs' extension limits: each mediation keeps
the rule the routing decision carried (case.routed `extension_rule`). Mediations opened before
that are given the rule their pack had when they were routed, written out here once.
Receipts record case.unroutable (when, and where the case went back to), for the statistics.

Revision ID: c8d2e6f1a9b3
Revises: b3f1c2d4e5a6
Create Date: 2026-12-02 01:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = 'c8d2e6f1a9b3'
down_revision: str | None = 'b3f1c2d4e5a6'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The packs' extension limits as they stood at this revision (routing's policy.py): history, not a
# rule the code applies.
_RULES_THEN = {
    "spc-2016": {"max_extensions": None, "max_days": None},
    "spc-2025": {"max_extensions": 1, "max_days": 30},
}


def upgrade() -> None:
    with op.batch_alter_table('mediations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extension_rule', sa.JSON(), nullable=True))
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unroutable_at', shared.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('return_to_court', sa.String(length=20), nullable=True))
    mediations = sa.table('mediations', sa.column('policy_pack', sa.String()),
                          sa.column('extension_rule', sa.JSON()))
    for pack, rule in _RULES_THEN.items():
        op.execute(mediations.update().where(mediations.c.policy_pack == pack).values(extension_rule=rule))


def downgrade() -> None:
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_column('return_to_court')
        batch_op.drop_column('unroutable_at')
    with op.batch_alter_table('mediations', schema=None) as batch_op:
        batch_op.drop_column('extension_rule')
