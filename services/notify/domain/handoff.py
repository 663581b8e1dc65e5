"""The hand-off: what the court system receives when a mediation ends or a case cannot be routed.

Mediation is not public (2016 Art 2): the court gets exactly the agreement when the parties
settled, or the facts both parties signed as undisputed when they did not (2016 Art 22;
2021 Art 18). Notes, proposals and what a party conceded to reach a deal never leave notify.
That is why this module copies named fields one by one instead of forwarding the event.

Which hand-off an ending calls for is the one table mediation uses too (`shared/handoff_table.py`);
an event that names its `handoff_type` (mediation's outcomes do) is followed as it says. The
document also says whether the court fee is halved (诉讼费用交纳办法 Art 15: a filed case settled
by mediation or withdrawn) and, for judicial confirmation, until when the parties may apply
(民事诉讼法 Art 205, as mediation computed it).
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared import handoff_table as table
from shared.handoff_table import COURT_FEE_BASIS, HandoffType
from shared.vocabulary import MODE_BY_STAGE

# Fixed so that the same outcome of the same case always yields the same hand-off id: the court
# deduplicates on it when an event is redelivered or a hand-off is retried.
HANDOFF_NAMESPACE = uuid.UUID("6f0d3c2e-6a53-4d1b-9a3e-2f1c0b7e5d21")

# Keys that may sit inside an agreement object but are not part of what the parties signed.
CONFIDENTIAL_KEYS = frozenset({
    "note", "notes", "concession", "concessions", "mediator_note", "mediator_notes",
    "internal_note", "internal_notes", "proposal", "proposals", "draft", "drafts",
})
PROCEDURAL_KEYS = frozenset({"apply_judicial_confirmation", "withdraw_suit", "concerns_status_or_ownership"})


class HandoffOutcome(enum.StrEnum):
    SETTLED = "settled"
    FAILED = "failed"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    UNROUTABLE = "unroutable"


EVENT_OUTCOMES = {
    "mediation.settled": HandoffOutcome.SETTLED,
    "mediation.failed": HandoffOutcome.FAILED,
    "mediation.expired": HandoffOutcome.EXPIRED,
    "mediation.withdrawn": HandoffOutcome.WITHDRAWN,
    "case.unroutable": HandoffOutcome.UNROUTABLE,
}


@dataclass(frozen=True)
class HandoffDocument:
    id: str
    type: HandoffType
    case_id: str
    court_code: str | None
    mode: str | None
    stage: str | None
    outcome: HandoffOutcome
    case_number: str | None = None
    court_case_number: str | None = None
    category: str | None = None
    agreement: Mapping[str, Any] | None = None
    undisputed_facts: tuple[str, ...] = field(default_factory=tuple)
    reason: str | None = None
    source_event_id: str | None = None
    occurred_at: str | None = None
    court_fee_halved: bool = False
    judicial_confirmation_due_at: str | None = None

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
            "court_fee": {"halved": True, "basis": COURT_FEE_BASIS} if self.court_fee_halved else None,
            "judicial_confirmation": None if self.judicial_confirmation_due_at is None else {
                "applies_until": self.judicial_confirmation_due_at,
                "basis": "民事诉讼法 第二百零五条 (30日), 第八十五条 (届满日为法定休假日的顺延)"},
        }


def build_handoff(event_type: str, event_data: Mapping[str, Any]) -> HandoffDocument | None:
    """The hand-off an event calls for, or None when the court has nothing to receive.

    `event_data` is the event's `data` with `case_id` in it, or a whole envelope
    (`Envelope.model_dump()`), whose `event_id`, `case_id` and `occurred_at` are then used.
    """
    outcome = EVENT_OUTCOMES.get(event_type)
    if outcome is None:
        return None
    data = _flatten(event_data)
    mode = data.get("mode") or MODE_BY_STAGE.get(data.get("stage") or "")
    kind = _handoff_type(outcome, mode, data)
    if kind is None:
        return None
    case_id = str(data["case_id"])
    return HandoffDocument(
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
        agreement=_signed_agreement(data) if outcome is HandoffOutcome.SETTLED else None,
        undisputed_facts=_facts_if_failed(outcome, data),
        reason=_opt_str(data.get("reason")) if outcome is HandoffOutcome.UNROUTABLE else None,
        source_event_id=_opt_str(data.get("event_id")),
        occurred_at=_iso(data.get("occurred_at")),
        court_fee_halved=outcome is HandoffOutcome.SETTLED and table.court_fee_halved(mode, kind),
        judicial_confirmation_due_at=_opt_str(data.get("judicial_confirmation_due_at"))
        if kind is HandoffType.JUDICIAL_CONFIRMATION else None,
    )


def _handoff_type(outcome: HandoffOutcome, mode: str | None, data: Mapping[str, Any]) -> HandoffType | None:
    declared = data.get("handoff_type")
    if outcome is not HandoffOutcome.UNROUTABLE and isinstance(declared, str):
        # The mediation service owns the outcome and may state the hand-off it calls for; following
        # it keeps the court, the clerk's timeline and mediation's own record in agreement.
        if declared == "none":
            return None
        if declared in HandoffType._value2member_map_:
            return HandoffType(declared)
    if outcome is HandoffOutcome.UNROUTABLE:
        if "return_to_court" in data:
            # Routing says where the case goes back to; None (a party's direct request to a partner)
            # never involved the court, so nothing is handed off.
            back = data.get("return_to_court")
            return HandoffType(back) if isinstance(back, str) and back in HandoffType._value2member_map_ else None
        return _unroutable_type(data.get("stage"), mode)
    if outcome is HandoffOutcome.SETTLED:
        # an event naming neither mode nor stage is settled as a delegation (agreement or confirmation)
        kind = table.handoff_type(mode if mode is not None and mode in table.UNRESOLVED else "delegation",
                                  table.Ending.SETTLED,
                                  applies_for_confirmation=bool(_flag(data, "apply_judicial_confirmation", True)),
                                  withdraws_suit=bool(_flag(data, "withdraw_suit", False)),
                                  confirmable=_confirmable(data))
    elif mode is None or mode not in table.UNRESOLVED:
        kind = HandoffType.RESUME_TRIAL  # nothing says the case was not filed: the court resumes it
    else:
        # failed, expired, or a party's withdrawal from mediation: unresolved, the court takes it up again
        kind = table.handoff_type(mode, table.Ending(outcome.value))
    return None if kind is HandoffType.NONE else kind


def _unroutable_type(stage: str | None, mode: str | None) -> HandoffType:
    # Not yet docketed (or brought to a partner directly): the court dockets it; otherwise the trial resumes.
    if stage in ("post_filing", "in_litigation") or mode in ("entrustment", "invitation"):
        return HandoffType.RESUME_TRIAL
    return HandoffType.DOCKET


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


def _facts_if_failed(outcome: HandoffOutcome, data: Mapping[str, Any]) -> tuple[str, ...]:
    if outcome not in (HandoffOutcome.FAILED, HandoffOutcome.EXPIRED):
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
