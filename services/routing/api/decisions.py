"""GET /v1/routing/decisions/{case_id}: every decision for a case, oldest first, explained.

Who may read: ops; the clerk of the case's court; a partner one of the decisions routed the case
to. Anyone else gets 404, as for an unknown case, so the endpoint does not reveal which cases exist.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.routing.api.deps import DecisionReader, runtime
from services.routing.api.views import decision_view
from services.routing.store import decisions as repo
from shared.auth import Principal
from shared.problems import Problem

router = APIRouter(prefix="/v1/routing/decisions", tags=["routing"])


def _may_read(principal: Principal, court_code: str | None, partner_ids: set[str]) -> bool:
    if principal.role == "ops":
        return True
    if principal.role == "clerk":
        return court_code is not None and principal.court_code == court_code
    return principal.partner_id is not None and principal.partner_id in partner_ids


@router.get("/{case_id}", summary="Each routing decision for the case, oldest first, with its reasons")
async def get_decisions(case_id: str, request: Request, principal: DecisionReader) -> dict:
    rt = runtime(request)
    async with rt.db.read() as session:
        routed, rows = await repo.of_case(session, case_id)
        court_code = (routed.facts or {}).get("court_code") if routed else None
        if not rows or not _may_read(principal, court_code, {r.partner_id for r in rows if r.partner_id}):
            raise Problem(404, "No routing decision for this case.")
        index = await rt.roster.index(session)
    if principal.role == "partner":
        # A partner sees the rounds that chose it, not later rounds' candidates and other bodies'
        # declared conflicts.
        rows = [r for r in rows if r.partner_id == principal.partner_id]
    return {"case_id": case_id, "items": [decision_view(row.document, index) for row in rows]}
