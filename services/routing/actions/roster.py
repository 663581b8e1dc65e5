"""Ops change a partner's capacity or active flag. The change counts a roster revision, which every
process compares with its cached index; this process's cache takes the change in once committed
(Runtime.roster_committed), never before, so a rolled-back change is never decided on."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.routing.store import partners as repo
from services.routing.store.models import PartnerRow
from services.routing.store.roster import partner_from_row
from shared.logging import get_logger

log = get_logger("routing.partners")
COMMITTED_CHANGES = "routing.roster_changes"  # the session.info key the after-commit hook reads


async def change_partner(session: AsyncSession, rt, partner_id: str, changes: dict, by: str) -> PartnerRow | None:
    """The changed row, or None for an unknown partner."""
    changed = await repo.change_partner(session, partner_id, changes, rt.clock.now())
    if changed is None:
        return None
    row, revision = changed
    session.info.setdefault(COMMITTED_CHANGES, []).append((partner_from_row(row), revision))
    log.info("partner changed", partner_id=partner_id, changes=changes, by=by, revision=revision)
    return row
