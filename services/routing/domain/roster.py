"""The partner roster (特邀调解名册) as values: partner bodies, their mediators, declared conflicts.

The roster is data editable by ops; nothing in the routing rules names a partner. load_roster()
turns the YAML/JSON structure into values and reports every problem at once, so a bad edit to
the data file is refused with a readable list instead of failing on the first field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from services.routing.domain.vocabulary import (
    CATEGORIES,
    QINGDAO_CITY,
    Mode,
    city_of,
    is_area_code,
)

DEFAULT_ROSTER_PATH = Path(__file__).resolve().parent.parent / "data" / "roster.yaml"
DEFAULT_SELF_PERIOD_DAYS = 30


def normalise_firm(name: str) -> str:
    """Law-firm names are compared without spaces and case, as clerks type them inconsistently."""
    return "".join(name.split()).casefold()


@dataclass(frozen=True, slots=True)
class Conflicts:
    """Declared ties that require stepping aside (2016 Art 15; 2021 Art 13)."""

    id_numbers: frozenset[str] = frozenset()
    law_firms: frozenset[str] = frozenset()  # normalised with normalise_firm

    @classmethod
    def of(cls, id_numbers: Iterable[str] = (), law_firms: Iterable[str] = ()) -> Conflicts:
        return cls(frozenset(n.strip().upper() for n in id_numbers),
                   frozenset(normalise_firm(f) for f in law_firms))

    def touches(self, id_numbers: frozenset[str], law_firms: frozenset[str]) -> bool:
        return not (self.id_numbers.isdisjoint(id_numbers) and self.law_firms.isdisjoint(law_firms))

    def __bool__(self) -> bool:
        return bool(self.id_numbers or self.law_firms)


@dataclass(frozen=True, slots=True)
class Mediator:
    id: str
    name: str
    specialties: frozenset[str] = frozenset()
    conflicts: Conflicts = Conflicts()


@dataclass(frozen=True, slots=True)
class Partner:
    """A partner body. districts is None for a city-wide body serving every district of its city."""

    id: str
    kind: str
    name_zh: str
    name_en: str
    categories: frozenset[str]
    districts: frozenset[str] | None
    modes: frozenset[Mode]
    capacity: int
    city: str = QINGDAO_CITY
    min_claim: Decimal | None = None
    max_claim: Decimal | None = None
    self_period_days: int = DEFAULT_SELF_PERIOD_DAYS
    active: bool = True
    conflicts: Conflicts = Conflicts()
    mediators: tuple[Mediator, ...] = field(default=())

    @property
    def citywide(self) -> bool:
        return self.districts is None

    def serves(self, district: str) -> bool:
        if self.districts is None:
            return city_of(district) == self.city
        return district in self.districts


class RosterError(ValueError):
    """The roster data is invalid; .problems lists every problem found, as 'where: what'."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid roster:\n- " + "\n- ".join(problems))


def read_roster(path: Path = DEFAULT_ROSTER_PATH) -> list[Partner]:
    with open(path, encoding="utf-8") as handle:
        return load_roster(yaml.safe_load(handle))


def load_roster(data: Mapping[str, Any] | list[Any]) -> list[Partner]:
    """Parse the roster structure: a list of partners, or {"city": "370200", "partners": [...]}."""
    problems: list[str] = []
    if isinstance(data, Mapping):
        city = str(data.get("city", QINGDAO_CITY))
        entries = data.get("partners")
    else:
        city, entries = QINGDAO_CITY, data
    if not isinstance(entries, list):
        raise RosterError(["partners: expected a list of partner bodies"])
    if not is_area_code(city):
        raise RosterError([f"city: {city!r} is not a 6-digit area code"])
    partners = [_partner(entry, city, f"partners[{i}]", problems) for i, entry in enumerate(entries)]
    _check_unique_ids(partners, problems)
    if problems:
        raise RosterError(problems)
    return [p for p in partners if p is not None]


def _check_unique_ids(partners: list[Partner | None], problems: list[str]) -> None:
    seen: set[str] = set()
    for partner in partners:
        if partner is None:
            continue
        ids = [partner.id, *(m.id for m in partner.mediators)]
        for pid in ids:
            if pid in seen:
                problems.append(f"{pid}: duplicate id")
            seen.add(pid)


