"""The clerk's API: create, read, list and withdraw cases."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse

from services.intake.api.schemas import CaseCreate, WithdrawRequest
from services.intake.api.views import case_view, created_view
from services.intake.store import cases as repo
from services.intake.store.models import Case
from shared.auth import Principal, require
from shared.events import Envelope
from shared.pagination import cursor_position, split_page
from shared.problems import Problem

router = APIRouter(prefix="/v1/cases", tags=["cases"])

Clerk = Annotated[Principal, Depends(require("clerk"))]
Reader = Annotated[Principal, Depends(require("clerk", "ops"))]
IdempotencyKeyHeader = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


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


@router.post("", status_code=201, summary="Create a dispute (clerk)")
async def create_case(body: CaseCreate, request: Request, principal: Clerk,
                      idempotency_key: IdempotencyKeyHeader = None) -> JSONResponse:
    if not idempotency_key:
        raise Problem(400, "The Idempotency-Key header is required on POST /v1/cases.",
                      errors=[{"field": "Idempotency-Key", "message": "required header"}])
    if body.court_code != principal.court_code:
        raise Problem(403, "A clerk may only file cases for their own court.",
                      errors=[{"field": "court_code", "message": f"your token is bound to court {principal.court_code}"}])
    rt = runtime(request)
    payload = body.model_dump(mode="json")
    fingerprint = repo.request_fingerprint(payload)
    scope = f"clerk:{principal.court_code}"
    now = rt.clock.now()
    async with rt.db.unit_of_work() as session:
        earlier = await repo.claim_idempotency_key(session, rt.db, scope, idempotency_key, fingerprint, now)
        if earlier is None:
            case = await repo.create_case(session, rt.db, rt.outbox, body=payload, created_by=principal.subject, now=now)
            answer = created_view(case)
            await repo.record_idempotent_response(session, scope, idempotency_key, 201, answer, case.id)
    if earlier is not None:
        if not earlier.same_body:
            raise Problem(409, "This Idempotency-Key was used with a different request body.",
                          errors=[{"field": "Idempotency-Key", "message": "reused with another body"}])
        return JSONResponse(earlier.response, status_code=earlier.status_code, headers={"Idempotent-Replayed": "true"})
    return JSONResponse(answer, status_code=201, headers={"Location": f"/v1/cases/{answer['id']}"})


@router.get("/{case_id}", summary="The case as the clerk sees it now, with its timeline")
async def get_case(case_id: str, request: Request, principal: Reader) -> dict:
    rt = runtime(request)
    async with rt.db.read() as session:
        case = await _visible_case(session, principal, case_id)
        timeline = await repo.timeline_of(session, case.id)
    return case_view(case, timeline, reveal_personal_data=principal.role == "clerk")


@router.get("", summary="The clerk's court's cases, filtered and cursor-paginated")
async def list_cases(request: Request, principal: Reader,
                     status: str | None = None, category: str | None = None, partner_id: str | None = None,
                     created_after: datetime | None = None,
                     limit: Annotated[int, Query(ge=1, le=200)] = 50, cursor: str | None = None) -> dict:
    if created_after is not None and created_after.tzinfo is None:
        raise Problem(422, "created_after needs a UTC offset.",
                      errors=[{"field": "created_after", "message": "RFC 3339 time with offset required"}])
    position = cursor_position(cursor)
    rt = runtime(request)
    async with rt.db.read() as session:
        rows = await repo.list_cases(session, court_code=_court_scope(principal), status=status, category=category,
                                     partner_id=partner_id, created_after=created_after, cursor=position, limit=limit)
    page, next_cursor = split_page(rows, limit, lambda c: (c.created_at, c.id))
    return {"items": [case_view(c, None, reveal_personal_data=False) for c in page], "next_cursor": next_cursor}


@router.post("/{case_id}/withdraw", summary="The applicant withdrew; mediation stops (clerk)")
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
