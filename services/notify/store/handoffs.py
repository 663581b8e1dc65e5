"""Hand-offs to the court system: created from events, claimed by the sender, listed for readers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.domain.handoff import HandoffDocument
from services.notify.store.models import Handoff
from services.notify.store.queued import HANDOFFS, queue_work
from shared.db import Database, rows_affected
from shared.pagination import after_position

# `sent`: the court took it but has not given its number yet; asking again is how we learn it.
OPEN_STATUSES = ("pending", "sent")


@dataclass(frozen=True)
class HandoffClaim:
    handoff_id: str
    court_code: str | None
    document: dict[str, Any]
    attempt_no: int
    correlation_id: str | None = None
    traceparent: str | None = None


async def add_handoff(session: AsyncSession, db: Database, handoff: HandoffDocument, partner_id: str | None,
                      now: datetime, correlation_id: str | None = None, traceparent: str | None = None) -> bool:
    """Insert the hand-off once (its id is derived from case and outcome); False if it already existed."""
    inserted = await rows_affected(session, db.insert(Handoff.__table__).values(
        id=handoff.id, case_id=handoff.case_id, type=handoff.type.value, court_code=handoff.court_code,
        partner_id=partner_id, document=handoff.to_json(), status="pending", attempts=0, next_attempt_at=now,
        correlation_id=correlation_id, traceparent=traceparent or None, created_at=now, updated_at=now,
    ).on_conflict_do_nothing(index_elements=["id"]))
    queue_work(session, HANDOFFS)
    return bool(inserted)


async def claim_due(session: AsyncSession, db: Database, now: datetime, lease: timedelta,
                    limit: int) -> list[HandoffClaim]:
    """Like deliveries (store.deliveries.claim_due): the lease makes a crash mid-attempt harmless."""
    query = (select(Handoff).where(Handoff.status.in_(OPEN_STATUSES), Handoff.next_attempt_at <= now)
             .order_by(Handoff.next_attempt_at, Handoff.id).limit(limit))
    if not db.is_sqlite:
        query = query.with_for_update(skip_locked=True)
    claims = []
    for handoff in (await session.execute(query)).scalars():
        handoff.next_attempt_at = now + lease
        claims.append(HandoffClaim(handoff.id, handoff.court_code, dict(handoff.document), handoff.attempts + 1,
                                   handoff.correlation_id, handoff.traceparent))
    return claims


async def get_handoff(session: AsyncSession, handoff_id: str, *, lock: bool = False) -> Handoff | None:
    return await session.get(Handoff, handoff_id, with_for_update=lock, populate_existing=lock)


async def list_handoffs(session: AsyncSession, *, case_id: str | None, court_code: str | None,
                        partner_id: str | None, cursor: tuple[datetime, str] | None, limit: int) -> list[Handoff]:
    query = select(Handoff)
    if case_id:
        query = query.where(Handoff.case_id == case_id)
    if court_code is not None:
        query = query.where(Handoff.court_code == court_code)
    if partner_id is not None:
        query = query.where(Handoff.partner_id == partner_id)
    if cursor:
        query = query.where(after_position(Handoff.created_at, Handoff.id, cursor))
    query = query.order_by(Handoff.created_at, Handoff.id).limit(limit + 1)
    return list((await session.execute(query)).scalars())
