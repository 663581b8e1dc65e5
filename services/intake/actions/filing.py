"""Filing cases, one or a batch of up to 500, each once per Idempotency-Key: the keys, the case rows,
their case.received through the outbox and the keys' answers, in one transaction. The single create
is a batch of one, so both share this path."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.domain.case_number import case_number_year
from services.intake.domain.read_model import replay, to_timeline_entry
from services.intake.domain.reference import MODE_BY_STAGE, mode_for_stage
from services.intake.metrics import CASES_RECEIVED
from services.intake.store import cases as repo
from services.intake.store.models import IDEMPOTENCY_KEYS
from shared.auth import Principal
from shared.events import Envelope
from shared.idempotency import Replay, fingerprint
from shared.messaging import Outbox


@dataclass(frozen=True)
class Filing:
    """One case to file: its Idempotency-Key, its validated body (JSON-ready) and that body's fingerprint."""

    key: str
    body: dict[str, Any]
    fingerprint: str

    @classmethod
    def of(cls, key: str, body: dict[str, Any]) -> Filing:
        return cls(key, body, fingerprint(body))


@dataclass(frozen=True)
class Filed:
    """A case this request filed: what POST /v1/cases answers with 201."""

    body: dict[str, Any]


async def file_cases(rt: Any, principal: Principal, filings: Sequence[Filing], *,
                     answer: Callable[[Mapping[str, Any]], dict[str, Any]]) -> list[Filed | Replay]:
    """File each case once per Idempotency-Key, all in one transaction; for a key used before, what
    its first request answered. Answers come in the order of `filings`; `answer` is the API's view of
    a filed case row, remembered with its key in the same transaction."""
    if not filings:
        return []
    scope = f"clerk:{principal.court_code}"
    now = rt.clock.now()
    async with rt.filing_turns, rt.db.unit_of_work() as session:
        earlier = await IDEMPOTENCY_KEYS.claim_many(session, rt.db, scope, {f.key: f.fingerprint for f in filings},
                                                    now)
        new = [new_case(f, created_by=principal.subject, now=now) for f in filings if f.key not in earlier]
        filed = await _write(session, rt, new, year=case_number_year(now))
        created = {case.key: answer(case.row) for case in filed}
        await IDEMPOTENCY_KEYS.remember_many(session, scope, [(case.key, 201, created[case.key]) for case in filed])
    for case in filed:  # counted once committed: a rolled-back batch received nothing
        CASES_RECEIVED.labels(mode=mode_for_stage(case.row["stage"]), category=case.row["category"]).inc()
    return [Filed(created[f.key]) if f.key in created else earlier[f.key] for f in filings]


async def _write(session: AsyncSession, rt: Any, cases: Sequence[repo.NewCase], *, year: int) -> list[repo.NewCase]:
    """Write new cases, their parties, timeline entries and case.received outbox rows; the cases come
    back numbered, in the order given (a court's pre-filing cases are numbered in that order too).

    Everything that does not need a case number is written first, so the counter row is locked only
    for the statements that write the number (case row, timeline, outbox; the keys' answers follow)
    and concurrent filings of the court queue on it as briefly as possible. Keep this order.
    """
    if not cases:
        return []
    await repo.insert_cases(session, cases, rt.party_lookup)
    await _received(session, rt.outbox, [case for case in cases if not case.needs_number])
    numbered = await repo.number_cases(session, rt.db, [case for case in cases if case.needs_number], year)
    await _received(session, rt.outbox, numbered)
    by_id = {case.id: case for case in numbered}
    return [by_id.get(case.id, case) for case in cases]


async def _received(session: AsyncSession, outbox: Outbox, cases: Sequence[repo.NewCase]) -> None:
    """case.received of each case on its timeline and in the outbox."""
    if not cases:
        return
    envelopes = [case.received for case in cases]
    await repo.add_to_timeline(session, envelopes)
    await outbox.add_many(session, envelopes)


def new_case(filing: Filing, *, created_by: str, now: datetime) -> repo.NewCase:
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
    row.update(repo.read_model_columns(replay(case_id, [to_timeline_entry(received)[1]]), now))
    return repo.NewCase(filing.key, row, parties, received)


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
