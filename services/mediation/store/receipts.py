"""Receipts: every case the court sent, as the statistics count it (received, unroutable, withdrawn
before any offer). Events of one case arrive in any order, so each write fills in what it knows and
keeps what an earlier one recorded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.store.models import Mediation, Receipt
from shared.db import Database

_RECEIPTS = Receipt.__table__
_MEDIATIONS = Mediation.__table__
# case.routed overtook case.received: the offer was opened on routing's party-less facts.
_SNAPSHOT_LATE = (update(_MEDIATIONS).where(_MEDIATIONS.c.case_id == bindparam("the_case"))
                  .values(case_snapshot=bindparam("the_snapshot", type_=JSON)))
_FILED = ("received_at", "court_code", "category", "district", "mode", "case_snapshot")


async def record_filed(session: AsyncSession, db: Database, case_id: str, facts: dict[str, Any]) -> None:
    """One upsert: a new receipt, or the facts filled into the bare receipt a withdrawal or an
    unroutable decision that got here first left (what those recorded stays)."""
    upsert = db.insert(_RECEIPTS).values(case_id=case_id, **facts)
    await session.execute(upsert.on_conflict_do_update(
        index_elements=["case_id"], set_={key: upsert.excluded[key] for key in _FILED},
        where=_RECEIPTS.c.court_code.is_(None)))


async def fill_offer_snapshot(session: AsyncSession, case_id: str, snapshot: dict[str, Any]) -> None:
    """An offer opened before case.received arrived gets the case's parties now."""
    await session.execute(_SNAPSHOT_LATE, {"the_case": case_id, "the_snapshot": snapshot})


async def record_unroutable(session: AsyncSession, db: Database, case_id: str, at: datetime,
                            facts: dict[str, Any], return_to_court: str | None) -> None:
    """A receipt case.received has not made yet is made bare (court_code empty), so it still fills it in."""
    upsert = db.insert(_RECEIPTS).values(case_id=case_id, received_at=at, court_code=None, **facts,
                                         unroutable_at=at, return_to_court=return_to_court)
    await session.execute(upsert.on_conflict_do_update(
        index_elements=["case_id"], set_={"unroutable_at": upsert.excluded.unroutable_at,
                                          "return_to_court": upsert.excluded.return_to_court}))


async def locked(session: AsyncSession, case_id: str) -> Receipt | None:
    return await session.get(Receipt, case_id, with_for_update=True)
