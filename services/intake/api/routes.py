"""The clerk's API: create (one case or a batch), read, list and withdraw cases."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from services.intake.actions import filing, withdrawal
from services.intake.api.schemas import (
    CaseBatch,
    CaseBatchAnswer,
    CaseCreate,
    CaseCreated,
    CaseList,
    CaseView,
    CategoryCode,
    PartnerId,
    Status,
    WithdrawRequest,
    field_errors,
)
from services.intake.api.views import case_view, created_view
from services.intake.store import cases as repo
from services.intake.store.models import Case
from shared.auth import Principal, require
from shared.boundary import BODY_LIMIT_KEY
from shared.idempotency import IdempotencyKeyHeader, Replay, replayed
from shared.inputs import Instant
from shared.logging import get_logger
from shared.pagination import cursor_position, split_page
from shared.problems import Problem
from shared.visibility import visible_row

log = get_logger("intake.api")
router = APIRouter(prefix="/v1/cases", tags=["cases"])

Clerk = Annotated[Principal, Depends(require("clerk"))]
Reader = Annotated[Principal, Depends(require("clerk", "ops"))]
BATCH_BODY_BYTES = 8 * 1024 * 1024


def runtime(request: Request):
    return request.app.state.runtimes["intake"]


def _court_scope(principal: Principal) -> str | None:
    return None if principal.role == "ops" else principal.court_code


async def _visible_case(session, principal: Principal, case_id: str, *, lock: bool = False) -> Case:
    """The case if this principal may see it; 404 otherwise (another court's case is not revealed)."""
    return await visible_row(session, Case, case_id, owner="court_code", scope=_court_scope(principal),
                             missing="No such case.", lock=lock)


@router.post("", status_code=201, summary="Create a dispute (clerk)", response_model=CaseCreated,
             responses={200: {"model": CaseCreated, "description": "A replay of this Idempotency-Key's first answer "
                                                                    "(header `Idempotent-Replayed: true`)"}})
async def create_case(body: CaseCreate, request: Request, principal: Clerk,
                      idempotency_key: IdempotencyKeyHeader = None) -> JSONResponse:
    if not idempotency_key:
        raise Problem(400, "The Idempotency-Key header is required on POST /v1/cases.",
                      errors=[{"field": "Idempotency-Key", "message": "required header"}])
    [answer] = await filing.file_cases(runtime(request), principal, [_filing(idempotency_key, body, principal)],
                                       answer=created_view)
    if isinstance(answer, Replay):
        return replayed(answer)
    return JSONResponse(answer.body, status_code=201, headers={"Location": f"/v1/cases/{answer.body['id']}"})


@router.post("/batch", summary="File up to 500 disputes at once, answered item by item (clerk)",
             response_model=CaseBatchAnswer,
             # 500 cases do not fit the 1 MB every other body gets; the Ingress allows 8 MB too.
             openapi_extra={BODY_LIMIT_KEY: BATCH_BODY_BYTES})
async def create_cases(batch: CaseBatch, request: Request, principal: Clerk) -> JSONResponse:
    checked = [_checked(item.idempotency_key, item.case, principal) for item in batch.items]
    filed = iter(await filing.file_cases(runtime(request), principal,
                                         [c for c in checked if isinstance(c, filing.Filing)], answer=created_view))
    answers = [next(filed) if isinstance(c, filing.Filing) else c for c in checked]
    items = [_batch_item(index, item.idempotency_key, answer)
             for index, (item, answer) in enumerate(zip(batch.items, answers, strict=True))]
    counts = {"created": sum(1 for i in items if i["status"] == 201 and not i["replayed"]),
              "replayed": sum(1 for i in items if i["replayed"]),
              "refused": sum(1 for i in items if i["status"] >= 400)}
    log.info("case batch filed", court_code=principal.court_code, items=len(items), **counts)
    return JSONResponse({"items": items, "counts": counts})


def _checked(key: str, raw: Any, principal: Principal) -> filing.Filing | Problem:
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


def _filing(key: str, case: CaseCreate, principal: Principal) -> filing.Filing:
    if case.court_code != principal.court_code:
        raise Problem(403, "A clerk may only file cases for their own court.",
                      errors=[{"field": "court_code",
                               "message": f"your token is bound to court {principal.court_code}"}])
    return filing.Filing.of(key, case.model_dump(mode="json"))


def _batch_item(index: int, key: str, answer: filing.Filed | Replay | Problem) -> dict:
    """One item's answer: filed, replayed, or the problem POST /v1/cases would answer for it."""
    if isinstance(answer, Replay):
        answer = answer.refusal() or answer
    if isinstance(answer, Problem):
        status, again, body = answer.status, False, answer.body()
    elif isinstance(answer, Replay):
        status, again, body = answer.status_code, True, answer.response
    else:
        status, again, body = 201, False, answer.body
    return {"index": index, "idempotency_key": key, "status": status, "replayed": again, "body": body}


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
        try:
            await withdrawal.withdraw(session, rt, case, reason=body.reason if body else None, by=principal.subject)
        except withdrawal.AlreadyClosed as closed:
            raise Problem(409, f"The case is already {closed.status}; it cannot be withdrawn.") from None
        timeline = await repo.timeline_of(session, case.id)
        return case_view(case, timeline, reveal_personal_data=True)
