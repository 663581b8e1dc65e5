"""The reads behind the mediators' workbench (web/): a partner's open cases and its coming sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.store.models import Mediation, Session

# a partner body holds at most a few hundred open cases (capacity 40-200 in the roster)
MOST_CASES = 2000


async def partner_cases(session: AsyncSession, partner_id: str) -> list[Mediation]:
    query = (select(Mediation).where(Mediation.partner_id == partner_id)
             .order_by(Mediation.routed_at.desc(), Mediation.case_id.desc()).limit(MOST_CASES))
    return list((await session.scalars(query)).all())


async def partner_sessions(session: AsyncSession, partner_id: str, start: datetime,
                           end: datetime) -> list[tuple[Session, Mediation]]:
    """Sessions scheduled in [start, end) on the partner's cases, soonest first."""
    query = (select(Session, Mediation).join(Mediation, Mediation.case_id == Session.case_id)
             .where(Mediation.partner_id == partner_id, Session.scheduled_at >= start, Session.scheduled_at < end)
             .order_by(Session.scheduled_at))
    return [(s, m) for s, m in (await session.execute(query)).all()]
