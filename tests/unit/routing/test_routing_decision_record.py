"""The decision as it is recorded and read: the `case.routed` / `case.unroutable` data, word for word.

RoutingDecision.to_dict() is the data of the decision events and of GET /v1/routing/decisions, and
the explanation is what clerks and partners read, so both are pinned whole here, not by fragments.
The roster is made for these tests (not the Qingdao one in roster.yaml, which ops edit), so that the
words and scores below change only when the engine does.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from services.routing.domain.case import RoutingCase
from services.routing.domain.engine import DecisionOutcome, Reason, considered_partner_ids, decide
from services.routing.domain.index import RosterIndex
from services.routing.domain.policy import SPC_2016, SPC_2025
from services.routing.domain.roster import Partner
from services.routing.domain.ruleset import DEFAULT_RULESET_DOCUMENT, validate_ruleset
from services.routing.domain.vocabulary import Mode
from tests.support.cases import case_body

RULESET = validate_ruleset({**DEFAULT_RULESET_DOCUMENT, "version": 4})

SHINAN = Partner(id="P01", kind="people_mediation", name_zh="市南区人民调解中心",
                 name_en="Shinan District People's Mediation Centre",
                 categories=frozenset({"neighbour", "family", "property_service", "private_lending"}),
                 districts=frozenset({"370202"}), modes=frozenset({Mode.DELEGATION, Mode.ENTRUSTMENT, Mode.SELF}),
                 capacity=80)
PROPERTY = Partner(id="P24", kind="industry_mediation", name_zh="物业纠纷人民调解委员会",
                   name_en="Property Service Dispute Mediation Committee",
                   categories=frozenset({"property_service"}), districts=None,
                   modes=frozenset({Mode.DELEGATION, Mode.ENTRUSTMENT, Mode.SELF}), capacity=60,
                   self_period_days=20)
COMMERCIAL = Partner(id="P40", kind="commercial_mediation", name_zh="商事调解中心",
                     name_en="Commercial Mediation Centre",
                     categories=frozenset({"commercial_contract", "property_service"}), districts=None,
                     modes=frozenset({Mode.DELEGATION, Mode.ENTRUSTMENT, Mode.SELF}), capacity=60,
                     min_claim=Decimal("50000.00"))
INDEX = RosterIndex([SHINAN, PROPERTY, COMMERCIAL])
HALF_FULL = {"P24": 30}  # P01 and P40 have no open case, so no entry: the way the store answers

DESIGNATED = ("Designated by the rules (2021 Art 10) as the best of 2 eligible partner(s) (1 excluded): "
              "score 6.0 = preferred_choice 0.0 + specialisation 1.0 + locality 3.0 + load 2.0; "
              "equal scores go to the lower partner id.")
TO_SHINAN = ("Routed to P01 Shinan District People's Mediation Centre (市南区人民调解中心) "
             "as delegation (立案前委派调解), with a period of 30 calendar days from the partner's acceptance "
             "(2021 Art 24); policy pack spc-2016, ruleset version 4. ")
BELOW_MINIMUM = "takes claims from 50,000.00 CNY; this dispute claims 12,500.00 CNY"
DOCKET = "The case goes back to the court to be docketed (登记立案)."


def case(**changes) -> RoutingCase:
    """The contract's example: a property-service dispute of 12,500.00 CNY in 市南区, before filing."""
    return RoutingCase.from_case_body("c-7", case_body(**changes))


def test_routed_decision_record_whole():
    decision = decide(case(), INDEX, RULESET, SPC_2016, load=HALF_FULL, attempt=2)
    assert decision.to_dict() == {
        "case_id": "c-7",
        "attempt": 2,
        "outcome": "routed",
        "mode": "delegation",
        "partner_id": "P01",
        "reason": None,
        "reason_detail": None,
        "explanation": TO_SHINAN + DESIGNATED,
        "policy_pack": "spc-2016",
        "ruleset_version": 4,
        "period_days": 30,
        "return_to_court": None,
        "candidates": [
            {"partner_id": "P01", "score": 6.0,
             "parts": {"preferred_choice": 0.0, "specialisation": 1.0, "locality": 3.0, "load": 2.0}},
            {"partner_id": "P24", "score": 5.0,
             "parts": {"preferred_choice": 0.0, "specialisation": 4.0, "locality": 0.0, "load": 1.0}},
        ],
        "excluded": [
            {"partner_id": "P40", "reason": "claim_range", "filter": "claim_amount", "detail": BELOW_MINIMUM},
        ],
    }


