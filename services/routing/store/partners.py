"""Partner rows for the API: a page of them, one of them, and the ops change of capacity or active."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.routing.store.models import PartnerRow
from services.routing.store.roster import bump_revision


async def rows_by_id(session: AsyncSession, partner_ids: list[str]) -> dict[str, PartnerRow]:
    if not partner_ids:
        return {}
    rows = await session.execute(select(PartnerRow).where(PartnerRow.id.in_(partner_ids)))
    return {row.id: row for row in rows.scalars()}


async def change_partner(session: AsyncSession, partner_id: str, changes: dict, now: datetime
                         ) -> tuple[PartnerRow, int] | None:
    """Apply ops' changes (capacity, active) and count a roster revision; None if unknown."""
    row = await session.get(PartnerRow, partner_id, with_for_update=True)
    if row is None:
        return None
    for field, value in changes.items():
        setattr(row, field, value)
    row.updated_at = now
    await session.flush()
    return row, await bump_revision(session)
