"""What the routing API answers, for the OpenAPI document (services/routing/api/views.py builds the
dicts). Fields are declared in the order the views write them, so an answer keeps its bytes; a key
that is always written is required, even when it may be null."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from shared.openapi import Day, Number, ResponseModel, Timestamp

Evaluated = Literal["at_decision", "on_request"]


# --- partners --------------------------------------------------------------------------------

class PartnerName(ResponseModel):
    zh: str
    en: str


class ClaimRange(ResponseModel):
    min: str | None = Field(description="The lowest claim the body takes (CNY, a decimal string); null: none.")
    max: str | None = Field(description="The highest claim the body takes; null: no limit.")


class Conflicts(ResponseModel):
    """Declared conflicts of interest; id numbers masked for all but ops."""

    id_numbers: list[str]
    law_firms: list[str]


class MediatorView(ResponseModel):
    id: str
    name: str
    specialties: list[str]
    conflicts: Conflicts


class PartnerView(ResponseModel):
    """A partner body of the roster (`GET /v1/partners/{id}`, each item of the list, a PATCH's answer)."""

    id: str = Field(description="`P01`-`P35`.")
    kind: str
    name: PartnerName
    city: str
    categories: list[str]
    citywide: bool
    districts: list[str] | None = Field(description="The districts served; null for a city-wide body.")
    modes: list[str]
    claim_range: ClaimRange
    capacity: int
    open_cases: int
    active: bool
    self_period_days: int | None
    conflicts: Conflicts
    mediators: list[MediatorView]
    updated_at: Timestamp


class PartnerList(ResponseModel):
    items: list[PartnerView]
    next_cursor: str | None


# --- rules -----------------------------------------------------------------------------------

class PackPeriodView(ResponseModel):
    pack: str
    applies_from: Day
    why: str | None = None


class PolicyPackInForce(ResponseModel):
    pack: str
    title: str
    on: Day = Field(description="Today in Beijing: the filing date the pack was looked up for.")
    applies_from: Day
    applies_until: Day | None


class ExtensionLimits(ResponseModel):
    max_extensions: int | None
    max_days: int | None


class PolicyPackView(ResponseModel):
    code: str
    title: str
    valid_from: Day
    modes: list[str]
    extension: ExtensionLimits


class RulesetView(ResponseModel):
    """The ruleset in force (a client may PUT back what it read: the read-only fields are ignored)."""

    version: int
    weights: dict[str, Number]
    locality: dict[str, Any] = Field(description="`small_claim_threshold`: a decimal string in CNY.")
    filters: list[str]
    policy_packs: list[PackPeriodView]
    joint_choice: dict[str, Any] | None = Field(description="`working_days` of the parties' joint-choice "
                                                            "window; null: the rules designate at once.")
    installed_at: Timestamp | None
    installed_by: str | None
    available_filters: list[str]
    mandatory_filters: list[str]
    policy_pack_in_force: PolicyPackInForce
    available_policy_packs: list[PolicyPackView]


# --- decisions -------------------------------------------------------------------------------
# Decisions are stored documents: keys an older document may lack have defaults, so reading it
# never fails.

class CandidateView(ResponseModel):
    partner_id: str
    score: Number
    parts: dict[str, Number] = Field(default_factory=dict, description="Weighted contributions adding up to score.")
    partner_name: str | None


class ExclusionView(ResponseModel):
    evaluated: Evaluated = Field(description="`at_decision`: recorded by the decision; `on_request`: computed "
                                             "now for a body outside the dispute's area.")
    partner_id: str
    reason: str
    filter: str | None = None
    detail: str
    partner_name: str | None
    explanation: str = Field(description="The exclusion as one sentence.")


class _Decision(ResponseModel):
    case_id: str | None
    attempt: int
    outcome: Literal["routed", "unroutable"]
    mode: str
    partner_id: str | None
    reason: str | None = None
    reason_detail: str | None = None
    explanation: str | None = None
    policy_pack: str
    ruleset_version: int
    period_days: int | None = None
    return_to_court: str | None = None
    candidates: list[CandidateView]
    excluded: list[ExclusionView]


class DecisionView(_Decision):
    """One routing decision, explained."""

    decided_at: Timestamp
    partner_name: str | None


class SimulatedDecision(_Decision):
    """What routing would decide now; nothing stored or sent."""

    simulated: Literal[True]
    decided_at: Timestamp
    partner_name: str | None


class DecisionList(ResponseModel):
    """`GET /v1/routing/decisions/{case_id}`: each decision, oldest first."""

    case_id: str
    items: list[DecisionView]


# The keys after `status` come in an order that depends on the status; they are left to pass
# through (so each answer keeps its order) and described for the document only.
_ACCOUNT_TAIL = {
    "reason": {"anyOf": [{"type": "string"}, {"type": "null"}],
               "description": "`ranked_lower`, the exclusion's reason (area, capacity, ...) or null."},
    "filter": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "The filter that excluded it."},
    "evaluated": {"enum": ["at_decision", "on_request"]},
    "score": {"type": "number"},
    "parts": {"type": "object", "additionalProperties": {"type": "number"}},
    "rank": {"type": "integer"},
    "detail": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    "explanation": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "The account as one sentence."},
}


def _describe_tail(schema: dict[str, Any]) -> None:
    schema["properties"].update(_ACCOUNT_TAIL)
    schema["required"] = [*schema["required"], "evaluated", "detail", "explanation"]


class PartnerAccount(ResponseModel):
    """Why the partner asked about was or was not chosen in one decision: `chosen`, `eligible`
    (ranked lower: score, parts, rank), `excluded` (reason, filter) or `not_considered`."""

    model_config = ConfigDict(json_schema_extra=_describe_tail)

    attempt: int | None
    outcome: str | None
    decided_at: Timestamp | None
    chosen_partner_id: str | None
    status: Literal["chosen", "eligible", "excluded", "not_considered"]


class PartnerAccountList(ResponseModel):
    """`GET /v1/routing/decisions/{case_id}?partner_id=`: per decision, that partner's account."""

    case_id: str
    partner_id: str
    partner_name: str | None
    items: list[PartnerAccount]


# --- the parties' joint choice ----------------------------------------------------------------

class ChoiceWindowView(ResponseModel):
    working_days: int
    opened_at: Timestamp
    closes_at: Timestamp = Field(description="Exclusive: the end of the last working day, Beijing time.")
    calendar_provisional: bool = Field(description="The window reaches a year known only by its fixed statutory "
                                                   "holidays; it is counted again when ops load that year.")
    status: Literal["open", "chosen", "closed"] = Field(
        description="`open`: a choice can be recorded; `chosen`: the parties chose; `closed`: it lapsed (the rules "
                    "designate) or the case ended.")
    chosen_partner_id: str | None
    chosen_mediator_id: str | None


class JointChoiceView(ResponseModel):
    """`GET /v1/routing/choices/{case_id}`: the window the ruleset gave the parties (2021 Art 10), or null."""

    case_id: str
    window: ChoiceWindowView | None
