"""RosterIndex: the roster arranged so that a decision looks only at the partners that matter.

Partners are indexed by (category, district) for district bodies and by (category, city) for
city-wide bodies, so a decision reads a handful of partners even on a national roster of
100,000 instead of scanning it. A third view, every body of the city for a category, serves a
ruleset with the district filter switched off. The views hold the partners themselves and
nothing per entry, so building the index for a national roster allocates little.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from services.routing.domain.roster import Partner
from services.routing.domain.vocabulary import city_of

_Key = tuple[str, str]


class RosterIndex:
    """Immutable once built; replaced() returns a new index with one partner changed."""

    __slots__ = ("_by_id", "_local", "_citywide", "_in_city")

    def __init__(self, partners: Iterable[Partner]):
        by_id: dict[str, Partner] = {}
        for partner in partners:
            if partner.id in by_id:
                raise ValueError(f"duplicate partner id {partner.id}")
            by_id[partner.id] = partner
        self._by_id = by_id
        self._local, self._citywide, self._in_city = _views(by_id[pid] for pid in sorted(by_id))

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, partner_id: str) -> Partner | None:
        return self._by_id.get(partner_id)

    def partners(self) -> list[Partner]:
        return [self._by_id[pid] for pid in sorted(self._by_id)]

    def serving(self, category: str, district: str) -> tuple[Partner, ...]:
        """The district's own bodies, then its city's city-wide bodies, for the category."""
        return (self._local.get((category, district), ())
                + self._citywide.get((category, city_of(district)), ()))

    def in_city(self, category: str, district: str) -> tuple[Partner, ...]:
        """Every body of the district's city for the category, ordered by partner id."""
        return self._in_city.get((category, city_of(district)), ())

    def taking(self, category: str) -> tuple[Partner, ...]:
        """Every body of the roster, in every city, that takes the category, by partner id. Walks the
        (category, city) keys: for explaining a decision when asked, never on the decision's path."""
        members = {p.id: p for (cat, _city), ps in self._in_city.items() if cat == category for p in ps}
        return tuple(members[pid] for pid in sorted(members))

    def replaced(self, partner: Partner) -> RosterIndex:
        """A new index with this partner added or changed (ops PATCH of capacity or active)."""
        old = self._by_id.get(partner.id)
        by_id = {**self._by_id, partner.id: partner}
        views = {"local": dict(self._local), "citywide": dict(self._citywide), "in_city": dict(self._in_city)}
        for view, key in _keys(partner) | (_keys(old) if old else set()):
            ids = {member.id for member in views[view].get(key, ())} | {partner.id}
            members = tuple(by_id[pid] for pid in sorted(ids) if (view, key) in _keys(by_id[pid]))
            if members:
                views[view][key] = members
            else:
                views[view].pop(key, None)
        clone = RosterIndex.__new__(RosterIndex)
        clone._by_id = by_id
        clone._local, clone._citywide, clone._in_city = views["local"], views["citywide"], views["in_city"]
        return clone


def _keys(partner: Partner) -> set[tuple[str, _Key]]:
    """Where a partner is listed: (view name, key) pairs."""
    keys = set()
    for category in partner.categories:
        keys.add(("in_city", (category, partner.city)))
        if partner.districts is None:
            keys.add(("citywide", (category, partner.city)))
        else:
            keys.update(("local", (category, district)) for district in partner.districts)
    return keys


def _views(partners: Iterable[Partner]) -> tuple[dict[_Key, tuple[Partner, ...]], ...]:
    """(local, citywide, in_city) views of partners given in id order."""
    local: dict[_Key, list[Partner]] = defaultdict(list)
    citywide: dict[_Key, list[Partner]] = defaultdict(list)
    in_city: dict[_Key, list[Partner]] = defaultdict(list)
    for partner in partners:
        for category in partner.categories:
            in_city[(category, partner.city)].append(partner)
            if partner.districts is None:
                citywide[(category, partner.city)].append(partner)
            else:
                for district in partner.districts:
                    local[(category, district)].append(partner)
    return tuple({key: tuple(members) for key, members in view.items()} for view in (local, citywide, in_city))