def _partner(entry: Any, default_city: str, where: str, problems: list[str]) -> Partner | None:
    if not isinstance(entry, Mapping):
        problems.append(f"{where}: expected a mapping")
        return None
    before = len(problems)
    pid = _text(entry, "id", where, problems)
    where = f"{where} ({pid})" if pid else where
    city = str(entry.get("city", default_city))
    partner = Partner(
        id=pid,
        kind=_text(entry, "kind", where, problems),
        name_zh=_text(entry, "name_zh", where, problems),
        name_en=_text(entry, "name_en", where, problems),
        categories=_categories(entry.get("categories"), f"{where}.categories", problems, empty_ok=False),
        districts=_districts(entry.get("districts"), city, f"{where}.districts", problems),
        modes=_modes(entry.get("modes"), f"{where}.modes", problems),
        capacity=_count(entry.get("capacity"), f"{where}.capacity", problems),
        city=city,
        min_claim=_amount(entry.get("min_claim"), f"{where}.min_claim", problems),
        max_claim=_amount(entry.get("max_claim"), f"{where}.max_claim", problems),
        self_period_days=_count(entry.get("self_period_days", DEFAULT_SELF_PERIOD_DAYS),
                                f"{where}.self_period_days", problems, minimum=1),
        active=_flag(entry.get("active", True), f"{where}.active", problems),
        conflicts=_conflicts(entry.get("conflicts"), f"{where}.conflicts", problems),
        mediators=_mediators(entry.get("mediators", []), f"{where}.mediators", problems),
    )
    if partner.min_claim is not None and partner.max_claim is not None and partner.min_claim > partner.max_claim:
        problems.append(f"{where}: min_claim is above max_claim")
    if not is_area_code(city):
        problems.append(f"{where}.city: {city!r} is not a 6-digit area code")
    return partner if len(problems) == before else None


def _text(entry: Mapping[str, Any], key: str, where: str, problems: list[str]) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}.{key}: required text")
        return ""
    return value.strip()


def _categories(value: Any, where: str, problems: list[str], empty_ok: bool) -> frozenset[str]:
    if not isinstance(value, list) or (not value and not empty_ok):
        problems.append(f"{where}: expected a non-empty list of dispute categories")
        return frozenset()
    unknown = [c for c in value if c not in CATEGORIES]
    if unknown:
        problems.append(f"{where}: unknown categories {unknown}")
    return frozenset(value)


def _districts(value: Any, city: str, where: str, problems: list[str]) -> frozenset[str] | None:
    if value == "city":
        return None
    if not isinstance(value, list) or not value:
        problems.append(f"{where}: expected 'city' or a non-empty list of district codes")
        return frozenset()
    codes = [str(code) for code in value]
    wrong = [c for c in codes if not is_area_code(c) or city_of(c) != city_of(city)]
    if wrong:
        problems.append(f"{where}: {wrong} are not district codes of city {city}")
    return frozenset(codes)


def _modes(value: Any, where: str, problems: list[str]) -> frozenset[Mode]:
    known = {m.value for m in Mode}
    if not isinstance(value, list) or not value:
        problems.append(f"{where}: expected a non-empty list of modes {sorted(known)}")
        return frozenset()
    unknown = [m for m in value if m not in known]
    if unknown:
        problems.append(f"{where}: unknown modes {unknown}")
    return frozenset(Mode(m) for m in value if m in known)


def _count(value: Any, where: str, problems: list[str], minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        problems.append(f"{where}: expected a whole number >= {minimum}")
        return minimum
    return value


def _flag(value: Any, where: str, problems: list[str]) -> bool:
    if not isinstance(value, bool):
        problems.append(f"{where}: expected true or false")
        return False
    return value


def _amount(value: Any, where: str, problems: list[str]) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        problems.append(f"{where}: {value!r} is not a decimal amount")
        return None
    if not amount.is_finite() or amount < 0:
        problems.append(f"{where}: must be a non-negative amount")
        return None
    return amount


def _string_list(value: Any, where: str, problems: list[str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(f"{where}: expected a list of text")
        return []
    return value


def _conflicts(value: Any, where: str, problems: list[str]) -> Conflicts:
    if value is None:
        return Conflicts()
    if not isinstance(value, Mapping):
        problems.append(f"{where}: expected {{id_numbers: [...], law_firms: [...]}}")
        return Conflicts()
    unknown = set(value) - {"id_numbers", "law_firms"}
    if unknown:
        problems.append(f"{where}: unknown keys {sorted(unknown)}")
    return Conflicts.of(_string_list(value.get("id_numbers"), f"{where}.id_numbers", problems),
                        _string_list(value.get("law_firms"), f"{where}.law_firms", problems))


def _mediators(value: Any, where: str, problems: list[str]) -> tuple[Mediator, ...]:
    if not isinstance(value, list):
        problems.append(f"{where}: expected a list")
        return ()
    mediators = []
    for i, entry in enumerate(value):
        at = f"{where}[{i}]"
        if not isinstance(entry, Mapping):
            problems.append(f"{at}: expected a mapping")
            continue
        mediators.append(Mediator(
            id=_text(entry, "id", at, problems),
            name=_text(entry, "name", at, problems),
            specialties=_categories(entry.get("specialties", []), f"{at}.specialties", problems, empty_ok=True),
            conflicts=_conflicts(entry.get("conflicts"), f"{at}.conflicts", problems),
        ))
    return tuple(mediators)
