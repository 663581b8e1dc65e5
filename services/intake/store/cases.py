"""Intake's repository: filing cases (idempotency keys, gapless numbers, outbox) and the read model.

Filing writes with Core multi-row statements, one per table for a whole batch, not an ORM flush per
case: the single create is a batch of one, and 500 cases cost the same handful of round trips.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace as replaced
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import lazyload

from services.intake.domain.case_number import format_case_number
from services.intake.domain.read_model import CaseReadModel, read_model_to_dict, replay, to_timeline_entry
from services.intake.domain.reference import MODE_BY_STAGE
from services.intake.store.models import Case, CaseNumberCounter, IdempotencyKey, Party, TimelineEntry
from shared.db import Database
from shared.events import Envelope
from shared.messaging import Outbox
from shared.pagination import after_position

CASES: Table = Case.__table__
PARTIES: Table = Party.__table__
TIMELINE: Table = TimelineEntry.__table__
KEYS: Table = IdempotencyKey.__table__
COUNTERS: Table = CaseNumberCounter.__table__

# Built once: these run while the counter row is locked, where every microsecond queues the court.
_TAKE_NUMBERS = (update(COUNTERS)
                 .where(COUNTERS.c.court_code == bindparam("b_court"), COUNTERS.c.year == bindparam("b_year"))
                 .values(last_sequence=COUNTERS.c.last_sequence + bindparam("b_count"))
                 .returning(COUNTERS.c.last_sequence))
_SET_NUMBER = update(CASES).where(CASES.c.id == bindparam("b_id")).values(case_number=bindparam("b_number"))
_RECORD_ANSWER = (update(KEYS).where(KEYS.c.scope == bindparam("b_scope"), KEYS.c.key == bindparam("b_key"))
                  .values(status_code=bindparam("b_status"), response=bindparam("b_response"),
                          case_id=bindparam("b_case_id")))


def request_fingerprint(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class IdempotentReplay:
    status_code: int
    response: dict
    same_body: bool


async def claim_idempotency_keys(session: AsyncSession, db: Database, scope: str, fingerprints: Mapping[str, str],
                                 now: datetime) -> dict[str, IdempotentReplay]:
    """Take the keys (key -> request fingerprint); for each key taken before, what its first request
    answered. Keys missing from the answer are this transaction's.

    The insert blocks on PostgreSQL while a concurrent transaction holds one of the keys, so of twenty
    concurrent retries exactly one creates the case and the others read its answer. Keys are claimed
    in sorted order, so two batches sharing keys queue behind each other instead of deadlocking.
    """
    if not fingerprints:
        return {}
    rows = [{"scope": scope, "key": key, "request_hash": fingerprints[key], "status_code": 0, "response": {},
             "case_id": "", "created_at": now} for key in sorted(fingerprints)]
    claim = db.insert(KEYS).on_conflict_do_nothing(index_elements=["scope", "key"]).returning(KEYS.c.key)
    claimed = set((await session.execute(claim, rows)).scalars())
    taken = [key for key in fingerprints if key not in claimed]
    if not taken:
        return {}
    earlier = await session.execute(select(KEYS.c.key, KEYS.c.request_hash, KEYS.c.status_code, KEYS.c.response)
                                    .where(KEYS.c.scope == scope, KEYS.c.key.in_(taken)))
    return {row.key: IdempotentReplay(row.status_code, row.response, row.request_hash == fingerprints[row.key])
            for row in earlier}


async def record_idempotent_responses(session: AsyncSession, scope: str,
                                      answers: Sequence[tuple[str, int, dict, str]]) -> None:
    """Store (key, status code, response, case id) of each key this transaction claimed."""
    if not answers:
        return
    await session.execute(_RECORD_ANSWER, [{"b_scope": scope, "b_key": key, "b_status": status, "b_response": response,
                                    "b_case_id": case_id} for key, status, response, case_id in answers])


async def next_case_numbers(session: AsyncSession, db: Database, court_code: str, year: int,
                            count: int = 1) -> list[str]:
    """The next `count` numbers of this court and year, in order, from one UPDATE of the counter row.

    The row then stays locked until commit (a rollback gives the numbers back, so they are gapless),
    and every filing of the court queues on it: take them as late in the transaction as possible.
    One UPDATE once the row exists; only the court's first case of the year creates it first.
    """
    last = (await session.execute(_TAKE_NUMBERS, {"b_court": court_code, "b_year": year, "b_count": count})).scalar()
    if last is None:
        await session.execute(db.insert(COUNTERS).values(court_code=court_code, year=year, last_sequence=0)
                              .on_conflict_do_nothing(index_elements=["court_code", "year"]))
        last = (await session.execute(_TAKE_NUMBERS, {"b_court": court_code, "b_year": year,
                                                      "b_count": count})).scalar_one()
    return [format_case_number(year, court_code, sequence) for sequence in range(last - count + 1, last + 1)]


@dataclass(frozen=True)
class Filing:
    """One case to file: its Idempotency-Key, its validated body (JSON-ready) and that body's fingerprint."""

    key: str
    body: dict[str, Any]
    fingerprint: str

    @classmethod
    def of(cls, key: str, body: dict[str, Any]) -> "Filing":
        return cls(key, body, request_fingerprint(body))


