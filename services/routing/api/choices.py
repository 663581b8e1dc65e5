"""POST /v1/routing/choices/{case_id}: the parties' joint choice of a partner from the roster, and
optionally of a mediator at that partner (2021 Art 10), recorded by the clerk of the case's court
(or ops) while the window the ruleset gives is open. The case is decided at once: the choice is
followed when the partner is eligible, and the decision says why not otherwise (2016 Art 12).
After the window, or once decided, it is 409; the rules have designated."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, StringConstraints

from services.routing.api.deps import runtime
from services.routing.api.responses import DecisionView
from services.routing.api.views import decision_view
from services.routing.consumers.decide import DecideConsumer
from services.routing.store.models import RoutedCase
from shared.auth import Principal, require
from shared.problems import Problem

router = APIRouter(prefix="/v1/routing/choices", tags=["routing"])
Recorder = Annotated[Principal, Depends(require("clerk", "ops"))]
RosterId = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]


class JointChoiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    partner_id: RosterId
    mediator_id: RosterId | None = None


@router.post("/{case_id}", summary="Record the parties' joint choice of partner (and mediator) within the window",
             response_model=DecisionView)
async def record_choice(case_id: str, body: JointChoiceIn, request: Request, principal: Recorder) -> dict:
    rt = runtime(request)
    async with rt.db.unit_of_work() as session:
        routed = await session.get(RoutedCase, case_id, with_for_update=True)
        court = (routed.facts or {}).get("court_code") if routed else None
        if routed is None or (principal.role == "clerk" and principal.court_code != court):
            raise Problem(404, "No case waiting for routing with this id.")
        if routed.choice_closes_at is None:
            raise Problem(409, "The ruleset gave this case no joint-choice window; the rules decided.")
        if routed.closed or routed.attempt > 0:
            raise Problem(409, "The case is already decided; the parties' choice can no longer be recorded.")
        if rt.clock.now() >= routed.choice_closes_at:
            raise Problem(409, f"The joint-choice window closed at {routed.choice_closes_at.isoformat()}; "
                               "the rules designate a partner (2021 Art 10).")
        index = await rt.roster.index(session)
        partner = index.get(body.partner_id)
        if partner is None:
            raise Problem(422, "The chosen partner is not on the roster.",
                          errors=[{"field": "partner_id", "message": "not a partner of the roster"}])
        if body.mediator_id is not None and body.mediator_id not in {m.id for m in partner.mediators}:
            raise Problem(422, "The chosen mediator does not mediate for the chosen partner.",
                          errors=[{"field": "mediator_id", "message": f"not a mediator of {partner.id}"}])
        decision = await DecideConsumer(rt).record_choice(session, routed, partner.id, body.mediator_id,
                                                          principal.subject)
        document = {**decision.to_dict(), "decided_at": rt.clock.now().isoformat()} if decision else None
    if document is None:
        raise Problem(409, "The case is already decided; the parties' choice can no longer be recorded.")
    return decision_view(document, index)
