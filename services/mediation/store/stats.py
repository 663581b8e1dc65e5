"""The case records `GET /v1/stats` computes over: receipts, mediations and the partners' answers
(declines and lapses, from the audit trail) joined in Python by case id, loading only what can
count in the window (a stamp inside it, or open now)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.domain.states import Action, MediationStatus
from services.mediation.domain.stats import RETURNED_TO_COURT, CaseRecord, OfferAnswer, Window
from services.mediation.store.models import AuditEntry, Mediation, Receipt

_CHUNK = 500
_ANSWER_KIND = {Action.DECLINE.value: "declined", Action.LAPSE_OFFER.value: "lapsed"}


def _in(column, window: Window):
    return and_(column >= window.start, column < window.end)


async def _by_ids(session: AsyncSession, model, key, ids: Iterable[str]) -> list:
    ids = sorted(set(ids))
    found: list = []
    for start in range(0, len(ids), _CHUNK):
        found += (await session.scalars(select(model).where(key.in_(ids[start:start + _CHUNK])))).all()
    return found


async def case_records(session: AsyncSession, window: Window, now: datetime,
                       partner_id: str | None) -> list[CaseRecord]:
    """Everything that can count for the caller: all cases for ops and the bureau (`partner_id`
    None); for a partner, the cases it holds and those it answered no to (compute_stats keeps only
    its own facts of those)."""
    open_now = and_(Mediation.accepted_at <= now, or_(Mediation.outcome_at.is_(None), Mediation.outcome_at > now))
    query = select(Mediation).where(or_(_in(Mediation.routed_at, window), _in(Mediation.accepted_at, window),
                                        _in(Mediation.outcome_at, window), open_now))
    answers_query = select(AuditEntry.case_id, AuditEntry.partner_id, AuditEntry.action, AuditEntry.at).where(
        AuditEntry.action.in_(list(_ANSWER_KIND)), _in(AuditEntry.at, window))
    if partner_id is not None:
        query = query.where(Mediation.partner_id == partner_id)
        answers_query = answers_query.where(AuditEntry.partner_id == partner_id)
    mediations = {m.case_id: m for m in (await session.scalars(query)).all()}
    answers: dict[str, list[OfferAnswer]] = {}
    for case_id, answered_by, action, at in (await session.execute(answers_query.order_by(AuditEntry.id))).all():
        answers.setdefault(case_id, []).append(OfferAnswer(answered_by or "", _ANSWER_KIND[action], at))
    receipts: dict[str, Receipt] = {}
    if partner_id is None:
        # unroutable cases, and cases withdrawn before any offer, reached no partner: only the
        # city-wide readers see them
        counted = or_(_in(Receipt.received_at, window), _in(Receipt.unroutable_at, window),
                      _in(Receipt.withdrawn_at, window))
        receipts.update({r.case_id: r for r in (await session.scalars(select(Receipt).where(counted))).all()})
    wanted = (set(answers) | set(receipts)) - set(mediations)
    mediations.update({m.case_id: m for m in await _by_ids(session, Mediation, Mediation.case_id, wanted)})
    missing = set(mediations) - set(receipts)
    receipts.update({r.case_id: r for r in await _by_ids(session, Receipt, Receipt.case_id, missing)})
    return [_record(case_id, receipts.get(case_id), mediations.get(case_id), tuple(answers.get(case_id, ())))
            for case_id in sorted(set(receipts) | set(mediations))]


def _holder(mediation: Mediation) -> str | None:
    """The partner holding the case: nobody once it declined (routing has it again), nor when the
    court withdrew it while declined."""
    if mediation.status == MediationStatus.DECLINED.value:
        return None
    if (mediation.outcome_detail or {}).get("while") == MediationStatus.DECLINED.value:
        return None
    return mediation.partner_id


def _record(case_id: str, receipt: Receipt | None, mediation: Mediation | None,
            answers: tuple[OfferAnswer, ...]) -> CaseRecord:
    unroutable_at = receipt.unroutable_at if receipt is not None else None
    returned_from_routing = unroutable_at if receipt is not None and receipt.return_to_court else None
    if mediation is None:
        assert receipt is not None
        # withdrawn before any offer: a withdrawal all the same, which must not vanish from the figures
        withdrawn = receipt.withdrawn_at
        return CaseRecord(case_id=case_id, received_at=receipt.received_at, category=receipt.category or "other",
                          mode=receipt.mode or "delegation", district=receipt.district or "",
                          outcome="withdrawn" if withdrawn else None, outcome_at=withdrawn,
                          unroutable_at=unroutable_at, returned_to_court_at=returned_from_routing, answers=answers)
    # a case.received that never arrived (or arrives late) must not drop the case: routing came after it
    received_at = receipt.received_at if receipt is not None else mediation.routed_at
    returned_at = mediation.outcome_at if mediation.handoff_type in RETURNED_TO_COURT else returned_from_routing
    return CaseRecord(case_id=case_id, received_at=received_at,
                      category=mediation.category or (receipt.category if receipt else None) or "other",
                      mode=mediation.mode, district=mediation.district or (receipt.district if receipt else "") or "",
                      partner_id=None if unroutable_at is not None else _holder(mediation),
                      routed_at=mediation.routed_at, accepted_at=mediation.accepted_at, outcome=mediation.outcome,
                      outcome_at=mediation.outcome_at, deadline=mediation.due_at, unroutable_at=unroutable_at,
                      returned_to_court_at=returned_at, answers=answers)