@dataclass(frozen=True)
class NewCase:
    """A case being filed, as the rows it writes; a pre-filing case gets its number just before commit."""

    key: str
    row: dict[str, Any]
    parties: list[dict[str, Any]]
    received: Envelope

    @property
    def id(self) -> str:
        return self.row["id"]

    @property
    def needs_number(self) -> bool:
        return self.row["stage"] == "pre_filing"

    def numbered(self, case_number: str) -> "NewCase":
        received = self.received.model_copy(update={"data": {**self.received.data, "case_number": case_number}})
        return replaced(self, row={**self.row, "case_number": case_number}, received=received)


def new_case(filing: Filing, *, created_by: str, now: datetime) -> NewCase:
    """The rows of one filed case, its case.received and its read model, all computed before any write."""
    body, case_id = filing.body, str(uuid.uuid4())
    amount = body.get("claim_amount")
    row = {
        "id": case_id, "court_code": body["court_code"], "external_ref": body.get("external_ref"),
        "stage": body["stage"], "procedure": body.get("procedure"), "court_case_number": body.get("court_case_number"),
        "category": body["category"], "summary": body.get("summary") or "",
        "claim_amount": None if amount is None else Decimal(str(amount)), "district": body["district"],
        "preferred_partner_id": body.get("preferred_partner_id"), "direct_partner_id": body.get("partner_id"),
        "case_number": None, "created_by": created_by, "created_at": now,
    }
    parties = [
        {"id": str(uuid.uuid4()), "case_id": case_id, "position": i, "role": p["role"], "kind": p["kind"],
         "name": p["name"], "id_number": p["id_number"], "phone": p.get("phone"), "email": p.get("email"),
         "address": p.get("address"), "representative": p.get("represented_by"),
         "consents_to_mediation": p["consents_to_mediation"]}
        for i, p in enumerate(body["parties"])
    ]
    received = Envelope.new("case.received", case_id, "intake", received_event_data(row, parties), occurred_at=now)
    # The read model of a new case is its case.received alone: derived here, so no read-back is needed.
    row.update(read_model_columns(replay(case_id, [to_timeline_entry(received)[1]]), now))
    return NewCase(filing.key, row, parties, received)


