"""The cases routing keeps to route them (again): one row per case, locked while it is decided."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.routing.store.models import DecisionRow, RoutedCase

_DECISIONS = DecisionRow.__table__
# Built once, as Core: every decision runs it.
_DECIDED = select(_DECISIONS.c.id).where(_DECISIONS.c.case_id == bindparam("case_id"),
                                         _DECISIONS.c.attempt == bindparam("attempt"))


async def locked(session: AsyncSession, case_id: str) -> RoutedCase | None:
    """The case, locked against concurrent decisions (FOR UPDATE on PostgreSQL)."""
    return await session.get(RoutedCase, case_id, with_for_update=True)


async def decided(session: AsyncSession, case_id: str, attempt: int) -> bool:
    return await session.scalar(_DECIDED, {"case_id": case_id, "attempt": attempt}) is not None


async def windows_closed(session: AsyncSession, now: datetime, limit: int, *, skip_locked: bool) -> list[RoutedCase]:
    """Cases whose joint-choice window closed undecided, oldest first; with `skip_locked` a replica
    passes over those another is designating (FOR UPDATE SKIP LOCKED)."""
    query = (select(RoutedCase).where(RoutedCase.choice_closes_at <= now, RoutedCase.attempt == 0,
                                      RoutedCase.closed.is_(False))
             .order_by(RoutedCase.choice_closes_at, RoutedCase.case_id).limit(limit))
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    return list((await session.scalars(query)).all())
