"""Hypothesis strategies for generated rosters and cases, and an independent eligibility oracle.

The oracle restates the filters from the issue text directly, without the engine's code, so the
property tests compare two readings of the rules rather than the engine with itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hypothesis import strategies as st

from services.routing.domain.case import RoutingCase, RoutingParty
from services.routing.domain.policy import SPC_2016, SPC_2025, PolicyPack
from services.routing.domain.roster import Conflicts, Mediator, Partner
from services.routing.domain.ruleset import MANDATORY_FILTERS, OPTIONAL_FILTERS, Ruleset, validate_ruleset
from services.routing.domain.vocabulary import Mode, Procedure, Stage

CITIES = {"370200": ("370202", "370203", "370211"), "370100": ("370102",)}
DISTRICTS = tuple(d for ds in CITIES.values() for d in ds)
CATEGORIES = ("neighbour", "labour", "family", "commercial_contract")
ID_NUMBERS = ("370202199503124012", "370211198707153028", "370283199209201134", "91370200MA3C000000")
FIRMS = ("某律师事务所", "青岛某某律师事务所", "北京某律师事务所")
AMOUNTS = (Decimal("0"), Decimal("500"), Decimal("1000"), Decimal("50000"), Decimal("50000.01"), Decimal("200000"))


# Strategies are built once: hypothesis validates each new strategy object, which dominates
# the run time when they are rebuilt inside every draw.
# Biased towards partners that can take cases, so that most examples exercise the ranking.
_NO_CONFLICT = st.just(Conflicts())
_CONFLICTS = _NO_CONFLICT | _NO_CONFLICT | _NO_CONFLICT | st.builds(
    Conflicts.of, st.sets(st.sampled_from(ID_NUMBERS), max_size=2), st.sets(st.sampled_from(FIRMS), max_size=1))
_CITY = st.sampled_from(["370200", "370200", "370200", "370100"])
_DISTRICT_SETS = {city: st.none() | st.none() | st.frozensets(st.sampled_from(codes), min_size=1)
                  for city, codes in CITIES.items()}
_AMOUNT = st.none() | st.none() | st.sampled_from(AMOUNTS)
_CATEGORY_SET = st.frozensets(st.sampled_from(CATEGORIES), min_size=1)
_ANY_CATEGORIES = st.frozensets(st.sampled_from(CATEGORIES))
_MODES = st.just(frozenset(Mode)) | st.frozensets(st.sampled_from(list(Mode)), min_size=1)
_ACTIVE = st.sampled_from([True] * 7 + [False])


@st.composite
def partner(draw: st.DrawFn, pid: str) -> Partner:
    city = draw(_CITY)
    low, high = draw(_AMOUNT), draw(_AMOUNT)
    if low is not None and high is not None and low > high:
        low, high = high, low
    categories = draw(_CATEGORY_SET)
    mediators = tuple(
        Mediator(id=f"{pid}-M{i}", name="调解员", specialties=draw(_ANY_CATEGORIES) & categories,
                 conflicts=draw(_CONFLICTS))
        for i in range(draw(st.integers(0, 3))))
    return Partner(
        id=pid, kind="people_mediation", name_zh="调解组织", name_en="Mediation body",
        categories=categories, districts=draw(_DISTRICT_SETS[city]), modes=draw(_MODES),
        capacity=draw(st.sampled_from([0, 1, 2, 3, 4, 5, 6, 6, 6])), city=city, min_claim=low, max_claim=high,
        self_period_days=draw(st.integers(1, 60)), active=draw(_ACTIVE),
        conflicts=draw(_CONFLICTS), mediators=mediators,
    )


@st.composite
def roster(draw: st.DrawFn, max_size: int = 12) -> list[Partner]:
    size = draw(st.integers(0, max_size))  # an empty roster is a real edge case
    return [draw(partner(f"P{i + 1:02d}")) for i in range(size)]


_PARTY = st.tuples(st.sampled_from(ID_NUMBERS), st.sampled_from([True] * 9 + [False]),
                   st.none() | st.sampled_from(FIRMS))
_ROLES = ("applicant", "respondent", "third_party")
_STAGE = st.sampled_from(list(Stage))
_DISTRICT = st.sampled_from(["370202", "370202", "370203", "370211", "370102"])
_PROCEDURE = st.sampled_from(list(Procedure))


@st.composite
def routing_case(draw: st.DrawFn, partner_ids: list[str]) -> RoutingCase:
    stage = draw(_STAGE)
    known_or_stranger = st.sampled_from([*partner_ids, "P99"])
    drawn = draw(st.lists(_PARTY, min_size=2, max_size=3))
    return RoutingCase(
        case_id=f"case-{draw(st.integers(0, 10**6))}",
        stage=stage,
        category=draw(st.sampled_from(CATEGORIES)),
        district=draw(_DISTRICT),
        parties=tuple(RoutingParty(_ROLES[i], *fields) for i, fields in enumerate(drawn)),
        procedure=draw(_PROCEDURE) if stage in (Stage.POST_FILING, Stage.IN_LITIGATION) else None,
        claim_amount=draw(_AMOUNT),
        preferred_partner_id=draw(st.none() | known_or_stranger),
        partner_id=draw(known_or_stranger) if stage is Stage.DIRECT else None,
    )


_WEIGHT = st.floats(0, 10, allow_nan=False, allow_infinity=False)
_MARGIN = st.floats(0.001, 50, allow_nan=False, allow_infinity=False)
_OPTIONAL = st.sets(st.sampled_from(sorted(OPTIONAL_FILTERS)))


@st.composite
def ruleset(draw: st.DrawFn) -> Ruleset:
    others = {"specialisation": draw(_WEIGHT), "locality": draw(_WEIGHT), "load": draw(_WEIGHT)}
    margin = draw(_MARGIN)
    optional = draw(_OPTIONAL)
    return validate_ruleset({
        "version": draw(st.integers(1, 9)),
        "weights": {"preferred_choice": sum(others.values()) + margin, **others},
        "locality": {"small_claim_threshold": str(draw(st.sampled_from(AMOUNTS)))},
        "filters": sorted(MANDATORY_FILTERS | optional),
    })


@dataclass(frozen=True)
class Situation:
    partners: list[Partner]
    case: RoutingCase
    ruleset: Ruleset
    pack: PolicyPack
    load: dict[str, int]
    declined: frozenset[str]


@st.composite
def situation(draw: st.DrawFn) -> Situation:
    partners = draw(roster())
    ids = [p.id for p in partners]
    load = {pid: draw(st.integers(0, 4)) for pid in ids if draw(st.booleans())}
    return Situation(
        partners=partners,
        case=draw(routing_case(ids)),
        ruleset=draw(ruleset()),
        pack=draw(st.sampled_from([SPC_2016, SPC_2025])),
        load=load,
        declined=frozenset(draw(st.sets(st.sampled_from(ids), max_size=2)) if ids else ()),
    )


def oracle_eligible(p: Partner, s: Situation, mode: Mode) -> bool:
    """The eight filters of issue 4, read literally."""
    case, filters = s.case, set(s.ruleset.filters)
    ids = {party.id_number for party in case.parties}
    firms = {"".join(party.law_firm.split()).casefold() for party in case.parties if party.law_firm}

    def tied(c: Conflicts) -> bool:
        return bool(ids & c.id_numbers) or bool(firms & c.law_firms)

    amount = case.claim_amount
    in_city = p.city == case.district[:4] + "00"
    serves = in_city and (p.districts is None or case.district in p.districts or "district" not in filters)
    in_range = "claim_amount" not in filters or (
        (p.min_claim is None or (amount is not None and amount >= p.min_claim))
        and (p.max_claim is None or amount is None or amount <= p.max_claim))
    conflicted = tied(p.conflicts) or (bool(p.mediators) and all(tied(m.conflicts) for m in p.mediators))
    return (p.active and mode in p.modes and case.category in p.categories and serves and in_range
            and not conflicted and p.id not in s.declined and s.load.get(p.id, 0) < p.capacity)


def oracle_pool(s: Situation, mode: Mode) -> set[str]:
    """Ids of the partners eligible for the case: for stage direct only the named partner counts."""
    eligible = {p.id for p in s.partners if oracle_eligible(p, s, mode)}
    if s.case.stage is Stage.DIRECT:
        return eligible & {s.case.partner_id}
    return eligible
