"""Receipts: every case the court sent, as the statistics count it (received, unroutable, withdrawn
before any offer). Events of one case arrive in any order, so each write fills in what it knows and
keeps what an earlier one recorded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Row, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.store.models import Mediation, Receipt
from shared.db import Database

_RECEIPTS = Receipt.__table__
_MEDIATIONS = Mediation.__table__
# Built once, as Core: every case received and every case routed runs them.
# case.routed overtook case.received: the offer was opened on routing's party-less facts.
_SNAPSHOT_LATE = (update(_MEDIATIONS).where(_MEDIATIONS.c.case_id == bindparam("the_case"))
                  .values(case_snapshot=bindparam("the_snapshot", type_=JSON)))
_FOR_OFFER = select(_RECEIPTS.c.withdrawn_at, _RECEIPTS.c.case_snapshot).where(
    _RECEIPTS.c.case_id == bindparam("case_id"))
_FILED = ("received_at", "court_code", "category", "district", "mode", "case_snapshot")
_RECORD_FILED: dict[bool, Any] = {}
_RECORD_UNROUTABLE: dict[bool, Any] = {}


async def record_filed(session: AsyncSession, db: Database, case_id: str, facts: dict[str, Any]) -> None:
    """One upsert: a new receipt, or the facts (`_FILED`, each given) filled into the bare receipt a
    withdrawal or an unroutable decision that got here first left (what those recorded stays)."""
    await session.execute(_record_filed(db), {"case_id": case_id, **facts})


def _record_filed(db: Database) -> Any:
    if db.is_sqlite not in _RECORD_FILED:
        upsert = db.insert(_RECEIPTS)
        _RECORD_FILED[db.is_sqlite] = upsert.on_conflict_do_update(
            index_elements=["case_id"], set_={key: upsert.excluded[key] for key in _FILED},
            where=_RECEIPTS.c.court_code.is_(None))
    return _RECORD_FILED[db.is_sqlite]


async def fill_offer_snapshot(session: AsyncSession, case_id: str, snapshot: dict[str, Any]) -> None:
    """An offer opened before case.received arrived gets the case's parties now."""
    await session.execute(_SNAPSHOT_LATE, {"the_case": case_id, "the_snapshot": snapshot})


async def record_unroutable(session: AsyncSession, db: Database, case_id: str, at: datetime,
                            facts: dict[str, Any], return_to_court: str | None) -> None:
    """A receipt case.received has not made yet is made bare (court_code empty), so it still fills it
    in. `facts`: category, district and mode."""
    await session.execute(_record_unroutable(db), {
        "case_id": case_id, "received_at": at, "court_code": None, **facts, "unroutable_at": at,
        "return_to_court": return_to_court})


def _record_unroutable(db: Database) -> Any:
    if db.is_sqlite not in _RECORD_UNROUTABLE:
        upsert = db.insert(_RECEIPTS)
        _RECORD_UNROUTABLE[db.is_sqlite] = upsert.on_conflict_do_update(
            index_elements=["case_id"], set_={"unroutable_at": upsert.excluded.unroutable_at,
                                              "return_to_court": upsert.excluded.return_to_court})
    return _RECORD_UNROUTABLE[db.is_sqlite]


async def for_offer(session: AsyncSession, case_id: str) -> Row[Any, Any] | None:
    """What an offer needs of the receipt, if there is one: withdrawn_at (no offer opens after it)
    and case_snapshot (the case as received)."""
    return (await session.execute(_FOR_OFFER, {"case_id": case_id})).first()


async def locked(session: AsyncSession, case_id: str) -> Receipt | None:
    return await session.get(Receipt, case_id, with_for_update=True)
