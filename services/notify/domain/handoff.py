"""The hand-off: what the court system receives when a mediation ends or a case cannot be routed.

Mediation is not public (2016 Art 2): the court gets exactly the agreement when the parties
settled, or the facts both parties signed as undisputed when they did not (2016 Art 22;
2021 Art 18). Notes, proposals and what a party conceded to reach a deal never leave notify.
That is why this module copies named fields one by one instead of forwarding the event.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Fixed so that the same outcome of the same case always yields the same hand-off id: the court
# deduplicates on it when an event is redelivered or a hand-off is retried.
HANDOFF_NAMESPACE = uuid.UUID("6f0d3c2e-6a53-4d1b-9a3e-2f1c0b7e5d21")

STAGE_TO_MODE = {
    "pre_filing": "delegation",
    "post_filing": "entrustment",
    "in_litigation": "invitation",
    "direct": "self",
}
# Keys that may sit inside an agreement object but are not part of what the parties signed.
CONFIDENTIAL_KEYS = frozenset({
    "note", "notes", "concession", "concessions", "mediator_note", "mediator_notes",
    "internal_note", "internal_notes", "proposal", "proposals", "draft", "drafts",
})
PROCEDURAL_KEYS = frozenset({"apply_judicial_confirmation", "withdraw_suit", "concerns_status_or_ownership"})


class HandoffType(str, enum.Enum):
    JUDICIAL_CONFIRMATION = "judicial_confirmation"  # 司法确认
    AGREEMENT_FILED = "agreement_filed"  # 调解协议备案
    DOCKET = "docket"  # 登记立案
    MEDIATION_DOCUMENT = "mediation_document"  # 调解书
    WITHDRAWAL = "withdrawal"  # 撤诉
    RESUME_TRIAL = "resume_trial"  # 恢复审理


class Outcome(str, enum.Enum):
    SETTLED = "settled"
    FAILED = "failed"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    UNROUTABLE = "unroutable"


EVENT_OUTCOMES = {
    "mediation.settled": Outcome.SETTLED,
    "mediation.failed": Outcome.FAILED,
    "mediation.expired": Outcome.EXPIRED,
    "mediation.withdrawn": Outcome.WITHDRAWN,
    "case.unroutable": Outcome.UNROUTABLE,
}


@dataclass(frozen=True)
class Handoff:
    id: str
    type: HandoffType
    case_id: str
    court_code: str | None
    mode: str | None
    stage: str | None
    outcome: Outcome
    case_number: str | None = None
    court_case_number: str | None = None
    category: str | None = None
    agreement: Mapping[str, Any] | None = None
    undisputed_facts: tuple[str, ...] = field(default_factory=tuple)
    reason: str | None = None
    source_event_id: str | None = None
    occurred_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type.value,
            "case_id": self.case_id,
            "case_number": self.case_number,
            "court_case_number": self.court_case_number,
            "court_code": self.court_code,
            "mode": self.mode,
            "stage": self.stage,
            "category": self.category,
            "outcome": self.outcome.value,
            "agreement": dict(self.agreement) if self.agreement is not None else None,
            "undisputed_facts": list(self.undisputed_facts),
            "reason": self.reason,
            "source_event_id": self.source_event_id,
            "occurred_at": self.occurred_at,
        }


def build_handoff(event_type: str, event_data: Mapping[str, Any]) -> Handoff | None:
    """The hand-off an event calls for, or None when the court has nothing to receive.

    `event_data` is the event's `data` with `case_id` in it, or a whole envelope
    (`Envelope.model_dump()`), whose `event_id`, `case_id` and `occurred_at` are then used.
    """
    outcome = EVENT_OUTCOMES.get(event_type)
    if outcome is None:
        return None
    data = _flatten(event_data)
    mode = data.get("mode") or STAGE_TO_MODE.get(data.get("stage") or "")
    kind = _handoff_type(outcome, mode, data)
    if kind is None:
        return None
    case_id = str(data["case_id"])
    return Handoff(
        id=str(uuid.uuid5(HANDOFF_NAMESPACE, f"{case_id}/{kind.value}/{outcome.value}")),
        type=kind,
        case_id=case_id,
        court_code=_opt_str(data.get("court_code")),
        mode=mode,
        stage=data.get("stage"),
        outcome=outcome,
        case_number=_opt_str(data.get("case_number")),
        court_case_number=_opt_str(data.get("court_case_number")),
        category=data.get("category"),
        agreement=_signed_agreement(data) if outcome is Outcome.SETTLED else None,
        undisputed_facts=_facts_if_failed(outcome, data),
        reason=_opt_str(data.get("reason")) if outcome is Outcome.UNROUTABLE else None,
        source_event_id=_opt_str(data.get("event_id")),
        occurred_at=_iso(data.get("occurred_at")),
    )


def _handoff_type(outcome: Outcome, mode: str | None, data: Mapping[str, Any]) -> HandoffType | None:
    declared = data.get("handoff_type")
    if outcome is not Outcome.UNROUTABLE and isinstance(declared, str):
        # The mediation service owns the outcome and may state the hand-off it calls for; following
        # it keeps the court, the clerk's timeline and mediation's own record in agreement.
        if declared == "none":
            return None
        if declared in HandoffType._value2member_map_:
            return HandoffType(declared)
    if outcome is Outcome.UNROUTABLE:
        if "return_to_court" in data:
            # Routing says where the case goes back to; None (a party's direct request to a partner)
            # never involved the court, so nothing is handed off.
            back = data.get("return_to_court")
            return HandoffType(back) if back in HandoffType._value2member_map_ else None
        return _unroutable_type(data.get("stage"), mode)
    if outcome is Outcome.SETTLED:
        return _settled_type(mode, data)
    if mode == "self":
        # A partner's own mediation that fails is closed at the partner; no court is involved.
        return None
    if outcome is Outcome.WITHDRAWN:
        return HandoffType.WITHDRAWAL
    return HandoffType.DOCKET if mode == "delegation" else HandoffType.RESUME_TRIAL


def _unroutable_type(stage: str | None, mode: str | None) -> HandoffType:
    # Not yet docketed (or brought to a partner directly): the court dockets it; otherwise the trial resumes.
    if stage in ("post_filing", "in_litigation") or mode in ("entrustment", "invitation"):
        return HandoffType.RESUME_TRIAL
    return HandoffType.DOCKET


def _settled_type(mode: str | None, data: Mapping[str, Any]) -> HandoffType | None:
    if mode == "entrustment":
        # The court either issues a 调解书 or lets the plaintiff withdraw the suit (撤诉).
        return HandoffType.WITHDRAWAL if _flag(data, "withdraw_suit", False) else HandoffType.MEDIATION_DOCUMENT
    if mode == "invitation":
        return HandoffType.MEDIATION_DOCUMENT
    applies = _flag(data, "apply_judicial_confirmation", True)
    if mode == "self" and not applies:
        return None
    if applies and _confirmable(data):
        return HandoffType.JUDICIAL_CONFIRMATION
    return HandoffType.AGREEMENT_FILED


def _confirmable(data: Mapping[str, Any]) -> bool:
    """Judicial confirmation cannot cover status or decide ownership (民诉法解释 Art 355)."""
    declared = _flag(data, "concerns_status_or_ownership", None)
    if declared is not None:
        return not declared
    # Marriage and parentage disputes are about status unless the agreement says otherwise.
    return data.get("category") != "family"


def _signed_agreement(data: Mapping[str, Any]) -> Mapping[str, Any] | None:
    agreement = data.get("agreement")
    if not isinstance(agreement, Mapping):
        return None
    return {k: v for k, v in agreement.items() if k not in CONFIDENTIAL_KEYS | PROCEDURAL_KEYS}


def _facts_if_failed(outcome: Outcome, data: Mapping[str, Any]) -> tuple[str, ...]:
    if outcome not in (Outcome.FAILED, Outcome.EXPIRED):
        return ()
    return undisputed_facts(data.get("undisputed_facts") or (), _party_ids(data))


def undisputed_facts(facts: Sequence[Any], party_ids: Sequence[str]) -> tuple[str, ...]:
    """The facts every party signed (2016 Art 22).

    A fact is a string (recorded as undisputed by the mediation service, which only records
    signed ones) or {"text", "signed_by": [party ids]}; the latter is checked here against all
    parties, or against "at least two signers" when the parties are not known.
    """
    kept: list[str] = []
    for fact in facts:
        if isinstance(fact, str):
            kept.append(fact)
        elif isinstance(fact, Mapping) and _signed_by_all(fact, party_ids):
            kept.append(str(fact.get("text") or fact.get("fact") or ""))
    return tuple(text for text in kept if text)


def _signed_by_all(fact: Mapping[str, Any], party_ids: Sequence[str]) -> bool:
    signers = {str(s) for s in fact.get("signed_by") or ()}
    if party_ids:
        return set(party_ids) <= signers
    return len(signers) >= 2


def _party_ids(data: Mapping[str, Any]) -> list[str]:
    if data.get("party_ids"):
        return [str(p) for p in data["party_ids"]]
    parties = data.get("parties") or ()
    return [str(p["id"]) for p in parties if isinstance(p, Mapping) and p.get("id")]


def _flag(data: Mapping[str, Any], key: str, default: bool | None) -> bool | None:
    agreement = data.get("agreement")
    if key in data and data[key] is not None:
        return bool(data[key])
    if isinstance(agreement, Mapping) and agreement.get(key) is not None:
        return bool(agreement[key])
    return default


def _flatten(event_data: Mapping[str, Any]) -> dict[str, Any]:
    inner = event_data.get("data")
    if isinstance(inner, Mapping) and "type" in event_data:
        envelope = {k: v for k, v in event_data.items() if k != "data"}
        return {**inner, **{k: envelope[k] for k in ("event_id", "case_id", "occurred_at") if k in envelope}}
    return dict(event_data)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat()
    return _opt_str(value)
