"""GET and PUT /v1/routing/rules: the ruleset in force, and ops installing the next version.

PUT takes the ruleset document (weights, locality, filters, policy_packs, joint_choice). The server
numbers versions: the new one is the version in force + 1. A `version` in the body names the
version the edit was based on (what GET answered); if another version was installed since, the PUT
is refused with 409 rather than silently overwriting that change. A refused ruleset changes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from sqlalchemy.exc import IntegrityError

from services.routing.actions import rules
from services.routing.api.deps import AnyRole, Ops, runtime
from services.routing.api.errors import refusals
from services.routing.api.responses import RulesetView
from services.routing.api.views import READ_ONLY_RULESET_FIELDS, ruleset_view
from services.routing.store import rulesets as repo
from shared.clock import beijing_date
from shared.problems import Problem

router = APIRouter(prefix="/v1/routing/rules", tags=["routing"])


@router.get("", summary="The ruleset in force, with its version and the policy pack in force today",
            response_model=RulesetView)
async def get_rules(request: Request, _principal: AnyRole) -> dict:
    rt = runtime(request)
    async with rt.db.read() as session:
        return ruleset_view(await repo.in_force(session), beijing_date(rt.clock.now()))


def _based_on(document: dict[str, Any]) -> int | None:
    based_on = document.pop("version", None)
    if based_on is not None and (isinstance(based_on, bool) or not isinstance(based_on, int)):
        raise Problem(422, "The ruleset is invalid.",
                      errors=[{"field": "version", "message": "the version the edit is based on, a whole number"}])
    return based_on


@router.put("", summary="Validate and install a new ruleset version (ops)", response_model=RulesetView)
async def put_rules(request: Request, principal: Ops, document: Annotated[Any, Body()]) -> dict:
    if not isinstance(document, dict):
        raise Problem(422, "The ruleset is invalid.", errors=[{"field": "body", "message": "a JSON object"}])
    document = {k: v for k, v in document.items() if k not in READ_ONLY_RULESET_FIELDS}
    based_on = _based_on(document)
    rt = runtime(request)
    try:
        with refusals():
            async with rt.db.unit_of_work() as session:
                row = await rules.install_ruleset(session, rt, document, based_on, principal.subject)
    except IntegrityError:
        raise Problem(409, "Another ruleset version was installed at the same time; read it and try again.") from None
    return ruleset_view(row, beijing_date(rt.clock.now()))
