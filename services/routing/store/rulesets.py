"""Installed ruleset versions: the one in force is the highest; versions are never changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.routing.domain.ruleset import DEFAULT_RULESET_DOCUMENT, Ruleset
from services.routing.store.models import RulesetRow


async def in_force(session: AsyncSession) -> RulesetRow:
    row = (await session.execute(select(RulesetRow).order_by(RulesetRow.version.desc()).limit(1))).scalar_one_or_none()
    if row is None:  # an unseeded database routes with the default, as roster.ruleset() does
        return RulesetRow(version=1, document=dict(DEFAULT_RULESET_DOCUMENT), installed_at=None, installed_by="default")
    return row


async def install(session: AsyncSession, ruleset: Ruleset, installed_by: str, now: datetime) -> RulesetRow:
    """Add the validated ruleset as its own version. Two concurrent installs of the same version
    collide on the primary key at flush, and the caller answers 409."""
    row = RulesetRow(version=ruleset.version, document=ruleset.to_document(), installed_at=now,
                     installed_by=installed_by)
    session.add(row)
    await session.flush()
    return row
