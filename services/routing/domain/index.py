"""RosterIndex: the roster arranged so that a decision looks only at the partners that matter.

A court routes within its own city, so partners are grouped by (category, city): the district
bodies of every district of that city plus its city-wide bodies. A decision reads one group
(tens of partners even on a national roster of 100,000) instead of scanning the roster; the
neighbouring district bodies in the group are reported as excluded for `district`, which is
what an ops user wants to see. Specialisation is precomputed here because it depends only on
the partner and the category.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from services.routing.domain.roster import Partner
from services.routing.domain.vocabulary import city_of


@dataclass(frozen=True, slots=True)
class Listed:
    """A partner as seen from one category: the partner and how specialised it is in it."""

    partner: Partner
    specialisation: float


def specialisation(partner: Partner, category: str) -> float:
    """In [0, 1]: half for a narrow remit (few categories), half for mediators naming the category."""
    if category not in partner.categories:
        return 0.0
    narrowness = 1.0 / len(partner.categories)
    if not partner.mediators:
        return narrowness
    specialists = sum(1 for m in partner.mediators if category in m.specialties)
    return (narrowness + specialists / len(partner.mediators)) / 2.0


class RosterIndex:
    """Immutable once built; replaced() returns a new index with one partner changed."""

    __slots__ = ("_by_id", "_groups")

    def __init__(self, partners: Iterable[Partner]):
        by_id: dict[str, Partner] = {}
        for partner in partners:
            if partner.id in by_id:
                raise ValueError(f"duplicate partner id {partner.id}")
            by_id[partner.id] = partner
        groups: dict[tuple[str, str], list[Listed]] = defaultdict(list)
        for pid in sorted(by_id):
            partner = by_id[pid]
            for category in partner.categories:
                groups[(category, partner.city)].append(Listed(partner, specialisation(partner, category)))
        self._by_id = by_id
        self._groups = {key: tuple(listed) for key, listed in groups.items()}

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, partner_id: str) -> Partner | None:
        return self._by_id.get(partner_id)

    def partners(self) -> list[Partner]:
        return [self._by_id[pid] for pid in sorted(self._by_id)]

    def in_scope(self, category: str, district: str) -> tuple[Listed, ...]:
        """Partners of the district's city that handle the category, ordered by partner id."""
        return self._groups.get((category, city_of(district)), ())

    def listed(self, partner: Partner, category: str) -> Listed:
        return Listed(partner, specialisation(partner, category))

    def replaced(self, partner: Partner) -> RosterIndex:
        """A new index with this partner added or changed (ops PATCH of capacity or active)."""
        old = self._by_id.get(partner.id)
        by_id = dict(self._by_id)
        by_id[partner.id] = partner
        touched = {(c, p.city) for p in (old, partner) if p is not None for c in p.categories}
        groups = dict(self._groups)
        for category, city in touched:
            key = (category, city)
            ids = {item.partner.id for item in groups.get(key, ())} | {partner.id}
            members = sorted(pid for pid in ids
                             if category in by_id[pid].categories and by_id[pid].city == city)
            if members:
                groups[key] = tuple(Listed(by_id[pid], specialisation(by_id[pid], category)) for pid in members)
            else:
                groups.pop(key, None)
        clone = RosterIndex.__new__(RosterIndex)
        clone._by_id = by_id
        clone._groups = groups
        return clone
