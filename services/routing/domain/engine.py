"""decide(): the mode and the partner for one case, the way a court's mediation office would.

Order of questions: does the policy pack allow the mode at all; has every party consented;
which partners are eligible; which of them ranks first. Each "no" ends the decision as
unroutable with the reason, and the case goes back to the court.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from services.routing.domain import explain
from services.routing.domain.case import RoutingCase
from services.routing.domain.filters import REASONS, FilterContext, first_failure
from services.routing.domain.index import RosterIndex
from services.routing.domain.policy import PolicyPack, mode_for_stage, period_days, return_to_court
from services.routing.domain.roster import Partner
from services.routing.domain.ruleset import Ruleset
from services.routing.domain.scoring import Candidate, score
from services.routing.domain.vocabulary import Mode, Stage

NO_LOAD: Mapping[str, int] = MappingProxyType({})


class DecisionOutcome(StrEnum):
    ROUTED = "routed"
    UNROUTABLE = "unroutable"


class Reason(StrEnum):
    CONSENT_REFUSED = "consent_refused"
    MODE_NOT_ALLOWED = "mode_not_allowed"
    NO_ELIGIBLE_PARTNER = "no_eligible_partner"
    PREFERENCE_NOT_FOLLOWED = "preferred_partner_not_eligible"


@dataclass(frozen=True, slots=True)
class Exclusion:
    partner_id: str
    filter: str  # the ruleset's filter that excluded the partner
    detail: str

    @property
    def reason(self) -> str:
        """area, mode, claim_range, capacity, conflict, inactive, declined_before (or category)."""
        return REASONS[self.filter]


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    case_id: str
    attempt: int
    outcome: DecisionOutcome
    mode: Mode
    partner_id: str | None
    reason: Reason | None
    reason_detail: str | None
    explanation: str
    policy_pack: str
    ruleset_version: int
    period_days: int | None
    return_to_court: str | None  # "docket" | "resume_trial" | None, only when unroutable
    candidates: tuple[Candidate, ...]
    excluded: tuple[Exclusion, ...]

    def to_dict(self) -> dict[str, Any]:
        """The contract's decision shape (the caller adds decided_at)."""
        return {
            "case_id": self.case_id,
            "attempt": self.attempt,
            "outcome": self.outcome.value,
            "mode": self.mode.value,
            "partner_id": self.partner_id,
            "reason": None if self.reason is None else self.reason.value,
            "reason_detail": self.reason_detail,
            "explanation": self.explanation,
            "policy_pack": self.policy_pack,
            "ruleset_version": self.ruleset_version,
            "period_days": self.period_days,
            "return_to_court": self.return_to_court,
            "candidates": [{"partner_id": c.partner_id, "score": c.score, "parts": dict(c.parts)}
                           for c in self.candidates],
            "excluded": [{"partner_id": e.partner_id, "reason": e.reason, "filter": e.filter, "detail": e.detail}
                         for e in self.excluded],
        }


@dataclass(frozen=True, slots=True)
class _Header:
    case: RoutingCase
    attempt: int
    mode: Mode
    pack: PolicyPack
    ruleset: Ruleset


def decide(case: RoutingCase, roster_index: RosterIndex, ruleset: Ruleset, pack: PolicyPack,
           load: Mapping[str, int] = NO_LOAD, declined: AbstractSet[str] = frozenset(),
           attempt: int = 1) -> RoutingDecision:
    """Decide one routing attempt. load: open cases per partner id; declined: partners that declined."""
    mode = mode_for_stage(case.stage)
    head = _Header(case, attempt, mode, pack, ruleset)
    if not pack.allows(mode):
        return _unroutable(head, Reason.MODE_NOT_ALLOWED, explain.mode_not_allowed(pack, mode))
    refusing = case.refusing_parties() if mode in pack.consent_required else ()
    if refusing:
        return _unroutable(head, Reason.CONSENT_REFUSED, explain.consent_refused(case, refusing, mode))
    facts = FilterContext.of(case, mode, ruleset, load, frozenset(declined))
    pool = _pool(case, roster_index, ruleset)
    candidates, excluded = _sift((*pool, *_choice_outside(case, pool, roster_index)), facts, ruleset)
    candidates.sort(key=Candidate.rank_key)
    if not candidates:
        return _no_partner(head, len(pool), excluded)
    return _routed(head, roster_index, candidates, excluded)


