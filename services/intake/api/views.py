"""How a case is shown: the clerk who filed it sees personal data; lists and other roles see it masked."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from sqlalchemy import Row

from services.intake.domain.reference import MODE_BY_STAGE
from services.intake.store.models import Case
from shared.masking import mask_id_number, mask_phone


def created_view(case: Case | Mapping[str, Any]) -> dict:
    """The answer of a create: from a stored case, or from the row filing has just written."""
    get: Callable[[str], Any] = case.get if isinstance(case, Mapping) else partial(getattr, case)
    return {
        "id": get("id"),
        "case_number": get("case_number"),
        "status": get("status"),
        "stage": get("stage"),
        "mode": MODE_BY_STAGE.get(get("stage")),
        "court_code": get("court_code"),
        "external_ref": get("external_ref"),
        "created_at": get("created_at").isoformat(),
    }


def _party(party, reveal: bool) -> dict:
    return {
        "id": party.id, "role": party.role, "kind": party.kind, "name": party.name,
        "id_number": party.id_number if reveal else mask_id_number(party.id_number),
        "phone": (party.phone if reveal else mask_phone(party.phone)) if party.phone else None,
        "address": party.address if reveal else None,
        "represented_by": party.representative,
        "consents_to_mediation": party.consents_to_mediation,
    }


def case_view(case: Case, timeline: Sequence[Row[Any]] | None, *, reveal_personal_data: bool) -> dict:
    """The case as GET /v1/cases/{id} shows it; `timeline` its rows (store.cases.timeline_of), None in lists."""
    view = case.view or {}
    body = {
        **created_view(case),
        "status": case.status,
        "mode": view.get("mode") or MODE_BY_STAGE.get(case.stage),
        "procedure": case.procedure,
        "court_case_number": case.court_case_number,
        "category": case.category,
        "district": case.district,
        "summary": case.summary,
        "claim_amount": None if case.claim_amount is None else f"{case.claim_amount:.2f}",
        "preferred_partner_id": case.preferred_partner_id,
        "partner_id": view.get("partner_id"),
        "mediator_id": view.get("mediator_id"),
        "period_days": view.get("period_days"),
        "deadline": view.get("deadline"),
        "paused": bool(view.get("paused")),
        "next_session_at": view.get("next_session_at"),
        "outcome": view.get("outcome"),
        "unroutable_reason": view.get("unroutable_reason"),
        "handoff": view.get("handoff"),
        "updated_at": case.updated_at.isoformat(),
        "parties": [_party(p, reveal_personal_data) for p in case.parties],
    }
    if timeline is not None:
        body["timeline"] = [
            {"event_id": e.event_id, "type": e.type, "occurred_at": e.occurred_at.isoformat(),
             "source": e.source, "data": e.data}
            for e in timeline
        ]
    return body
