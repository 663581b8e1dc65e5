"""Ranking of eligible partners: a weighted sum of parts, each part in [0, 1] before weighting."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from services.routing.domain.roster import Partner
from services.routing.domain.ruleset import Ruleset

_PLACES = 6  # rounding keeps scores stable across platforms and readable in decisions


@dataclass(frozen=True, slots=True)
class Candidate:
    partner_id: str
    score: float
    parts: Mapping[str, float]  # weighted contributions; they add up to score
    joint_choice: bool

    def rank_key(self) -> tuple[bool, float, str]:
        # The joint choice first regardless of rounding, then score, then partner id so that
        # equal scores always resolve the same way.
        return (not self.joint_choice, -self.score, self.partner_id)


def specialisation(partner: Partner, category: str) -> float:
    """In [0, 1]: half for a narrow remit (few categories), half for mediators naming the category."""
    if category not in partner.categories:
        return 0.0
    narrowness = 1.0 / len(partner.categories)
    if not partner.mediators:
        return narrowness
    specialists = sum(1 for m in partner.mediators if category in m.specialties)
    return (narrowness + specialists / len(partner.mediators)) / 2.0


def is_small_local(claim: Decimal | None, threshold: Decimal) -> bool:
    return claim is None or claim <= threshold


def score(partner: Partner, ruleset: Ruleset, category: str, district: str, claim: Decimal | None,
          open_cases: int, preferred_id: str | None) -> Candidate:
    weights = ruleset.weights
    joint = partner.id == preferred_id
    local = (partner.districts is not None and district in partner.districts
             and is_small_local(claim, ruleset.locality.small_claim_threshold))
    room = 1.0 - open_cases / partner.capacity if partner.capacity > 0 else 0.0
    parts = {
        "preferred_choice": round(weights.preferred_choice * joint, _PLACES),
        "specialisation": round(weights.specialisation * specialisation(partner, category), _PLACES),
        "locality": round(weights.locality * local, _PLACES),
        "load": round(weights.load * min(1.0, max(0.0, room)), _PLACES),
    }
    return Candidate(partner.id, round(sum(parts.values()), _PLACES), parts, joint)
