"""The roster data file against domain.md's table, and the loader's refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from stdnum.cn import ric

from services.routing.domain.roster import RosterError, load_roster, read_roster
from services.routing.domain.vocabulary import CATEGORIES, QINGDAO_DISTRICTS, Mode

CENTRE = {"neighbour", "family", "inheritance", "tenancy", "property_service", "private_lending",
          "personal_injury", "consumer", "other"}
# domain.md, "The 35 partner bodies": id -> (categories, modes, min, max, capacity), all city-wide.
CITY_BODIES = {
    "P11": ("commercial_contract company securities_futures construction real_estate financial_loan "
            "intellectual_property maritime", "EI", None, None, 40),
    "P12": ("commercial_contract private_lending construction company real_estate tenancy financial_loan "
            "family inheritance other", "DEIS", None, None, 120),
    "P13": ("labour", "DES", None, None, 60),
    "P14": ("labour", "DS", None, None, 60),
    "P15": ("consumer online", "DES", None, None, 60),
    "P16": ("medical", "DEIS", None, None, 60),
    "P17": ("traffic_accident", "DES", None, None, 60),
    "P18": ("financial_loan insurance", "DEIS", None, None, 60),
    "P19": ("insurance traffic_accident", "DES", None, None, 60),
    "P20": ("securities_futures", "DEIS", None, None, 60),
    "P21": ("commercial_contract company sme_arrears construction", "DES", "50000", None, 60),
    "P22": ("commercial_contract sme_arrears company", "DES", None, None, 60),
    "P23": ("intellectual_property", "DEIS", None, None, 60),
    "P24": ("property_service", "DES", None, None, 60),
    "P25": ("family inheritance", "DEIS", None, None, 60),
    "P26": ("online consumer", "DS", None, None, 60),
    "P27": ("commercial_contract construction real_estate", "DES", None, None, 60),
    "P28": ("private_lending inheritance financial_loan", "DS", None, None, 60),
    "P29": ("real_estate construction", "DES", None, None, 60),
    "P30": ("maritime", "DEIS", None, None, 60),
    "P31": ("cross_strait", "DEI", None, None, 60),
    "P32": ("overseas_chinese", "DEI", None, None, 60),
    "P33": ("price", "DS", None, None, 60),
    "P34": ("sme_arrears", "DES", None, None, 60),
    "P35": ("neighbour consumer tenancy private_lending property_service personal_injury family other",
            "DS", None, "50000", 200),
}
LETTER = {"D": Mode.DELEGATION, "E": Mode.ENTRUSTMENT, "I": Mode.INVITATION, "S": Mode.SELF}


@pytest.fixture(scope="module")
def roster():
    return {p.id: p for p in read_roster()}


def test_roster_file_has_the_35_partner_bodies_in_contract_order(roster):
    assert list(roster) == [f"P{i:02d}" for i in range(1, 36)]


def test_district_centres_follow_the_districts_table(roster):
    for i, (code, name) in enumerate(QINGDAO_DISTRICTS.items(), start=1):
        centre = roster[f"P{i:02d}"]
        assert centre.districts == frozenset({code}) and centre.kind == "people_mediation"
        assert name.rstrip("区市") in centre.name_zh
        assert centre.categories == CENTRE and centre.capacity == 80
        assert centre.modes == {Mode.DELEGATION, Mode.ENTRUSTMENT, Mode.SELF}
        assert centre.min_claim is None and centre.max_claim is None


@pytest.mark.parametrize("pid", sorted(CITY_BODIES))
def test_city_wide_body_matches_domain_table(roster, pid):
    categories, modes, low, high, capacity = CITY_BODIES[pid]
    body = roster[pid]
    assert body.citywide and body.city == "370200"
    assert body.categories == frozenset(categories.split())
    assert body.modes == frozenset(LETTER[m] for m in modes)
    assert body.min_claim == (None if low is None else Decimal(low))
    assert body.max_claim == (None if high is None else Decimal(high))
    assert body.capacity == capacity


def test_every_body_is_active_named_in_both_languages_with_three_mediators(roster):
    kinds = set()
    for body in roster.values():
        kinds.add(body.kind)
        assert body.active and body.self_period_days == 30
        assert body.name_en.isascii() and not body.name_zh.isascii()
        assert [m.id for m in body.mediators] == [f"{body.id}-M0{i}" for i in (1, 2, 3)]
        for mediator in body.mediators:
            assert mediator.specialties and mediator.specialties <= body.categories
            assert all("\u4e00" <= ch <= "\u9fff" for ch in mediator.name)
    assert len(kinds) == 26


def test_declared_conflicts_exist_and_id_numbers_are_valid_gb11643(roster):
    assert "某律师事务所" in roster["P12"].mediators[0].conflicts.law_firms
    assert "某律师事务所" in roster["P27"].conflicts.law_firms
    declared = [n for body in roster.values() for holder in (body, *body.mediators)
                for n in holder.conflicts.id_numbers]
    assert declared and all(ric.is_valid(n) for n in declared)


def test_categories_in_the_roster_are_known(roster):
    assert set().union(*(p.categories for p in roster.values())) <= set(CATEGORIES)


def valid_entry(**changes):
    entry = {"id": "X1", "kind": "lawyer", "name_zh": "某调解中心", "name_en": "A centre",
             "categories": ["labour"], "districts": "city", "modes": ["delegation"], "capacity": 5}
    return {**entry, **changes}


def test_loader_accepts_a_plain_list_with_defaults():
    (partner,) = load_roster([valid_entry()])
    assert partner.city == "370200" and partner.active and partner.self_period_days == 30
    assert not partner.conflicts and partner.mediators == ()


def test_loader_reports_every_problem_at_once():
    bad = valid_entry(categories=["gardening"], modes=["arbitrate"], capacity=-1,
                      min_claim="100", max_claim="10", districts=["110101"])
    with pytest.raises(RosterError) as caught:
        load_roster({"partners": [bad, valid_entry(id=None)]})
    text = str(caught.value)
    for expected in ("gardening", "arbitrate", "capacity", "min_claim is above max_claim", "110101",
                     "partners[1].id"):
        assert expected in text
    assert len(caught.value.problems) >= 6


def test_loader_refuses_duplicate_ids():
    with pytest.raises(RosterError, match="duplicate"):
        load_roster([valid_entry(), valid_entry()])


def test_loader_refuses_non_list():
    with pytest.raises(RosterError, match="expected a list"):
        load_roster({"partners": "P01"})
