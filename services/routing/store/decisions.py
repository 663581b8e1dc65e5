"""Stored decisions of a case, and the case facts routing kept, for GET /v1/routing/decisions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.routing.store.models import DecisionRow, RoutedCase


async def of_case(session: AsyncSession, case_id: str) -> tuple[RoutedCase | None, list[DecisionRow]]:
    routed = await session.get(RoutedCase, case_id)
    rows = await session.execute(select(DecisionRow).where(DecisionRow.case_id == case_id)
                                 .order_by(DecisionRow.attempt))
    return routed, list(rows.scalars())
