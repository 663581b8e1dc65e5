"""GET /v1/routing/decisions/{case_id}: every decision for a case, oldest first, explained.

`excluded` lists every roster body that takes the case's category (and the parties' choice): those
the decision looked at with the reason it recorded, the rest (outside the dispute's area) computed
now (domain/accounting.py). `?partner_id=P07` answers, per decision, why that partner, any partner,
was or was not chosen.

Who may read: ops; the clerk of the case's court; a partner one of the decisions routed the case
to (and, with `?partner_id=`, only about itself). Anyone else gets 404, as for an unknown case, so
the endpoint does not reveal which cases exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.routing.api.deps import DecisionReader, runtime
from services.routing.api.responses import DecisionList, PartnerAccountList
from services.routing.api.views import decision_view, partner_account_view
from services.routing.domain.accounting import partner_account, rest_of_roster
from services.routing.domain.case import InvalidRoutingCase, RoutingCase
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


@router.get("/{case_id}", summary="Each routing decision for the case, oldest first, with its reasons",
            response_model=DecisionList | PartnerAccountList)
async def get_decisions(case_id: str, request: Request, principal: DecisionReader,
                        partner_id: Annotated[str | None, Query(min_length=1, max_length=20,
                                                                pattern=r"^[A-Za-z0-9_-]+$")] = None) -> dict:
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
        if partner_id is not None and partner_id != principal.partner_id:
            raise Problem(404, "No routing decision for this case.")
    case = _case(case_id, routed)
    if partner_id is not None:
        if index.get(partner_id) is None:
            raise Problem(404, f"No partner {partner_id} on the roster.",
                          errors=[{"field": "partner_id", "message": "not a partner of the roster"}])
        return partner_account_view(case_id, partner_id, index,
                                    [partner_account(case, index, row.document, partner_id) for row in rows])
    return {"case_id": case_id, "items": [decision_view(row.document, index, rest_of_roster(case, index, row.document))
                                          for row in rows]}


def _case(case_id: str, routed) -> RoutingCase:
    try:
        return RoutingCase.from_case_body(case_id, routed.facts)
    except InvalidRoutingCase:  # decisions exist only for cases routing could read
        raise Problem(404, "No routing decision for this case.") from None
