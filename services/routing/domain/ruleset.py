"""The routing ruleset: one versioned document ops can replace (GET/PUT /v1/routing/rules).

A new version is validated as a whole before it is installed; validate_ruleset() reports every
problem at once so ops can fix the document in one go.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

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


class Ruleset(_Strict):
    version: int = Field(ge=1, strict=True)
    weights: Weights
    locality: Locality
    filters: list[str]

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
