"""POST /v1/routing/simulate (ops): what routing would decide for a case body now, with the ruleset
in force, the roster's current load and the policy pack its schedule names for a case filed today (or
`?policy_pack=`, to try a pack without installing it). Read-only:
no decision row, no event, no capacity taken."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request

from services.routing.actions import simulate as simulation
from services.routing.api.deps import Ops, runtime
from services.routing.api.responses import SimulatedDecision
from services.routing.api.schemas import SimulatedCase
from services.routing.api.views import decision_view
from services.routing.domain.case import InvalidRoutingCase, RoutingCase
from services.routing.domain.policy import PolicyPackNotInForce
from shared.problems import Problem

router = APIRouter(prefix="/v1/routing/simulate", tags=["routing"])
SIMULATION = "simulation"


@router.post("", summary="Decide for a case body without storing or sending anything (ops)",
             response_model=SimulatedDecision)
async def simulate(body: SimulatedCase, request: Request, _principal: Ops,
                   policy_pack: Literal["spc-2016", "spc-2025"] | None = None) -> dict:
    errors = body.stage_errors()
    if errors:
        raise Problem(422, "The case body is invalid.", errors=errors)
    try:
        case = RoutingCase.from_case_body(SIMULATION, body.model_dump())
    except InvalidRoutingCase as exc:
        raise Problem(422, "The case cannot be routed.", errors=[{"field": "body", "message": str(exc)}]) from None
    rt = runtime(request)
    now = rt.clock.now()
    async with rt.db.read() as session:
        try:
            decision = await simulation.simulate(session, rt, case, policy_pack)
        except PolicyPackNotInForce as exc:
            raise Problem(422, str(exc), errors=[{"field": "policy_pack", "message": str(exc)}]) from None
        index = await rt.roster.index(session)
    document = {**decision.to_dict(), "case_id": None, "simulated": True, "decided_at": now.isoformat()}
    return decision_view(document, index)
