"""Intake's repository: creating a case (number, idempotency, outbox) and the read model."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.domain.case_number import format_case_number
from services.intake.domain.read_model import CaseReadModel, read_model_to_dict, replay, to_timeline_entry
from services.intake.domain.reference import MODE_BY_STAGE
from services.intake.store.models import Case, CaseNumberCounter, IdempotencyKey, Party, TimelineEntry
from shared.db import Database
from shared.events import Envelope
from shared.messaging import Outbox


def request_fingerprint(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class IdempotentReplay:
    status_code: int
    response: dict
    same_body: bool


async def claim_idempotency_key(session: AsyncSession, db: Database, scope: str, key: str,
                                fingerprint: str, now: datetime) -> IdempotentReplay | None:
    """Take the key for this request, or return what the first request with it answered.

    The insert blocks on PostgreSQL while a concurrent transaction holds the same key, so of twenty
    concurrent retries exactly one creates the case and the others read its answer.
    """
    claimed = await session.execute(
        db.insert(IdempotencyKey.__table__).values(
            scope=scope, key=key, request_hash=fingerprint, status_code=0, response={}, case_id="",
            created_at=now,
        ).on_conflict_do_nothing(index_elements=["scope", "key"]))
    if claimed.rowcount == 1:
        return None
    existing = await session.get(IdempotencyKey, (scope, key), populate_existing=True)
    return IdempotentReplay(existing.status_code, existing.response, existing.request_hash == fingerprint)


async def record_idempotent_response(session: AsyncSession, scope: str, key: str, status_code: int,
                                     response: dict, case_id: str) -> None:
    await session.execute(update(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
                          .values(status_code=status_code, response=response, case_id=case_id))


async def next_case_number(session: AsyncSession, db: Database, court_code: str, year: int) -> str:
    """The next number of this court and year; the counter row stays locked until commit."""
    await session.execute(db.insert(CaseNumberCounter.__table__)
                          .values(court_code=court_code, year=year, last_sequence=0)
                          .on_conflict_do_nothing(index_elements=["court_code", "year"]))
    sequence = (await session.execute(
        update(CaseNumberCounter)
        .where(CaseNumberCounter.court_code == court_code, CaseNumberCounter.year == year)
        .values(last_sequence=CaseNumberCounter.last_sequence + 1)
        .returning(CaseNumberCounter.last_sequence))).scalar_one()
    return format_case_number(year, court_code, sequence)


def received_event_data(case: Case, body: dict[str, Any]) -> dict[str, Any]:
    """What routing, mediation and notify need of the dispute; they never read intake's database."""
    return {
        "case_number": case.case_number,
        "court_code": case.court_code,
        "external_ref": case.external_ref,
        "stage": case.stage,
        "mode": MODE_BY_STAGE.get(case.stage),
        "procedure": case.procedure,
        "court_case_number": case.court_case_number,
        "category": case.category,
        "district": case.district,
        "claim_amount": None if case.claim_amount is None else f"{case.claim_amount:.2f}",
        "preferred_partner_id": case.preferred_partner_id,
        "partner_id": case.direct_partner_id,
        "summary": case.summary,
        "parties": [
            {"party_id": p.id, "role": p.role, "kind": p.kind, "name": p.name, "id_number": p.id_number,
             "phone": p.phone, "email": p.email, "consents_to_mediation": p.consents_to_mediation,
             "represented_by": p.representative,
             "law_firm": (p.representative or {}).get("law_firm")}
            for p in case.parties
        ],
    }