def received_event_data(case: Mapping[str, Any], parties: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What routing, mediation and notify need of the dispute; they never read intake's database."""
    amount = case["claim_amount"]
    return {
        "case_number": case["case_number"],
        "court_code": case["court_code"],
        "external_ref": case["external_ref"],
        "stage": case["stage"],
        "mode": MODE_BY_STAGE.get(case["stage"]),
        "procedure": case["procedure"],
        "court_case_number": case["court_case_number"],
        "category": case["category"],
        "district": case["district"],
        "claim_amount": None if amount is None else f"{amount:.2f}",
        "preferred_partner_id": case["preferred_partner_id"],
        "partner_id": case["direct_partner_id"],
        "summary": case["summary"],
        "parties": [
            {"party_id": p["id"], "role": p["role"], "kind": p["kind"], "name": p["name"], "id_number": p["id_number"],
             "phone": p["phone"], "email": p["email"], "consents_to_mediation": p["consents_to_mediation"],
             "represented_by": p["representative"],
             "law_firm": (p["representative"] or {}).get("law_firm")}
            for p in parties
        ],
    }


async def file_cases(session: AsyncSession, db: Database, outbox: Outbox, cases: Sequence[NewCase], *,
                     year: int) -> list[NewCase]:
    """Write new cases, their parties, timeline entries and case.received outbox rows; the cases come
    back numbered, in the order given (a court's pre-filing cases are numbered in that order too).

    Everything that does not need a case number is written first, so the counter row is locked only
    for the statements that write the number (case row, timeline, outbox; the caller's idempotency
    answers follow) and concurrent filings of the court queue on it as briefly as possible.
    """
    if not cases:
        return []
    await session.execute(insert(CASES), [case.row for case in cases])
    await session.execute(insert(PARTIES), [party for case in cases for party in case.parties])
    await _write_received(session, outbox, [case for case in cases if not case.needs_number])
    numbered = await _numbered(session, db, [case for case in cases if case.needs_number], year)
    await _write_received(session, outbox, numbered)
    by_id = {case.id: case for case in numbered}
    return [by_id.get(case.id, case) for case in cases]


async def _numbered(session: AsyncSession, db: Database, cases: Sequence[NewCase], year: int) -> list[NewCase]:
    numbered: list[NewCase] = []
    # One counter per court, taken in a fixed order so that two filings of several courts cannot deadlock.
    for court in sorted({case.row["court_code"] for case in cases}):
        of_court = [case for case in cases if case.row["court_code"] == court]
        numbers = await next_case_numbers(session, db, court, year, len(of_court))
        numbered += [case.numbered(number) for case, number in zip(of_court, numbers)]
    if numbered:
        await session.execute(_SET_NUMBER, [{"b_id": case.id, "b_number": case.row["case_number"]}
                                            for case in numbered])
    return numbered


async def _write_received(session: AsyncSession, outbox: Outbox, cases: Sequence[NewCase]) -> None:
    if not cases:
        return
    await session.execute(insert(TIMELINE), [timeline_row(case.received) for case in cases])
    await outbox.add_many(session, [case.received for case in cases])


def timeline_row(envelope: Envelope) -> dict[str, Any]:
    """The timeline row of an event, personal data dropped."""
    case_id, entry = to_timeline_entry(envelope)
    return {"event_id": entry.event_id, "case_id": case_id, "type": entry.type, "occurred_at": entry.occurred_at,
            "source": envelope.source, "data": dict(entry.data)}


async def record_event(session: AsyncSession, envelope: Envelope, case: Case | None = None) -> bool:
    """Put an event on the case's timeline and rebuild the read model. False if the case is unknown."""
    # The parties are not part of the read model: do not load them with the case.
    case = case or await session.get(Case, envelope.case_id, with_for_update=True, options=[lazyload(Case.parties)])
    if case is None:
        return False
    row = timeline_row(envelope)
    case_id = row["case_id"]
    if await session.get(TimelineEntry, row["event_id"]) is None:
        session.add(TimelineEntry(**row))
        await session.flush()
    rows = (await session.execute(select(TimelineEntry).where(TimelineEntry.case_id == case_id))).scalars().all()
    view = replay(case_id, [to_timeline_entry({"event_id": r.event_id, "type": r.type, "case_id": case_id,
                                               "occurred_at": r.occurred_at, "data": r.data})[1] for r in rows])
    apply_view(case, view)
    return True


def read_model_columns(view: CaseReadModel, updated_at: datetime) -> dict[str, Any]:
    """The case row's read-model columns for this view (`updated_at` if the view has no event yet)."""
    stored = read_model_to_dict(view)
    stored.pop("timeline", None)
    stored.update({
        "period_days": view.period_days, "attempt": view.attempt, "next_session_at": view.next_session_at,
        "paused": view.paused,
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
    return {"status": view.status, "partner_id": view.partner_id, "view": stored,
            "updated_at": view.updated_at or updated_at}


def apply_view(case: Case, view: CaseReadModel) -> None:
    for column, value in read_model_columns(view, case.updated_at).items():
        setattr(case, column, value)


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
        query = query.where(after_position(Case.created_at, Case.id, cursor))
    query = query.order_by(Case.created_at, Case.id).limit(limit + 1)
    return list((await session.execute(query)).scalars())
