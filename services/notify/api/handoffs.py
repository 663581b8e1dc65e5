"""Hand-offs to the court system and their acknowledgement: for ops, the clerks of the court they
went to, and the partner that mediated the case."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.notify.api.deps import HandoffReader, Limit, runtime
from services.notify.api.responses import HandoffList, HandoffView
from services.notify.api.views import handoff_view
from services.notify.store import handoffs as store
from shared.auth import Principal
from shared.pagination import cursor_position, split_page
from shared.problems import Problem

router = APIRouter(prefix="/v1/handoffs", tags=["handoffs"])


def _scope(principal: Principal) -> dict[str, str | None]:
    if principal.role == "clerk":
        return {"court_code": principal.court_code, "partner_id": None}
    if principal.role == "partner":
        return {"court_code": None, "partner_id": principal.partner_id}
    return {"court_code": None, "partner_id": None}


@router.get("", summary="Hand-offs, filterable by case, cursor-paginated", response_model=HandoffList)
async def list_handoffs(request: Request, principal: HandoffReader, case_id: str | None = None,
                        limit: Limit = 50, cursor: str | None = None) -> dict:
    rt = runtime(request)
    async with rt.db.read() as session:
        rows = await store.list_handoffs(session, case_id=case_id, cursor=cursor_position(cursor), limit=limit,
                                         **_scope(principal))
    page, next_cursor = split_page(rows, limit, lambda h: (h.created_at, h.id))
    return {"items": [handoff_view(h) for h in page], "next_cursor": next_cursor}


@router.get("/{handoff_id}", summary="One hand-off", response_model=HandoffView)
async def get_handoff(handoff_id: str, request: Request, principal: HandoffReader) -> dict:
    rt = runtime(request)
    scope = _scope(principal)
    async with rt.db.read() as session:
        handoff = await store.get_handoff(session, handoff_id)
    if handoff is None or any(value is not None and getattr(handoff, key) != value for key, value in scope.items()):
        raise Problem(404, "No such hand-off.")
    return handoff_view(handoff)
