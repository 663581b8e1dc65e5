"""The clerk's API: create (one case or a batch), read, list and withdraw cases."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from services.intake.metrics import CASES_RECEIVED
from services.intake.api.schemas import (CaseBatch, CaseBatchAnswer, CaseCreate, CaseCreated, CaseList, CaseView,
                                         CategoryCode, PartnerId, Status, WithdrawRequest, field_errors)
from services.intake.api.views import case_view, created_view
from services.intake.domain.case_number import case_number_year
from services.intake.domain.reference import mode_for_stage
from services.intake.store import cases as repo
from services.intake.store.models import Case
from shared.auth import Principal, require
from shared.boundary import BODY_LIMIT_KEY
from shared.events import Envelope
from shared.inputs import Instant
from shared.logging import get_logger
from shared.pagination import cursor_position, split_page
from shared.problems import Problem

log = get_logger("intake.api")
router = APIRouter(prefix="/v1/cases", tags=["cases"])

Clerk = Annotated[Principal, Depends(require("clerk"))]
Reader = Annotated[Principal, Depends(require("clerk", "ops"))]
IdempotencyKeyHeader = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
BATCH_BODY_BYTES = 8 * 1024 * 1024


def runtime(request: Request):
    return request.app.state.runtimes["intake"]


def _court_scope(principal: Principal) -> str | None:
    return None if principal.role == "ops" else principal.court_code


async def _visible_case(session, principal: Principal, case_id: str, *, lock: bool = False) -> Case:
    """The case if this principal may see it; 404 otherwise (another court's case is not revealed)."""
    try:
        uuid.UUID(case_id)
    except ValueError:
        raise Problem(404, "No such case.") from None
    case = await session.get(Case, case_id, with_for_update=lock)
    court = _court_scope(principal)
    if case is None or (court is not None and case.court_code != court):
        raise Problem(404, "No such case.")
    return case


@router.post("", status_code=201, summary="Create a dispute (clerk)", response_model=CaseCreated,
             responses={200: {"model": CaseCreated, "description": "A replay of this Idempotency-Key's first answer "
                                                                    "(header `Idempotent-Replayed: true`)"}})
async def create_case(body: CaseCreate, request: Request, principal: Clerk,
                      idempotency_key: IdempotencyKeyHeader = None) -> JSONResponse:
    if not idempotency_key:
        raise Problem(400, "The Idempotency-Key header is required on POST /v1/cases.",
                      errors=[{"field": "Idempotency-Key", "message": "required header"}])
    [outcome] = await _file(runtime(request), principal, [_filing(idempotency_key, body, principal)])
    if isinstance(outcome, Problem):
        raise outcome
    if outcome.replayed:
        return JSONResponse(outcome.body, status_code=outcome.status_code, headers={"Idempotent-Replayed": "true"})
    return JSONResponse(outcome.body, status_code=201, headers={"Location": f"/v1/cases/{outcome.body['id']}"})


@router.post("/batch", summary="File up to 500 disputes at once, answered item by item (clerk)",
             response_model=CaseBatchAnswer,
             # 500 cases do not fit the 1 MB every other body gets; the Ingress allows 8 MB too.
             openapi_extra={BODY_LIMIT_KEY: BATCH_BODY_BYTES})
async def create_cases(batch: CaseBatch, request: Request, principal: Clerk) -> JSONResponse:
    checked = [_checked(item.idempotency_key, item.case, principal) for item in batch.items]
    filed = iter(await _file(runtime(request), principal, [c for c in checked if isinstance(c, repo.Filing)]))
    answers = [next(filed) if isinstance(c, repo.Filing) else c for c in checked]
    items = [_batch_item(index, item.idempotency_key, answer)
             for index, (item, answer) in enumerate(zip(batch.items, answers))]
    counts = {"created": sum(1 for i in items if i["status"] == 201 and not i["replayed"]),
              "replayed": sum(1 for i in items if i["replayed"]),
              "refused": sum(1 for i in items if i["status"] >= 400)}
    log.info("case batch filed", court_code=principal.court_code, items=len(items), **counts)
    return JSONResponse({"items": items, "counts": counts})


@dataclass(frozen=True)
class Outcome:
    """What filing one case answers: 201 and the created case, or the first answer of its key."""

    status_code: int
    body: dict
    replayed: bool = False


def _checked(key: str, raw: Any, principal: Principal) -> repo.Filing | Problem:
    """A batch item's case checked as POST /v1/cases checks its body: the same problem if refused."""
    try:
        case = CaseCreate.model_validate(raw)
    except ValidationError as invalid:
        return Problem(422, "The request has invalid fields.",
                       errors=[error.model_dump() for error in field_errors(invalid.errors())])
    try:
        return _filing(key, case, principal)
    except Problem as refused:
        return refused


def _filing(key: str, case: CaseCreate, principal: Principal) -> repo.Filing:
    if case.court_code != principal.court_code:
        raise Problem(403, "A clerk may only file cases for their own court.",
                      errors=[{"field": "court_code", "message": f"your token is bound to court {principal.court_code}"}])
    return repo.Filing.of(key, case.model_dump(mode="json"))


async def _file(rt, principal: Principal, filings: list[repo.Filing]) -> list[Outcome | Problem]:
    """File each case once per Idempotency-Key, all in one transaction: the single create and the
    batch share this path. Answers come in the order of `filings`."""
    if not filings:
        return []
    scope = f"clerk:{principal.court_code}"
    now = rt.clock.now()
    async with rt.db.unit_of_work() as session:
        earlier = await repo.claim_idempotency_keys(session, rt.db, scope, {f.key: f.fingerprint for f in filings}, now)
        new = [repo.new_case(f, created_by=principal.subject, now=now) for f in filings if f.key not in earlier]
        filed = await repo.file_cases(session, rt.db, rt.outbox, new, year=case_number_year(now))
        created = {case.key: created_view(case.row) for case in filed}
        await repo.record_idempotent_responses(session, scope, [(case.key, 201, created[case.key], case.id)
                                                                for case in filed])
    for case in filed:  # counted once committed: a rolled-back batch received nothing
        CASES_RECEIVED.labels(mode=mode_for_stage(case.row["stage"]), category=case.row["category"]).inc()
    return [Outcome(201, created[f.key]) if f.key in created else _replay(earlier[f.key]) for f in filings]


def _replay(earlier: repo.IdempotentReplay) -> Outcome | Problem:
    if not earlier.same_body:
        return Problem(409, "This Idempotency-Key was used with a different request body.",
                       errors=[{"field": "Idempotency-Key", "message": "reused with another body"}])
    return Outcome(earlier.status_code, earlier.response, replayed=True)


def _batch_item(index: int, key: str, answer: Outcome | Problem) -> dict:
    if isinstance(answer, Problem):
        return {"index": index, "idempotency_key": key, "status": answer.status, "replayed": False,
                "body": answer.body()}
    return {"index": index, "idempotency_key": key, "status": answer.status_code, "replayed": answer.replayed,
            "body": answer.body}


@router.get("/{case_id}", summary="The case as the clerk sees it now, with its timeline", response_model=CaseView)
async def get_case(case_id: str, request: Request, principal: Reader) -> dict:
    rt = runtime(request)
    async with rt.db.read() as session:
        case = await _visible_case(session, principal, case_id)
        timeline = await repo.timeline_of(session, case.id)
    return case_view(case, timeline, reveal_personal_data=principal.role == "clerk")


@router.get("", summary="The clerk's court's cases, filtered and cursor-paginated", response_model=CaseList)
async def list_cases(request: Request, principal: Reader,
                     status: Status | None = None, category: CategoryCode | None = None,
                     partner_id: PartnerId | None = None, created_after: Instant | None = None,
                     limit: Annotated[int, Query(ge=1, le=200)] = 50, cursor: str | None = None) -> dict:
    position = cursor_position(cursor)
    rt = runtime(request)
    async with rt.db.read() as session:
        rows = await repo.list_cases(session, court_code=_court_scope(principal), status=status, category=category,
                                     partner_id=partner_id, created_after=created_after, cursor=position, limit=limit)
    page, next_cursor = split_page(rows, limit, lambda c: (c.created_at, c.id))
    return {"items": [case_view(c, None, reveal_personal_data=False) for c in page], "next_cursor": next_cursor}


@router.post("/{case_id}/withdraw", summary="The applicant withdrew; mediation stops (clerk)", response_model=CaseView)
async def withdraw_case(case_id: str, request: Request, principal: Clerk, body: WithdrawRequest | None = None) -> dict:
    rt = runtime(request)
    async with rt.db.unit_of_work() as session:
        case = await _visible_case(session, principal, case_id, lock=True)
        if case.status in {"settled", "failed", "withdrawn", "expired", "unroutable", "handed_off", "closed"}:
            raise Problem(409, f"The case is already {case.status}; it cannot be withdrawn.")
        envelope = Envelope.new("case.withdrawn", case.id, "intake",
                                {"reason": (body.reason if body else None), "withdrawn_by": principal.subject,
                                 "court_code": case.court_code, "stage": case.stage},
                                occurred_at=rt.clock.now())
        await rt.outbox.add(session, envelope)
        await repo.record_event(session, envelope, case)
        timeline = await repo.timeline_of(session, case.id)
        return case_view(case, timeline, reveal_personal_data=True)
