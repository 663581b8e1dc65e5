"""How a mediation is shown. Lists mask personal data; the detail shows the parties' names to the
partner and its mediators, and their id numbers once the partner accepted (domain/disclosure.py):
they need them to contact the parties and disclose conflicts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.mediation.actions.clock import current_due
from services.mediation.actions.core import rfc3339
from services.mediation.domain.calendar import HolidayCalendar
from services.mediation.domain.disclosure import id_numbers_disclosed
from services.mediation.domain.machine import allowed_actions
from services.mediation.domain.states import MediationStatus, Role
from services.mediation.store.models import AuditEntry, Contact, Extension, ExtensionConsent, Mediation, Session
from shared.auth import Principal
from shared.masking import mask_id_number, mask_name


def _parties(mediation: Mediation, reveal: bool) -> list[dict[str, Any]]:
    ids = reveal and id_numbers_disclosed(mediation)
    out = []
    for p in (mediation.case_snapshot or {}).get("parties") or []:
        firm = p.get("law_firm") or (p.get("represented_by") or {}).get("law_firm")
        out.append({
            "party_id": p.get("party_id"), "role": p.get("role"), "kind": p.get("kind"),
            "name": p.get("name") if reveal else mask_name(p.get("name")),
            "id_number": p.get("id_number") if ids else mask_id_number(p.get("id_number")),
            "law_firm": firm, "consents_to_mediation": p.get("consents_to_mediation"),
        })
    return out


def _deadline(mediation: Mediation, now: datetime, calendar: HolidayCalendar | None) -> dict[str, Any] | None:
    if mediation.accepted_at is None:
        return None
    due = current_due(mediation, now, calendar)
    return {"period_days": mediation.period_days, "accepted_at": rfc3339(mediation.accepted_at),
            "due_at": rfc3339(due.at), "calendar_provisional": due.provisional,
            "paused": mediation.status == MediationStatus.PAUSED.value,
            "pauses": list(mediation.pauses or []), "extension_days": list(mediation.extension_days or [])}


def _outcome(mediation: Mediation, show_note: bool) -> dict[str, Any] | None:
    if mediation.outcome is None:
        return None
    detail = dict(mediation.outcome_detail or {})
    if not show_note:
        detail.pop("note", None)
    return {**detail, "result": mediation.outcome, "at": rfc3339(mediation.outcome_at),
            "handoff_type": mediation.handoff_type}


def _contact_window(mediation: Mediation) -> dict[str, Any] | None:
    if mediation.contact_due_at is None:
        return None
    return {"opened_at": rfc3339(mediation.accepted_at), "due_at": rfc3339(mediation.contact_due_at),
            "contacted_at": rfc3339(mediation.contacted_at),
            "calendar_provisional": bool(mediation.contact_calendar_provisional)}


def _judicial_confirmation(mediation: Mediation) -> dict[str, Any] | None:
    """The parties' 30 days to apply for judicial confirmation (民事诉讼法 Art 205), Art 85 applied."""
    if mediation.confirmation_due_at is None:
        return None
    return {"applies_until": rfc3339(mediation.confirmation_due_at), "days": 30,
            "calendar_provisional": bool(mediation.confirmation_calendar_provisional)}


def summary_view(mediation: Mediation, now: datetime, calendar: HolidayCalendar | None = None) -> dict[str, Any]:
    snapshot = mediation.case_snapshot or {}
    return {
        "case_id": mediation.case_id, "status": mediation.status, "partner_id": mediation.partner_id,
        "mode": mediation.mode, "attempt": mediation.attempt, "case_number": mediation.case_number,
        "court_case_number": snapshot.get("court_case_number"), "court_code": mediation.court_code,
        "category": mediation.category, "district": mediation.district, "mediator_id": mediation.mediator_id,
        "parties": _parties(mediation, reveal=False),
        "offer": {"offered_at": rfc3339(mediation.offered_at), "closes_at": rfc3339(mediation.offer_closes_at),
                  "calendar_provisional": bool(mediation.offer_calendar_provisional)},
        "deadline": _deadline(mediation, now, calendar),
        # the first contact with the other party (2021 Art 15): due by contact_due_at, made at contacted_at
        "contact_due_at": rfc3339(mediation.contact_due_at), "contacted_at": rfc3339(mediation.contacted_at),
        "contact_window": _contact_window(mediation),
        "judicial_confirmation": _judicial_confirmation(mediation),
        "outcome": mediation.outcome, "handoff_type": mediation.handoff_type,
        "routed_at": rfc3339(mediation.routed_at), "updated_at": rfc3339(mediation.updated_at),
    }


def detail_view(mediation: Mediation, principal: Principal, now: datetime, *, audit: list[AuditEntry],
                sessions: list[Session], extensions: list[Extension], consents: list[ExtensionConsent],
                contacts: list[Contact], calendar: HolidayCalendar | None = None) -> dict[str, Any]:
    snapshot = mediation.case_snapshot or {}
    at_partner = principal.role in ("partner", "mediator")
    by_extension: dict[str, list[str]] = {}
    for consent in consents:
        by_extension.setdefault(consent.extension_id, []).append(consent.party_id)
    return {
        **summary_view(mediation, now, calendar),
        "partner_name": mediation.partner_name, "policy_pack": mediation.policy_pack,
        "extension_rule": mediation.extension_rule,
        "stage": snapshot.get("stage"), "procedure": snapshot.get("procedure"),
        "claim_amount": snapshot.get("claim_amount"),
        "parties": _parties(mediation, reveal=at_partner),
        "mediators": [{"id": m.get("id"), "name": m.get("name"), "specialties": m.get("specialties", [])}
                      for m in mediation.mediators or []],
        "accepted_at": rfc3339(mediation.accepted_at),
        "undisputed_facts": list(mediation.undisputed_facts or []),
        "outcome": _outcome(mediation, show_note=at_partner),
        "allowed_actions": sorted(a.value for a in allowed_actions(MediationStatus(mediation.status),
                                                                   Role(principal.role))),
        "contacts": [{"id": c.id, "party_id": c.party_id, "channel": c.channel,
                      "contacted_at": rfc3339(c.contacted_at), "recorded_at": rfc3339(c.recorded_at),
                      "recorded_by": c.recorded_by} for c in contacts],
        "sessions": [{"id": s.id, "scheduled_at": rfc3339(s.scheduled_at), "location": s.location,
                      "online": s.online, "mediator_id": s.mediator_id, "created_at": rfc3339(s.created_at)}
                     for s in sessions],
        "extensions": [{"id": e.id, "days": e.days, "granted_at": rfc3339(e.granted_at),
                        "deadline": rfc3339(e.new_due_at), "consents": sorted(by_extension.get(e.id, []))}
                       for e in extensions],
        "audit": [{"at": rfc3339(a.at), "role": a.role, "actor_id": a.actor_id, "action": a.action,
                   "from": a.from_status, "to": a.to_status, "reason": a.reason,
                   "partner_id": a.partner_id, "attempt": a.attempt} for a in audit],
    }
