"""POST /v1/routing/choices/{case_id}: the parties' joint choice of a partner from the roster, and
optionally of a mediator at that partner (2021 Art 10), recorded by the clerk of the case's court
(or ops) while the window the ruleset gives is open. The case is decided at once: the choice is
followed when the partner is eligible, and the decision says why not otherwise (2016 Art 12).
After the window, or once decided, it is 409; the rules have designated.

GET answers the window as it stands (the same readers): until when, whether it is counted on a
provisional year (and so may move when ops load that year's notice), and whether the parties chose."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, StringConstraints

from services.routing.actions import joint_choice
from services.routing.api.deps import runtime
from services.routing.api.errors import refusals
from services.routing.api.responses import DecisionView, JointChoiceView
from services.routing.api.views import choice_view, decision_view
from services.routing.store import routed_cases
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


@router.get("/{case_id}", summary="The parties' joint-choice window of the case, if the ruleset gave one",
            response_model=JointChoiceView)
async def get_choice(case_id: str, request: Request, principal: Recorder) -> dict:
    rt = runtime(request)
    async with rt.db.read() as session:
        routed = await session.get(RoutedCase, case_id)
        court = (routed.facts or {}).get("court_code") if routed else None
        if routed is None or (principal.role == "clerk" and principal.court_code != court):
            raise Problem(404, "No case routing knows with this id.")
        working_days = None
        if routed.choice_closes_at is not None:
            _, rules = await rt.rulesets.read(session, routed.ruleset_version)
            working_days = rules.joint_choice.working_days if rules.joint_choice else None
    return choice_view(routed, working_days, rt.clock.now())


@router.post("/{case_id}", summary="Record the parties' joint choice of partner (and mediator) within the window",
             response_model=DecisionView)
async def record_choice(case_id: str, body: JointChoiceIn, request: Request, principal: Recorder) -> dict:
    rt = runtime(request)
    with refusals():
        async with rt.db.unit_of_work() as session:
            routed = await routed_cases.locked(session, case_id)
            court = (routed.facts or {}).get("court_code") if routed else None
            if routed is None or (principal.role == "clerk" and principal.court_code != court):
                raise Problem(404, "No case waiting for routing with this id.")
            decision = await joint_choice.record_choice(session, rt, routed, body.partner_id, body.mediator_id,
                                                        principal.subject)
            document = {**decision.to_dict(), "decided_at": rt.clock.now().isoformat()}
            index = await rt.roster.index(session)
    return decision_view(document, index)