def test_unroutable_decision_record_whole():
    decision = decide(case(), INDEX, RULESET, SPC_2016, load={"P01": 80}, declined={"P24"}, attempt=3)
    detail = ("No partner can take a property_service (物业服务合同) dispute in 市南区 (370202): 3 partner(s) "
              "on the roster serve it and every one is excluded (see excluded).")
    assert decision.to_dict() == {
        "case_id": "c-7",
        "attempt": 3,
        "outcome": "unroutable",
        "mode": "delegation",
        "partner_id": None,
        "reason": "no_eligible_partner",
        "reason_detail": detail,
        "explanation": f"{detail} {DOCKET}",
        "policy_pack": "spc-2016",
        "ruleset_version": 4,
        "period_days": None,
        "return_to_court": "docket",
        "candidates": [],
        "excluded": [
            {"partner_id": "P01", "reason": "capacity", "filter": "at_capacity",
             "detail": "is at capacity: 80 open cases of 80"},
            {"partner_id": "P24", "reason": "declined_before", "filter": "declined_before",
             "detail": "declined this case on an earlier offer (2021 Art 12), so it is not offered the case again"},
            {"partner_id": "P40", "reason": "claim_range", "filter": "claim_amount", "detail": BELOW_MINIMUM},
        ],
    }


def test_mode_not_allowed_is_explained_with_the_packs_words_and_the_way_back_to_court():
    decision = decide(case(), INDEX, RULESET, SPC_2025, attempt=2)
    detail = ("Policy pack spc-2025 does not allow delegation (立案前委派调解): since 2025-01-01 a dispute is docketed "
              "(登记立案) before any court-annexed mediation, so pre-filing delegation is no longer allowed.")
    assert (decision.reason, decision.reason_detail) == (Reason.MODE_NOT_ALLOWED, detail)
    assert decision.explanation == f"{detail} {DOCKET}"
    assert decision.to_dict()["reason"] == "mode_not_allowed"
    assert (decision.case_id, decision.attempt, decision.ruleset_version) == ("c-7", 2, 4)


def test_no_partner_handling_the_category_is_told_apart_from_every_one_excluded():
    decision = decide(case(category="maritime"), INDEX, RULESET, SPC_2016)
    assert decision.reason is Reason.NO_ELIGIBLE_PARTNER and not decision.excluded
    assert decision.explanation == (
        f"No partner on the roster handles a maritime (海事海商) dispute in 市南区 (370202). {DOCKET}")


def test_named_partner_unavailable_says_its_reason_and_sends_nothing_to_court():
    decision = decide(case(stage="direct", partner_id="P24"), INDEX, RULESET, SPC_2016, load={"P24": 60})
    detail = ("The partner the parties went to, P24, cannot mediate this case: "
              "it is at capacity: 60 open cases of 60.")
    assert (decision.reason, decision.reason_detail, decision.return_to_court) == (
        Reason.NO_ELIGIBLE_PARTNER, detail, None)
    assert decision.explanation == f"{detail} No mediation takes place; nothing goes to the court."


def test_direct_decision_names_the_partners_own_mediation_and_its_period():
    decision = decide(case(stage="direct", partner_id="P24"), INDEX, RULESET, SPC_2016, load=HALF_FULL)
    assert decision.explanation == (
        "Routed to P24 Property Service Dispute Mediation Committee (物业纠纷人民调解委员会) "
        "as self (合作单位自行调解), with a period of 20 calendar days from the partner's acceptance (2021 Art 24); "
        "policy pack spc-2016, ruleset version 4. "
        "A party brought the dispute to this partner directly; it mediates under its own rules (自行调解).")


