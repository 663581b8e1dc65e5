"""The JSON the routing API answers: partners (personal data masked for all but ops), decisions
(with each exclusion as a sentence an ops user can read) and the parties' joint-choice window."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from services.routing.domain.explain import partner_label
from services.routing.domain.index import RosterIndex
from services.routing.domain.policy import PACKS
from services.routing.domain.ruleset import FILTERS, MANDATORY_FILTERS, validate_ruleset
from services.routing.store.models import PartnerRow, RoutedCase, RulesetRow
from shared.clock import BEIJING
from shared.masking import mask_id_number


def _conflicts(raw: dict | None, reveal: bool) -> dict[str, list[str]]:
    raw = raw or {}
    numbers = [str(n) for n in raw.get("id_numbers") or []]
    return {"id_numbers": numbers if reveal else [mask_id_number(n) for n in numbers],
            "law_firms": list(raw.get("law_firms") or [])}


def _amount(value: Any) -> str | None:
    return None if value is None else f"{Decimal(str(value)):.2f}"


def partner_view(row: PartnerRow, *, reveal_personal_data: bool) -> dict[str, Any]:
    doc = row.document
    districts = doc["districts"]  # "city" or a list: the roster's validation requires one
    citywide = districts == "city"
    return {
        "id": row.id,
        "kind": doc["kind"],
        "name": {"zh": doc["name_zh"], "en": doc["name_en"]},
        "city": str(doc.get("city", "370200")),
        "categories": sorted(doc["categories"]),
        "citywide": citywide,
        "districts": None if citywide else sorted(str(d) for d in districts),
        "modes": sorted(doc["modes"]),
        "claim_range": {"min": _amount(doc.get("min_claim")), "max": _amount(doc.get("max_claim"))},
        "capacity": row.capacity,
        "open_cases": row.open_cases,
        "active": row.active,
        "self_period_days": doc.get("self_period_days"),
        "conflicts": _conflicts(doc.get("conflicts"), reveal_personal_data),
        "mediators": [{"id": m["id"], "name": m["name"], "specialties": sorted(m.get("specialties") or []),
                       "conflicts": _conflicts(m.get("conflicts"), reveal_personal_data)}
                      for m in doc.get("mediators") or []],
        "updated_at": row.updated_at.isoformat(),
    }


def ruleset_view(row: RulesetRow, today: date) -> dict[str, Any]:
    """The stored document (with the fields an older version lacks filled in as routing applies
    them), the pack a case filed `today` (Beijing) goes by, and the packs there are."""
    ruleset = validate_ruleset({**row.document, "version": row.version})
    period, until = ruleset.pack_period_for(today)
    pack = PACKS[period.pack]
    return {
        **ruleset.to_document(),
        "installed_at": None if row.installed_at is None else row.installed_at.isoformat(),
        "installed_by": row.installed_by,
        "available_filters": list(FILTERS),
        "mandatory_filters": [f for f in FILTERS if f in MANDATORY_FILTERS],
        "policy_pack_in_force": {"pack": pack.code, "title": pack.title, "on": today.isoformat(),
                                 "applies_from": period.applies_from.isoformat(),
                                 "applies_until": None if until is None else until.isoformat()},
        "available_policy_packs": [_pack_view(p) for p in PACKS.values()],
    }


def _pack_view(pack) -> dict[str, Any]:
    return {"code": pack.code, "title": pack.title, "valid_from": pack.valid_from.isoformat(),
            "modes": sorted(m.value for m in pack.modes),
            "extension": {"max_extensions": pack.extension.max_extensions, "max_days": pack.extension.max_days}}


# Fields GET /v1/routing/rules adds around the document: a client may PUT back what it read.
READ_ONLY_RULESET_FIELDS = ("installed_at", "installed_by", "available_filters", "mandatory_filters",
                            "policy_pack_in_force", "available_policy_packs")


def decision_view(document: dict[str, Any], index: RosterIndex,
                  rest_of_roster: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A stored (or simulated) decision with partner names and one sentence per exclusion; the
    exclusions the decision recorded come first, then `rest_of_roster` (computed when asked)."""

    def name(partner_id: str | None) -> str | None:
        partner = index.get(partner_id or "")
        return None if partner is None else partner.name_en

    def sentence(partner_id: str, detail: str) -> str:
        partner = index.get(partner_id)
        return f"{partner_label(partner) if partner else partner_id} {detail}."

    return {
        **document,
        "partner_name": name(document.get("partner_id")),
        "candidates": [{**c, "partner_name": name(c["partner_id"])} for c in document.get("candidates", [])],
        "excluded": [{"evaluated": "at_decision", **e, "partner_name": name(e["partner_id"]),
                      "explanation": sentence(e["partner_id"], e["detail"])}
                     for e in [*document.get("excluded", []), *(rest_of_roster or [])]],
    }


def partner_account_view(case_id: str, partner_id: str, index: RosterIndex,
                         accounts: list[dict[str, Any]]) -> dict[str, Any]:
    """`?partner_id=`: per decision, why that partner was or was not chosen, as one sentence too."""
    partner = index.get(partner_id)
    label = partner_label(partner) if partner else partner_id
    return {"case_id": case_id, "partner_id": partner_id, "partner_name": partner.name_en if partner else None,
            "items": [{**a, "explanation": a["detail"] if a["status"] == "chosen" else f"{label} {a['detail']}."}
                      for a in accounts]}


def choice_view(routed: RoutedCase, working_days: int | None, now: datetime) -> dict[str, Any]:
    """The parties' joint-choice window (2021 Art 10) as it stands; `window` null when the ruleset
    gave none."""
    if routed.choice_closes_at is None or working_days is None:
        return {"case_id": routed.case_id, "window": None}
    chosen = routed.facts.get("preferred_partner_id")
    if chosen:
        status = "chosen"
    elif routed.attempt == 0 and not routed.closed and now < routed.choice_closes_at:
        status = "open"
    else:
        status = "closed"
    return {"case_id": routed.case_id, "window": {
        # the window opened when routing received the case (actions/route_case.py)
        "working_days": working_days, "opened_at": routed.received_at.astimezone(BEIJING).isoformat(),
        "closes_at": routed.choice_closes_at.astimezone(BEIJING).isoformat(),
        "calendar_provisional": routed.choice_calendar_provisional, "status": status,
        "chosen_partner_id": chosen, "chosen_mediator_id": routed.facts.get("preferred_mediator_id")}}
