"""The case records `GET /v1/stats` computes over: receipts and mediations joined in Python by case
id, loading only what can count in the window (a stamp inside it, or open now)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.domain.stats import CaseRecord, Window
from services.mediation.store.models import Mediation, Receipt

_CHUNK = 500


def _in(column, window: Window):
    return and_(column >= window.start, column < window.end)


async def case_records(session: AsyncSession, window: Window, now: datetime,
                       partner_id: str | None) -> list[CaseRecord]:
    open_now = and_(Mediation.accepted_at <= now, or_(Mediation.outcome_at.is_(None), Mediation.outcome_at > now))
    query = select(Mediation).where(or_(_in(Mediation.routed_at, window), _in(Mediation.accepted_at, window),
                                        _in(Mediation.outcome_at, window), open_now))
    if partner_id is not None:
        query = query.where(Mediation.partner_id == partner_id)
    mediations = {m.case_id: m for m in (await session.scalars(query)).all()}
    receipts: dict[str, Receipt] = {}
    if partner_id is None:
        # an unroutable case was received too; only ops sees cases that reached no partner
        in_window = select(Receipt).where(_in(Receipt.received_at, window))
        receipts.update({r.case_id: r for r in (await session.scalars(in_window)).all()})
    missing = [case_id for case_id in mediations if case_id not in receipts]
    for start in range(0, len(missing), _CHUNK):
        chunk = missing[start:start + _CHUNK]
        rows = (await session.scalars(select(Receipt).where(Receipt.case_id.in_(chunk)))).all()
        receipts.update({r.case_id: r for r in rows})
    return [_record(case_id, receipts.get(case_id), mediations.get(case_id))
            for case_id in sorted(set(receipts) | set(mediations))]


def _record(case_id: str, receipt: Receipt | None, mediation: Mediation | None) -> CaseRecord:
    if mediation is None:
        assert receipt is not None
        return CaseRecord(case_id=case_id, received_at=receipt.received_at, category=receipt.category or "other",
                          mode=receipt.mode or "delegation", district=receipt.district or "")
    # a case.received that never arrived (or arrives late) must not drop the case: routing came after it
    received_at = receipt.received_at if receipt is not None else mediation.routed_at
    return CaseRecord(case_id=case_id, received_at=received_at,
                      category=mediation.category or (receipt.category if receipt else None) or "other",
                      mode=mediation.mode, district=mediation.district or (receipt.district if receipt else "") or "",
                      partner_id=mediation.partner_id, routed_at=mediation.routed_at,
                      accepted_at=mediation.accepted_at, outcome=mediation.outcome, outcome_at=mediation.outcome_at,
                      deadline=mediation.due_at)
