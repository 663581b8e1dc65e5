"""Why each partner of the roster was or was not chosen for a case.

A decision looks only at the partners its index group lists (the district's bodies and the city's
city-wide ones, plus the parties' choice), so it stays fast at national size; it records each of
them. Every other body that takes the dispute's category was left out because it does not serve the
dispute's area, and that part of the account is computed when someone asks
(`GET /v1/routing/decisions/{case_id}`), marked `"evaluated": "on_request"`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.routing.domain import explain
from services.routing.domain.case import RoutingCase
from services.routing.domain.index import RosterIndex
from services.routing.domain.roster import Partner
from services.routing.domain.vocabulary import Stage, city_of

AT_DECISION = "at_decision"
ON_REQUEST = "on_request"
# Decisions that ended before any partner was looked at: the pack refused the mode, or a party
# refused consent; no partner could have mattered.
_BEFORE_PARTNERS = frozenset({"mode_not_allowed", "consent_refused"})


def looked_at_partners(document: Mapping[str, Any]) -> bool:
    return document.get("outcome") == "routed" or document.get("reason") not in _BEFORE_PARTNERS


def _known(document: Mapping[str, Any]) -> set[str]:
    ids = {c["partner_id"] for c in document.get("candidates") or []}
    ids |= {e["partner_id"] for e in document.get("excluded") or []}
    if document.get("partner_id"):
        ids.add(document["partner_id"])
    return ids


def _outside_area(case: RoutingCase, partner: Partner) -> dict[str, Any]:
    same_city = partner.city == city_of(case.district)
    return {"partner_id": partner.id, "reason": "area", "filter": "district",
            "detail": explain.district(partner, case.district, strict=same_city), "evaluated": ON_REQUEST}


def rest_of_roster(case: RoutingCase, index: RosterIndex, document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The exclusions the decision did not record: every other body taking the category, by id.
    None for a case a party took to a partner directly (no other partner is ever considered) or a
    decision that ended before partners were looked at."""
    if case.stage is Stage.DIRECT or not looked_at_partners(document):
        return []
    known = _known(document)
    return [_outside_area(case, p) for p in index.taking(case.category) if p.id not in known]


def partner_account(case: RoutingCase, index: RosterIndex, document: Mapping[str, Any],
                    partner_id: str) -> dict[str, Any]:
    """Why this partner was or was not chosen in this decision: status `chosen`, `eligible` (ranked
    lower, with its score and rank), `excluded` (reason, detail) or `not_considered`."""
    head = {"attempt": document.get("attempt"), "outcome": document.get("outcome"),
            "decided_at": document.get("decided_at"), "chosen_partner_id": document.get("partner_id")}
    if not looked_at_partners(document):
        return {**head, "status": "not_considered", "reason": None, "evaluated": AT_DECISION,
                "detail": "No partner was looked at: " + str(document.get("reason_detail") or "")}
    if partner_id == document.get("partner_id"):
        return {**head, "status": "chosen", "reason": None, "evaluated": AT_DECISION,
                "detail": document.get("explanation")}
    candidates = document.get("candidates") or []
    for rank, candidate in enumerate(candidates, start=1):
        if candidate["partner_id"] == partner_id:
            best = candidates[0]
            return {**head, "status": "eligible", "reason": "ranked_lower", "evaluated": AT_DECISION,
                    "score": candidate["score"], "parts": candidate.get("parts"), "rank": rank,
                    "detail": (f"was eligible and ranked {rank} of {len(candidates)} with score {candidate['score']}; "
                               f"{best['partner_id']} ranked first with score {best['score']} (2021 Art 10)")}
    for exclusion in document.get("excluded") or []:
        if exclusion["partner_id"] == partner_id:
            return {**head, "status": "excluded", "evaluated": AT_DECISION, "reason": exclusion["reason"],
                    "filter": exclusion.get("filter"), "detail": exclusion["detail"]}
    partner = index.get(partner_id)
    if partner is None:
        return {**head, "status": "not_considered", "reason": None, "evaluated": ON_REQUEST,
                "detail": "is not on the roster"}
    if case.stage is Stage.DIRECT:
        return {**head, "status": "not_considered", "reason": None, "evaluated": ON_REQUEST,
                "detail": f"a party took the dispute to {case.partner_id} directly (自行调解); "
                          "no other partner is considered"}
    if case.category not in partner.categories:
        return {**head, "status": "excluded", "reason": "category", "filter": "category", "evaluated": ON_REQUEST,
                "detail": explain.category(case.category)}
    area = _outside_area(case, partner)
    del area["partner_id"]
    return {**head, "status": "excluded", **area}
