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


def conflicts() -> st.SearchStrategy[Conflicts]:
    return st.builds(Conflicts.of, st.sets(st.sampled_from(ID_NUMBERS), max_size=2),
                     st.sets(st.sampled_from(FIRMS), max_size=1))


@st.composite
def partner(draw: st.DrawFn, pid: str) -> Partner:
    city = draw(st.sampled_from(sorted(CITIES)))
    districts = draw(st.none() | st.frozensets(st.sampled_from(CITIES[city]), min_size=1))
    low, high = draw(st.none() | st.sampled_from(AMOUNTS)), draw(st.none() | st.sampled_from(AMOUNTS))
    if low is not None and high is not None and low > high:
        low, high = high, low
    categories = draw(st.frozensets(st.sampled_from(CATEGORIES), min_size=1))
    mediators = tuple(
        Mediator(id=f"{pid}-M{i}", name="调解员",
                 specialties=draw(st.frozensets(st.sampled_from(sorted(categories)))),
                 conflicts=draw(conflicts()))
        for i in range(draw(st.integers(0, 3))))
    return Partner(
        id=pid, kind="people_mediation", name_zh="调解组织", name_en="Mediation body",
        categories=categories, districts=districts,
        modes=draw(st.frozensets(st.sampled_from(list(Mode)), min_size=1)),
        capacity=draw(st.integers(0, 4)), city=city, min_claim=low, max_claim=high,
        self_period_days=draw(st.integers(1, 60)), active=draw(st.sampled_from([True, True, True, False])),
        conflicts=draw(conflicts()), mediators=mediators,
    )


@st.composite
def roster(draw: st.DrawFn, max_size: int = 10) -> list[Partner]:
    size = draw(st.integers(0, max_size))
    return [draw(partner(f"P{i + 1:02d}")) for i in range(size)]


@st.composite
def routing_case(draw: st.DrawFn, partner_ids: list[str]) -> RoutingCase:
    stage = draw(st.sampled_from(list(Stage)))
    known_or_stranger = st.sampled_from([*partner_ids, "P99"])
    party = st.builds(
        RoutingParty,
        role=st.just("applicant"),
        id_number=st.sampled_from(ID_NUMBERS),
        consents_to_mediation=st.sampled_from([True, True, True, True, False]),
        law_firm=st.none() | st.sampled_from(FIRMS),
    )
    parties = draw(st.lists(party, min_size=2, max_size=3))
    roles = ["applicant", "respondent", "third_party"]
    parties = [RoutingParty(roles[i], p.id_number, p.consents_to_mediation, p.law_firm) for i, p in enumerate(parties)]
    return RoutingCase(
        case_id=draw(st.uuids()).hex,
        stage=stage,
        category=draw(st.sampled_from(CATEGORIES)),
        district=draw(st.sampled_from(DISTRICTS)),
        parties=tuple(parties),
        procedure=draw(st.sampled_from(list(Procedure))) if stage in (Stage.POST_FILING, Stage.IN_LITIGATION) else None,
        claim_amount=draw(st.none() | st.sampled_from(AMOUNTS)),
        preferred_partner_id=draw(st.none() | known_or_stranger),
        partner_id=draw(known_or_stranger) if stage is Stage.DIRECT else None,
    )


@st.composite
def ruleset(draw: st.DrawFn) -> Ruleset:
    weight = st.floats(0, 10, allow_nan=False, allow_infinity=False)
    others = {"specialisation": draw(weight), "locality": draw(weight), "load": draw(weight)}
    margin = draw(st.floats(0.001, 50, allow_nan=False, allow_infinity=False))
    optional = draw(st.sets(st.sampled_from(sorted(OPTIONAL_FILTERS))))
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
    load = {pid: draw(st.integers(0, 5)) for pid in ids if draw(st.booleans())}
    return Situation(
        partners=partners,
        case=draw(routing_case(ids)),
        ruleset=draw(ruleset()),
        pack=draw(st.sampled_from([SPC_2016, SPC_2025])),
        load=load,
        declined=frozenset(draw(st.sets(st.sampled_from(ids))) if ids else ()),
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
