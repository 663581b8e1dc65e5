"""What notify keeps of a case from the events it hears, without reading another service's database.

Hand-offs need the court and the mode, notices the case number and the partner's name, webhooks the
partner the case is with. Each event may fill some of these; later events never blank them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.vocabulary import MODE_BY_STAGE

_RECEIVED_KEYS = ("court_code", "stage", "mode", "procedure", "category", "case_number", "court_case_number")


def facts_from_event(event_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The case facts this event states (only keys with a value)."""
    facts: dict[str, Any] = {}
    snapshot = data.get("case")
    if isinstance(snapshot, Mapping):
        # routing forwards the case as it was received: fills in what notify may have missed.
        facts.update(_received_facts(snapshot))
    if event_type == "case.received":
        facts.update(_received_facts(data))
        if data.get("partner_id"):
            facts["partner_id"] = data["partner_id"]
    elif event_type == "case.routed":
        for key in ("partner_id", "partner_name", "mode", "period_days"):
            if data.get(key) is not None:
                facts[key] = data[key]
    elif event_type == "case.unroutable":
        for key in ("court_code", "stage", "mode"):
            if data.get(key) is not None:
                facts[key] = data[key]
    if facts.get("stage") and not facts.get("mode"):
        facts["mode"] = MODE_BY_STAGE.get(facts["stage"])
    return {k: v for k, v in facts.items() if v is not None}


def _received_facts(data: Mapping[str, Any]) -> dict[str, Any]:
    facts = {key: data.get(key) for key in _RECEIVED_KEYS}
    parties = data.get("parties")
    if isinstance(parties, list):
        ids = [str(p.get("party_id") or p.get("id")) for p in parties
               if isinstance(p, Mapping) and (p.get("party_id") or p.get("id"))]
        if ids:
            facts["party_ids"] = ids
    return facts


def contacts_from_received(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each party's name, role, email and phone (personal data: stored, never logged)."""
    contacts = []
    for party in data.get("parties") or ():
        if not isinstance(party, Mapping):
            continue
        party_id = party.get("party_id") or party.get("id")
        if not party_id:
            continue
        contacts.append({
            "party_id": str(party_id), "role": party.get("role"), "name": str(party.get("name") or ""),
            "email": (party.get("email") or "").strip() or None,
            "phone": (party.get("phone") or "").strip() or None,
        })
    return contacts
