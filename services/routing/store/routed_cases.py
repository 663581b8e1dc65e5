"""The cases routing keeps to route them (again): one row per case, locked while it is decided."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.routing.store.models import DecisionRow, RoutedCase
from shared.db import Database

_ROUTED = RoutedCase.__table__
_DECISIONS = DecisionRow.__table__
# Built once, as Core: every case received and every decision runs them.
_DECIDED = select(_DECISIONS.c.id).where(_DECISIONS.c.case_id == bindparam("case_id"),
                                         _DECISIONS.c.attempt == bindparam("attempt"))
_ADD_DECISION = _DECISIONS.insert()
# What deciding a case routing has just kept changes in it (the SET columns are the parameters').
_PROGRESS = update(_ROUTED).where(_ROUTED.c.case_id == bindparam("b_case_id"))
_PROGRESS_COLUMNS = ("attempt", "holder_partner_id", "closed", "choice_closes_at", "choice_calendar_provisional")
_KEEP_NEW: dict[bool, Any] = {}


async def locked(session: AsyncSession, case_id: str) -> RoutedCase | None:
    """The case, locked against concurrent decisions (FOR UPDATE on PostgreSQL)."""
    return await session.get(RoutedCase, case_id, with_for_update=True)


async def keep_new(session: AsyncSession, db: Database, routed: RoutedCase) -> bool:
    """Insert `routed` (every column set, never added to the session) unless routing knows the case
    already; whether it was new. The key's lock, held until commit, orders a concurrent withdrawal
    (close_case) after this transaction."""
    values = {column.key: getattr(routed, column.key) for column in _ROUTED.columns}
    return (await session.execute(_keep_new(db), values)).first() is not None


def _keep_new(db: Database) -> Any:
    if db.is_sqlite not in _KEEP_NEW:
        _KEEP_NEW[db.is_sqlite] = (db.insert(_ROUTED).on_conflict_do_nothing(index_elements=["case_id"])
                                   .returning(_ROUTED.c.case_id))
    return _KEEP_NEW[db.is_sqlite]


async def store_progress(session: AsyncSession, routed: RoutedCase) -> None:
    """Write what deciding (or opening its window) changed in a case keep_new() inserted: one UPDATE,
    as the case is not in the session for its flush to write it."""
    await session.execute(_PROGRESS, {"b_case_id": routed.case_id,
                                      **{key: getattr(routed, key) for key in _PROGRESS_COLUMNS}})


async def decided(session: AsyncSession, case_id: str, attempt: int) -> bool:
    return await session.scalar(_DECIDED, {"case_id": case_id, "attempt": attempt}) is not None


async def add_decision(session: AsyncSession, case_id: str, attempt: int, outcome: str, partner_id: str | None,
                       document: dict, decided_at: datetime) -> None:
    await session.execute(_ADD_DECISION, {"case_id": case_id, "attempt": attempt, "outcome": outcome,
                                          "partner_id": partner_id, "document": document, "decided_at": decided_at})


async def windows_closed(session: AsyncSession, now: datetime, limit: int, *, skip_locked: bool) -> list[RoutedCase]:
    """Cases whose joint-choice window closed undecided, oldest first; with `skip_locked` a replica
    passes over those another is designating (FOR UPDATE SKIP LOCKED)."""
    query = (select(RoutedCase).where(RoutedCase.choice_closes_at <= now, RoutedCase.attempt == 0,
                                      RoutedCase.closed.is_(False))
             .order_by(RoutedCase.choice_closes_at, RoutedCase.case_id).limit(limit))
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    return list((await session.scalars(query)).all())