async def create_case(session: AsyncSession, db: Database, outbox: Outbox, *, body: dict[str, Any],
                      created_by: str, now: datetime) -> Case:
    case_id = str(uuid.uuid4())
    case_number = None
    if body["stage"] == "pre_filing":
        case_number = await next_case_number(session, db, body["court_code"], now.year)
    amount = body.get("claim_amount")
    case = Case(
        id=case_id, court_code=body["court_code"], external_ref=body.get("external_ref"), stage=body["stage"],
        procedure=body.get("procedure"), court_case_number=body.get("court_case_number"),
        category=body["category"], summary=body.get("summary") or "",
        claim_amount=None if amount is None else Decimal(str(amount)), district=body["district"],
        preferred_partner_id=body.get("preferred_partner_id"), direct_partner_id=body.get("partner_id"),
        case_number=case_number, created_by=created_by, created_at=now, updated_at=now, status="received",
        view={},
    )
    case.parties = [
        Party(id=str(uuid.uuid4()), position=i, role=p["role"], kind=p["kind"], name=p["name"],
              id_number=p["id_number"], phone=p.get("phone"), email=p.get("email"), address=p.get("address"),
              representative=p.get("represented_by"), consents_to_mediation=p["consents_to_mediation"])
        for i, p in enumerate(body["parties"])
    ]
    session.add(case)
    await session.flush()
    envelope = Envelope.new("case.received", case_id, "intake", received_event_data(case, body), occurred_at=now)
    await outbox.add(session, envelope)
    await record_event(session, envelope, case)
    return case


async def record_event(session: AsyncSession, envelope: Envelope, case: Case | None = None) -> bool:
    """Put an event on the case's timeline and rebuild the read model. False if the case is unknown."""
    case = case or await session.get(Case, envelope.case_id, with_for_update=True)
    if case is None:
        return False
    case_id, entry = to_timeline_entry(envelope)
    if await session.get(TimelineEntry, entry.event_id) is None:
        session.add(TimelineEntry(event_id=entry.event_id, case_id=case_id, type=entry.type,
                                  occurred_at=entry.occurred_at, source=envelope.source, data=dict(entry.data)))
        await session.flush()
    rows = (await session.execute(select(TimelineEntry).where(TimelineEntry.case_id == case_id))).scalars().all()
    view = replay(case_id, [to_timeline_entry({"event_id": r.event_id, "type": r.type, "case_id": case_id,
                                               "occurred_at": r.occurred_at, "data": r.data})[1] for r in rows])
    apply_view(case, view)
    return True


def apply_view(case: Case, view: CaseReadModel) -> None:
    stored = read_model_to_dict(view)
    stored.pop("timeline", None)
    stored.update({
        "period_days": view.period_days, "attempt": view.attempt, "next_session_at": view.next_session_at,
        "handoff_type": view.handoff_type, "unroutable_reason": view.unroutable_reason,
        "declined_partner_ids": list(view.declined_partner_ids),
        "outcome_at": view.outcome_at.isoformat() if view.outcome_at else None,
        "handoff": None if view.handoff is None else {
            "type": view.handoff.type,
            "sent_at": view.handoff.sent_at.isoformat() if view.handoff.sent_at else None,
            "acknowledged_at": view.handoff.acknowledged_at.isoformat() if view.handoff.acknowledged_at else None,
            "court_case_number": view.handoff.court_case_number,
        },
    })
    case.status = view.status
    case.partner_id = view.partner_id
    case.view = stored
    case.updated_at = view.updated_at or case.updated_at


async def timeline_of(session: AsyncSession, case_id: str) -> list[TimelineEntry]:
    rows = await session.execute(select(TimelineEntry).where(TimelineEntry.case_id == case_id)
                                 .order_by(TimelineEntry.occurred_at, TimelineEntry.event_id))
    return list(rows.scalars())


async def list_cases(session: AsyncSession, *, court_code: str | None, status: str | None, category: str | None,
                     partner_id: str | None, created_after: datetime | None, cursor: tuple[datetime, str] | None,
                     limit: int) -> list[Case]:
    query = select(Case)
    if court_code is not None:
        query = query.where(Case.court_code == court_code)
    if status:
        query = query.where(Case.status == status)
    if category:
        query = query.where(Case.category == category)
    if partner_id:
        query = query.where(Case.partner_id == partner_id)
    if created_after:
        query = query.where(Case.created_at > created_after)
    if cursor:
        created_at, case_id = cursor
        query = query.where(or_(Case.created_at > created_at, and_(Case.created_at == created_at, Case.id > case_id)))
    query = query.order_by(Case.created_at, Case.id).limit(limit + 1)
    return list((await session.execute(query)).scalars())