def considered_partner_ids(case: RoutingCase, roster_index: RosterIndex, ruleset: Ruleset) -> frozenset[str]:
    """The partners decide() will look at, so a caller fetches open-case counts for these only."""
    ids = {partner.id for partner in _pool(case, roster_index, ruleset)}
    if case.preferred_partner_id and case.stage is not Stage.DIRECT:
        ids.add(case.preferred_partner_id)
    return frozenset(ids)


def _pool(case: RoutingCase, index: RosterIndex, ruleset: Ruleset) -> Sequence[Partner]:
    if case.stage is Stage.DIRECT:
        partner = index.get(case.partner_id or "")
        return () if partner is None else (partner,)
    if ruleset.enabled("district"):
        return index.serving(case.category, case.district)
    return index.in_city(case.category, case.district)


def _choice_outside(case: RoutingCase, pool: Sequence[Partner], index: RosterIndex) -> tuple[Partner, ...]:
    """The parties' choice when the index did not list it, so the decision can say why (2016 Art 12)."""
    wanted = case.preferred_partner_id
    if not wanted or case.stage is Stage.DIRECT or any(partner.id == wanted for partner in pool):
        return ()
    partner = index.get(wanted)
    return () if partner is None else (partner,)


def _sift(pool: Sequence[Partner], facts: FilterContext, ruleset: Ruleset) -> tuple[list[Candidate], list[Exclusion]]:
    candidates, excluded = [], []
    case = facts.case
    preferred = case.preferred_partner_id if case.stage is not Stage.DIRECT else None
    for partner in pool:
        failure = first_failure(partner, facts)
        if failure is None:
            candidates.append(score(partner, ruleset, case.category, case.district, case.claim_amount,
                                    facts.load.get(partner.id, 0), preferred))
        else:
            excluded.append(Exclusion(partner.id, *failure))
    return candidates, excluded


def _unroutable(head: _Header, reason: Reason, detail: str,
                excluded: Sequence[Exclusion] = ()) -> RoutingDecision:
    destination = return_to_court(head.case.stage)
    return RoutingDecision(
        case_id=head.case.case_id, attempt=head.attempt, outcome=DecisionOutcome.UNROUTABLE, mode=head.mode,
        partner_id=None, reason=reason, reason_detail=detail,
        explanation=f"{detail} {explain.return_to_court(destination)}",
        policy_pack=head.pack.code, ruleset_version=head.ruleset.version, period_days=None,
        return_to_court=destination, candidates=(), excluded=tuple(excluded),
    )


def _no_partner(head: _Header, looked_at: int, excluded: list[Exclusion]) -> RoutingDecision:
    case = head.case
    if case.stage is Stage.DIRECT:
        why = next((e.detail for e in excluded if e.partner_id == case.partner_id), None)
        detail = explain.named_partner_unavailable(case.partner_id or "", why)
    else:
        detail = explain.no_eligible_partner(case, looked_at)
    return _unroutable(head, Reason.NO_ELIGIBLE_PARTNER, detail, excluded)


def _routed(head: _Header, index: RosterIndex, candidates: list[Candidate],
            excluded: list[Exclusion]) -> RoutingDecision:
    case, chosen = head.case, candidates[0]
    partner = index.get(chosen.partner_id)
    assert partner is not None  # candidates come from the index
    days = period_days(head.pack, head.mode, case.procedure, partner)
    reason, reason_detail = None, None
    if case.stage is Stage.DIRECT:
        why = explain.why_direct()
    elif chosen.joint_choice:
        why = explain.why_joint_choice()
    else:
        why = explain.why_designated(chosen.score, chosen.parts, len(candidates), len(excluded))
        if case.preferred_partner_id:
            not_followed = next((e.detail for e in excluded if e.partner_id == case.preferred_partner_id), None)
            reason = Reason.PREFERENCE_NOT_FOLLOWED
            reason_detail = explain.preference_not_followed(case.preferred_partner_id, not_followed)
            why = f"{reason_detail} {why}"
    return RoutingDecision(
        case_id=case.case_id, attempt=head.attempt, outcome=DecisionOutcome.ROUTED, mode=head.mode,
        partner_id=partner.id, reason=reason, reason_detail=reason_detail,
        explanation=explain.routed(partner, head.mode, days, head.pack, head.ruleset.version, why),
        policy_pack=head.pack.code, ruleset_version=head.ruleset.version, period_days=days,
        return_to_court=None, candidates=tuple(candidates), excluded=tuple(excluded),
    )
