"""The routing ruleset: one versioned document ops can replace (GET/PUT /v1/routing/rules).

A new version is validated as a whole before it is installed; validate_ruleset() reports every
problem at once so ops can fix the document in one go.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from services.routing.domain.policy import DEFAULT_PACK_CODE, PACKS, PolicyPack

# Canonical order: the first failing filter is the reason an exclusion reports.
FILTERS: tuple[str, ...] = (
    "inactive",
    "mode_not_accepted",
    "category",
    "district",
    "claim_amount",
    "conflict",
    "declined_before",
    "at_capacity",
)
# These carry the law or the meaning of the roster and cannot be switched off: recusal
# (2016 Art 15), a partner's own acceptance of the mode, its remit, a decline (2021 Art 12),
# and capacity (so that no partner is offered more than it can take while another has room).
MANDATORY_FILTERS: frozenset[str] = frozenset(
    {"inactive", "mode_not_accepted", "category", "conflict", "declined_before", "at_capacity"}
)
# Optional: with "district" off a district body may take cases from the other districts of its
# city; with "claim_amount" off partners' declared claim ranges are ignored.
OPTIONAL_FILTERS: frozenset[str] = frozenset(FILTERS) - MANDATORY_FILTERS


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class Weights(_Strict):
    preferred_choice: float = Field(ge=0, allow_inf_nan=False)
    specialisation: float = Field(ge=0, allow_inf_nan=False)
    locality: float = Field(ge=0, allow_inf_nan=False)
    load: float = Field(ge=0, allow_inf_nan=False)

    def others_total(self) -> float:
        return self.specialisation + self.locality + self.load

    @model_validator(mode="after")
    def _joint_choice_dominates(self) -> Weights:
        # Every score part lies in [0, 1], so this makes an eligible joint choice outscore
        # any other partner, and the displayed scores agree with the ranking.
        if self.preferred_choice <= self.others_total():
            raise ValueError(
                f"preferred_choice must exceed the sum of the other weights ({self.others_total():g}) "
                "so that the parties' joint choice, when eligible, always wins (2016 Art 12; 2021 Art 10)")
        return self


class Locality(_Strict):
    # A dispute at or below this amount (or without an amount) is "small and local" and
    # is better heard by the district's own people's mediation centre.
    small_claim_threshold: Decimal = Field(ge=0, allow_inf_nan=False)


class PackPeriod(_Strict):
    """One policy pack and the filing date (Beijing) from which the cases filed go by it."""

    pack: str
    applies_from: date
    why: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _known_and_in_force(self) -> PackPeriod:
        known = PACKS.get(self.pack)
        if known is None:
            raise ValueError(f"unknown policy pack {self.pack!r}; known: {sorted(PACKS)}")
        if self.applies_from < known.valid_from:
            raise ValueError(f"policy pack {self.pack} is in force only from {known.valid_from.isoformat()}")
        return self


# Why the city routes by spc-2016 although spc-2025 is in force nationally: the default ruleset says
# it where ops read it (GET /v1/routing/rules), and says how to switch.
DEFAULT_PACK_WHY = (
    "spc-2016 (the 2016 specially-invited mediation rules with the 2021 online mediation rules) is the model "
    "the city built its docking network on: all four modes, pre-filing delegation included, and extensions of "
    "any length with every party's consent. spc-2025 (the SPC opinion in force from 2025-01-01: no pre-filing "
    "delegation, one extension of at most 30 days) is ready: to switch, add "
    '{"pack": "spc-2025", "applies_from": "<the first filing date>"} after this entry; cases filed from that '
    "date go by spc-2025, cases filed earlier keep spc-2016.")
DEFAULT_PACK_SCHEDULE: tuple[dict[str, Any], ...] = (
    {"pack": DEFAULT_PACK_CODE, "applies_from": "2016-07-01", "why": DEFAULT_PACK_WHY},
)


class JointChoice(_Strict):
    """The parties' joint choice of partner (and, at the partner, of a mediator) before the rules
    designate one (2021 Art 10): how many working days they have."""

    working_days: int = Field(default=2, ge=1, le=10, strict=True)


class Ruleset(_Strict):
    version: int = Field(ge=1, strict=True)
    weights: Weights
    locality: Locality
    filters: list[str]
    # Which policy pack a case goes by, by its filing date; a document without it (versions
    # installed before packs were the ruleset's) keeps the default schedule.
    policy_packs: list[PackPeriod] = Field(
        default_factory=lambda: [PackPeriod.model_validate(p) for p in DEFAULT_PACK_SCHEDULE], min_length=1)
    # None: the rules designate a partner at once, as they always did.
    joint_choice: JointChoice | None = None

    @field_validator("policy_packs")
    @classmethod
    def _in_date_order(cls, periods: list[PackPeriod]) -> list[PackPeriod]:
        days = [p.applies_from for p in periods]
        if any(later <= earlier for earlier, later in pairwise(days)):
            raise ValueError("policy_packs must be in order of applies_from, each date later than the one before")
        return periods

    def pack_period_for(self, filed_on: date) -> tuple[PackPeriod, date | None]:
        """The schedule entry a case filed on that (Beijing) date goes by, and the day it stops applying
        (None: open-ended). A filing date before the first entry goes by the first entry."""
        position = max((i for i, p in enumerate(self.policy_packs) if p.applies_from <= filed_on), default=0)
        following = self.policy_packs[position + 1:position + 2]
        return self.policy_packs[position], following[0].applies_from if following else None

    def pack_for(self, filed_on: date) -> PolicyPack:
        return PACKS[self.pack_period_for(filed_on)[0].pack]

    @field_validator("filters")
    @classmethod
    def _known_and_complete(cls, filters: list[str]) -> list[str]:
        problems = []
        unknown = [f for f in filters if f not in FILTERS]
        if unknown:
            problems.append(f"unknown filters {unknown} (known: {list(FILTERS)})")
        missing = sorted(MANDATORY_FILTERS - set(filters))
        if missing:
            problems.append(f"filters {missing} cannot be switched off")
        if len(set(filters)) != len(filters):
            problems.append("a filter is listed twice")
        if problems:
            raise ValueError("; ".join(problems))
        return filters

    def enabled(self, name: str) -> bool:
        return name in self.filters

    def to_document(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class RulesetInvalid(ValueError):
    """A ruleset document was refused; .errors is [{"field", "message"}] for a problem+json body."""

    def __init__(self, errors: list[dict[str, str]]):
        self.errors = errors
        lines = "\n- ".join(f"{e['field']}: {e['message']}" for e in errors)
        super().__init__(f"invalid routing ruleset:\n- {lines}")


DEFAULT_RULESET_DOCUMENT: Mapping[str, Any] = {
    "version": 1,
    "weights": {"preferred_choice": 100.0, "specialisation": 4.0, "locality": 3.0, "load": 2.0},
    "locality": {"small_claim_threshold": "50000.00"},
    "filters": list(FILTERS),
    "policy_packs": [dict(p) for p in DEFAULT_PACK_SCHEDULE],
    "joint_choice": None,
}


def validate_ruleset(doc: Any) -> Ruleset:
    """Parse and check a ruleset document; raise RulesetInvalid listing everything that is wrong."""
    if not isinstance(doc, Mapping):
        raise RulesetInvalid([{"field": "", "message": "the ruleset must be a JSON object"}])
    try:
        return Ruleset.model_validate(doc)
    except ValidationError as exc:
        raise RulesetInvalid([_error(err) for err in exc.errors()]) from None


def _error(err: Mapping[str, Any]) -> dict[str, str]:
    message = str(err["msg"]).removeprefix("Value error, ")
    return {"field": ".".join(str(part) for part in err["loc"]), "message": message}


DEFAULT_RULESET: Ruleset = validate_ruleset(DEFAULT_RULESET_DOCUMENT)
