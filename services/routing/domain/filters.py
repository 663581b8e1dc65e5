"""Eligibility filters: each answers None (passes) or the words saying why a partner is excluded.

Filters run in the ruleset's canonical order and the first failure is the reason reported, so a
partner that is both inactive and full is reported as inactive: the more fundamental fact.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from services.routing.domain import explain
from services.routing.domain.case import RoutingCase
from services.routing.domain.roster import Partner
from services.routing.domain.ruleset import FILTERS, Ruleset
from services.routing.domain.vocabulary import Mode, city_of


@dataclass(frozen=True, slots=True)
class FilterContext:
    """The case as the filters see it, computed once per decision."""

    case: RoutingCase
    mode: Mode
    city: str
    id_numbers: frozenset[str]
    law_firms: frozenset[str]
    load: Mapping[str, int]
    declined: frozenset[str]
    strict_district: bool
    check_claim: bool

    @classmethod
    def of(cls, case: RoutingCase, mode: Mode, ruleset: Ruleset,
           load: Mapping[str, int], declined: frozenset[str]) -> FilterContext:
        return cls(case=case, mode=mode, city=city_of(case.district), id_numbers=case.id_numbers,
                   law_firms=case.law_firms, load=load, declined=declined,
                   strict_district=ruleset.enabled("district"), check_claim=ruleset.enabled("claim_amount"))


Check = Callable[[Partner, FilterContext], str | None]


def _inactive(partner: Partner, facts: FilterContext) -> str | None:
    return None if partner.active else explain.inactive()


def _mode(partner: Partner, facts: FilterContext) -> str | None:
    return None if facts.mode in partner.modes else explain.mode_not_accepted(partner, facts.mode)


def _category(partner: Partner, facts: FilterContext) -> str | None:
    category = facts.case.category
    return None if category in partner.categories else explain.category(category)


def _district(partner: Partner, facts: FilterContext) -> str | None:
    # With the district filter off a district body may still only serve its own city:
    # a court's catchment ends at the city boundary.
    district = facts.case.district
    ok = partner.serves(district) if facts.strict_district else partner.city == facts.city
    return None if ok else explain.district(partner, district, facts.strict_district)


def _claim(partner: Partner, facts: FilterContext) -> str | None:
    if not facts.check_claim:
        return None
    amount: Decimal | None = facts.case.claim_amount
    if partner.min_claim is not None and (amount is None or amount < partner.min_claim):
        return explain.claim_below_minimum(partner.min_claim, amount)
    if partner.max_claim is not None and amount is not None and amount > partner.max_claim:
        return explain.claim_above_maximum(partner.max_claim, amount)
    return None


def _conflict(partner: Partner, facts: FilterContext) -> str | None:
    # A body whose every mediator must step aside cannot mediate either (2016 Art 15).
    tied = partner.conflicts.touches(facts.id_numbers, facts.law_firms) or (
        bool(partner.mediators)
        and all(m.conflicts.touches(facts.id_numbers, facts.law_firms) for m in partner.mediators))
    return explain.conflict(facts.case, partner) if tied else None


def _declined(partner: Partner, facts: FilterContext) -> str | None:
    return explain.declined_before() if partner.id in facts.declined else None


def _capacity(partner: Partner, facts: FilterContext) -> str | None:
    open_cases = facts.load.get(partner.id, 0)
    return explain.at_capacity(open_cases, partner.capacity) if open_cases >= partner.capacity else None


CHECKS: Mapping[str, Check] = {
    "inactive": _inactive,
    "mode_not_accepted": _mode,
    "category": _category,
    "district": _district,
    "claim_amount": _claim,
    "conflict": _conflict,
    "declined_before": _declined,
    "at_capacity": _capacity,
}
if tuple(CHECKS) != FILTERS:
    raise RuntimeError("every filter of the ruleset needs a check, in canonical order")

# The reason a decision gives for an exclusion, by the filter that excluded the partner: the words a
# clerk or the bureau reads (the ruleset's filter names say how the rule is switched, not why).
# `category` only ever excludes the parties' choice of a partner outside the dispute's category.
REASONS: Mapping[str, str] = {
    "inactive": "inactive",
    "mode_not_accepted": "mode",
    "category": "category",
    "district": "area",
    "claim_amount": "claim_range",
    "conflict": "conflict",
    "declined_before": "declined_before",
    "at_capacity": "capacity",
}
if set(REASONS) != set(FILTERS):
    raise RuntimeError("every filter needs its reason code")


def first_failure(partner: Partner, facts: FilterContext) -> tuple[str, str] | None:
    """(reason code, words) of the first filter the partner fails, or None when it is eligible."""
    for code, check in CHECKS.items():
        detail = check(partner, facts)
        if detail is not None:
            return code, detail
    return None
