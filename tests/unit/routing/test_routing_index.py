"""RosterIndex: a decision reads one (category, city) group, never the whole roster."""

from __future__ import annotations

import dataclasses

import pytest

from services.routing.domain.case import RoutingCase, RoutingParty
from services.routing.domain.engine import considered_partner_ids, decide
from services.routing.domain.index import RosterIndex
from services.routing.domain.scoring import specialisation
from services.routing.domain.policy import SPC_2016
from services.routing.domain.roster import Mediator, Partner, read_roster
from services.routing.domain.ruleset import DEFAULT_RULESET
from services.routing.domain.vocabulary import Mode


def body(pid: str, city: str, categories: set[str], districts=None) -> Partner:
    return Partner(id=pid, kind="people_mediation", name_zh="调解组织", name_en="Body",
                   categories=frozenset(categories), districts=districts, modes=frozenset(Mode),
                   capacity=5, city=city)


@pytest.fixture(scope="module")
def qingdao() -> RosterIndex:
    return RosterIndex(read_roster())


def test_serving_is_the_district_centre_and_the_city_wide_bodies(qingdao):
    assert [partner.id for partner in qingdao.serving("neighbour", "370203")] == ["P02", "P35"]
    assert [partner.id for partner in qingdao.serving("maritime", "370202")] == ["P11", "P30"]
    assert qingdao.serving("neighbour", "110101") == ()


def test_in_city_is_every_body_of_the_city_for_the_category(qingdao):
    ids = [partner.id for partner in qingdao.in_city("neighbour", "370203")]
    assert ids == [f"P{i:02d}" for i in range(1, 11)] + ["P35"]


def test_decision_looks_only_at_the_group_of_a_large_roster():
    cities = [f"{110000 + 100 * n}" for n in range(300)]  # 110000, 110100, ... 139900
    partners = [body(f"N{city}-{k:02d}", city, {"labour" if k % 2 else "family"})
                for city in cities for k in range(20)]
    index = RosterIndex(partners)
    case = RoutingCase(case_id="c", stage="pre_filing", category="labour", district="110101",
                       parties=(RoutingParty("applicant", "a", True), RoutingParty("respondent", "b", True)))
    decision = decide(case, index, DEFAULT_RULESET, SPC_2016)
    assert len(index) == 6000
    assert len(decision.candidates) + len(decision.excluded) == 10  # the city's labour bodies only
    assert all(c.partner_id.startswith("N110100-") for c in decision.candidates)


def test_specialisation_prefers_narrow_bodies_with_specialist_mediators():
    generalist = body("G", "370200", {"labour", "family", "neighbour", "other"})
    narrow = body("S", "370200", {"labour"})
    staffed = dataclasses.replace(generalist, mediators=(
        Mediator("G-M1", "甲", frozenset({"labour"})), Mediator("G-M2", "乙", frozenset({"family"}))))
    assert specialisation(narrow, "labour") == 1.0
    assert specialisation(generalist, "labour") == 0.25
    assert specialisation(staffed, "labour") == pytest.approx((0.25 + 0.5) / 2)
    assert specialisation(narrow, "family") == 0.0


def test_replaced_moves_a_partner_between_groups(qingdao):
    p13 = qingdao.get("P13")
    moved = qingdao.replaced(dataclasses.replace(p13, categories=frozenset({"price"})))
    assert "P13" not in [partner.id for partner in moved.serving("labour", "370202")]
    assert [partner.id for partner in moved.serving("price", "370202")] == ["P13", "P33"]
    assert [partner.id for partner in moved.in_city("price", "370202")] == ["P13", "P33"]
    assert "P13" in [partner.id for partner in qingdao.serving("labour", "370202")]  # unchanged original


def test_replaced_moves_a_district_body_to_another_district(qingdao):
    p01 = qingdao.get("P01")
    moved = qingdao.replaced(dataclasses.replace(p01, districts=frozenset({"370203"})))
    assert [partner.id for partner in moved.serving("neighbour", "370202")] == ["P35"]
    assert [partner.id for partner in moved.serving("neighbour", "370203")] == ["P01", "P02", "P35"]


def test_replaced_adds_a_new_partner_and_duplicates_are_refused(qingdao):
    grown = qingdao.replaced(body("P36", "370200", {"labour"}))
    assert len(grown) == 36 and grown.get("P36") is not None
    with pytest.raises(ValueError, match="duplicate"):
        RosterIndex([body("A", "370200", {"labour"}), body("A", "370200", {"family"})])


def test_considered_partner_ids_are_exactly_the_partners_a_decision_reports(qingdao):
    case = RoutingCase(case_id="c", stage="pre_filing", category="neighbour", district="370203",
                       parties=(RoutingParty("applicant", "a", True), RoutingParty("respondent", "b", True)),
                       preferred_partner_id="P30")
    decision = decide(case, qingdao, DEFAULT_RULESET, SPC_2016)
    reported = {c.partner_id for c in decision.candidates} | {e.partner_id for e in decision.excluded}
    assert considered_partner_ids(case, qingdao, DEFAULT_RULESET) == reported == {"P02", "P35", "P30"}