def test_joint_choice_not_followed_is_said_before_the_designation():
    decision = decide(case(preferred_partner_id="P40"), INDEX, RULESET, SPC_2016, load=HALF_FULL)
    not_followed = (f"The parties' joint choice P40 was not followed (2016 Art 12): it {BELOW_MINIMUM}. "
                    "The rules designated a partner instead.")
    assert (decision.reason, decision.reason_detail) == (Reason.PREFERENCE_NOT_FOLLOWED, not_followed)
    assert decision.explanation == f"{TO_SHINAN}{not_followed} {DESIGNATED}"


# --- the claim range (domain.md: "≥ 50,000"; filters._claim excludes a claim below the minimum) ----

def test_a_claim_of_exactly_the_partners_minimum_is_within_its_range():
    decision = decide(case(claim_amount="50000.00"), INDEX, RULESET, SPC_2016, load=HALF_FULL)
    assert [c.partner_id for c in decision.candidates] == ["P01", "P24", "P40"]
    assert not decision.excluded


def test_a_claim_a_cent_below_the_minimum_is_excluded_saying_both_amounts():
    decision = decide(case(claim_amount="49999.99"), INDEX, RULESET, SPC_2016, load=HALF_FULL)
    assert [(e.partner_id, e.reason, e.detail) for e in decision.excluded] == [
        ("P40", "claim_range", "takes claims from 50,000.00 CNY; this dispute claims 49,999.99 CNY")]


def test_a_claim_of_exactly_the_partners_maximum_is_within_its_range_and_a_cent_more_is_not():
    small_claims = dataclasses.replace(SHINAN, max_claim=Decimal("12500.00"))
    index = RosterIndex([small_claims, PROPERTY, COMMERCIAL])
    at_maximum = decide(case(claim_amount="12500.00"), index, RULESET, SPC_2016, load=HALF_FULL)
    assert "P01" in [c.partner_id for c in at_maximum.candidates]
    above = decide(case(claim_amount="12500.01"), index, RULESET, SPC_2016, load=HALF_FULL)
    assert [(e.partner_id, e.reason) for e in above.excluded if e.partner_id == "P01"] == [("P01", "claim_range")]


# --- which partners a decision looks at ---------------------------------------------------------

def test_considered_partners_are_the_pool_and_the_parties_choice_only():
    assert considered_partner_ids(case(), INDEX, RULESET) == {"P01", "P24", "P40"}
    assert considered_partner_ids(case(category="family"), INDEX, RULESET) == {"P01"}
    assert considered_partner_ids(case(category="family", preferred_partner_id="P24"), INDEX, RULESET) == {
        "P01", "P24"}


# A direct case carrying a preference is refused by intake, but routing reads a body as it is given
# (POST /v1/routing/simulate takes one): the partner the party went to is the only one considered.

def test_direct_case_ignores_a_preference_for_another_partner():
    direct = case(stage="direct", partner_id="P24", preferred_partner_id="P01")
    assert considered_partner_ids(direct, INDEX, RULESET) == {"P24"}
    decision = decide(direct, INDEX, RULESET, SPC_2016, load=HALF_FULL)
    assert decision.outcome is DecisionOutcome.ROUTED and decision.partner_id == "P24"
    assert [c.partner_id for c in decision.candidates] == ["P24"] and not decision.excluded


def test_direct_case_naming_its_own_partner_as_preference_earns_no_joint_choice_points():
    direct = case(stage="direct", partner_id="P24", preferred_partner_id="P24")
    plain = decide(dataclasses.replace(direct, preferred_partner_id=None), INDEX, RULESET, SPC_2016,
                   load=HALF_FULL)
    decision = decide(direct, INDEX, RULESET, SPC_2016, load=HALF_FULL)
    assert decision.candidates == plain.candidates
    assert not decision.candidates[0].joint_choice and decision.candidates[0].parts["preferred_choice"] == 0.0
