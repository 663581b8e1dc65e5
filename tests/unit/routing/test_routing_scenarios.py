"""Scenarios on the Qingdao roster, one per mode and pack, with the article they rest on."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal

import pytest

from services.routing.domain.case import RoutingCase, RoutingParty
from services.routing.domain.engine import DecisionOutcome, Reason, RoutingDecision, decide
from services.routing.domain.index import RosterIndex
from services.routing.domain.policy import SPC_2016, SPC_2025, PolicyPack
from services.routing.domain.roster import Conflicts, read_roster
from services.routing.domain.ruleset import DEFAULT_RULESET, DEFAULT_RULESET_DOCUMENT, validate_ruleset
from services.routing.domain.vocabulary import Mode

APPLICANT_ID = "370202199503124012"
RESPONDENT_ORG = "91370200MA3C000000"
THIRD_ID = "370283199209201134"


@pytest.fixture(scope="module")
def index() -> RosterIndex:
    return RosterIndex(read_roster())


def dispute(stage: str = "pre_filing", category: str = "neighbour", district: str = "370202",
            claim: str | None = "3000.00", procedure: str | None = None, consents=(True, True),
            law_firm: str | None = None, preferred: str | None = None, partner_id: str | None = None,
            third_party: bool = False) -> RoutingCase:
    parties = [RoutingParty("applicant", APPLICANT_ID, consents[0]),
               RoutingParty("respondent", RESPONDENT_ORG, consents[1], law_firm)]
    if third_party:
        parties.append(RoutingParty("third_party", THIRD_ID, consents[2]))
    return RoutingCase(case_id="c-1", stage=stage, category=category, district=district,
                       parties=tuple(parties), procedure=procedure,
                       claim_amount=None if claim is None else Decimal(claim),
                       preferred_partner_id=preferred, partner_id=partner_id)


def route(index: RosterIndex, case: RoutingCase, pack: PolicyPack = SPC_2016, **kwargs) -> RoutingDecision:
    return decide(case, index, DEFAULT_RULESET, pack, **kwargs)


def reason_of(decision: RoutingDecision, partner_id: str) -> str:
    return next(e.reason for e in decision.excluded if e.partner_id == partner_id)


# --- the four modes under spc-2016 ----------------------------------------------------------

def test_art11_2016_pre_filing_neighbour_dispute_is_delegated_to_the_district_centre_for_30_days(index):
    decision = route(index, dispute(district="370203"))
    assert decision.outcome is DecisionOutcome.ROUTED
    assert (decision.mode, decision.partner_id, decision.period_days) == (Mode.DELEGATION, "P02", 30)
    assert decision.policy_pack == "spc-2016" and decision.ruleset_version == 1
    assert {c.partner_id for c in decision.candidates} == {"P02", "P35"}
    assert "委派" in decision.explanation


@pytest.mark.parametrize(("procedure", "days"), [("ordinary", 15), ("summary", 7)])
def test_2016_post_filing_entrustment_period_is_15_ordinary_7_summary(index, procedure, days):
    decision = route(index, dispute(stage="post_filing", category="labour", procedure=procedure))
    assert (decision.mode, decision.partner_id, decision.period_days) == (Mode.ENTRUSTMENT, "P13", days)
    assert reason_of(decision, "P14") == "mode"  # the trade union takes D and S only


@pytest.mark.parametrize(("procedure", "days"), [("ordinary", 15), ("summary", 7)])
def test_2016_in_litigation_invitation_goes_to_a_body_that_assists_the_court(index, procedure, days):
    decision = route(index, dispute(stage="in_litigation", category="medical", procedure=procedure,
                                    claim="180000.00"))
    assert (decision.mode, decision.partner_id, decision.period_days) == (Mode.INVITATION, "P16", days)


def test_2016_direct_self_mediation_stays_with_the_partner_the_party_went_to(index):
    decision = route(index, dispute(stage="direct", category="property_service", partner_id="P24"))
    assert (decision.mode, decision.partner_id, decision.period_days) == (Mode.SELF, "P24", 30)
    assert [c.partner_id for c in decision.candidates] == ["P24"]


def test_2016_direct_self_mediation_needs_no_court_consent_gate(index):
    decision = route(index, dispute(stage="direct", category="property_service", partner_id="P24",
                                    consents=(True, False)))
    assert decision.outcome is DecisionOutcome.ROUTED


def test_direct_to_a_partner_that_does_not_mediate_on_its_own_is_unroutable_with_its_reason(index):
    decision = route(index, dispute(stage="direct", category="maritime", partner_id="P11"))
    assert decision.outcome is DecisionOutcome.UNROUTABLE and decision.reason is Reason.NO_ELIGIBLE_PARTNER
    assert reason_of(decision, "P11") == "mode"
    assert "P11" in decision.reason_detail and decision.return_to_court is None


# --- spc-2025 --------------------------------------------------------------------------------

def test_spc2025_pre_filing_case_is_returned_to_the_court_to_be_docketed(index):
    decision = route(index, dispute(), pack=SPC_2025)
    assert decision.outcome is DecisionOutcome.UNROUTABLE
    assert decision.reason is Reason.MODE_NOT_ALLOWED
    assert decision.mode is Mode.DELEGATION and decision.partner_id is None
    assert decision.return_to_court == "docket"
    assert decision.policy_pack == "spc-2025" and not decision.candidates
    assert "登记立案" in decision.explanation


@pytest.mark.parametrize(("stage", "mode"), [("post_filing", Mode.ENTRUSTMENT), ("in_litigation", Mode.INVITATION)])
def test_spc2025_after_filing_mediation_keeps_15_day_ordinary_period(index, stage, mode):
    decision = route(index, dispute(stage=stage, category="family", procedure="ordinary"), pack=SPC_2025)
    assert decision.outcome is DecisionOutcome.ROUTED and decision.mode is mode and decision.period_days == 15


def test_spc2025_direct_self_mediation_is_still_allowed(index):
    decision = route(index, dispute(stage="direct", category="labour", partner_id="P14"), pack=SPC_2025)
    assert (decision.outcome, decision.mode, decision.partner_id) == (DecisionOutcome.ROUTED, Mode.SELF, "P14")


# --- consent (2016 Art 11; 2021 Art 4) -------------------------------------------------------

def test_art11_2016_one_non_consenting_party_makes_the_case_unroutable(index):
    decision = route(index, dispute(third_party=True, consents=(True, True, False)))
    assert decision.outcome is DecisionOutcome.UNROUTABLE and decision.reason is Reason.CONSENT_REFUSED
    assert "parties[2] (third_party)" in decision.reason_detail
    assert "parties[0]" not in decision.reason_detail
    assert decision.return_to_court == "docket" and decision.partner_id is None


def test_art4_2021_refusal_during_trial_sends_the_case_back_to_trial(index):
    decision = route(index, dispute(stage="in_litigation", procedure="summary", consents=(False, True)))
    assert decision.reason is Reason.CONSENT_REFUSED and decision.return_to_court == "resume_trial"


# --- recusal (2016 Art 15) -------------------------------------------------------------------

def test_art15_2016_partner_declaring_the_law_firm_is_excluded_with_reason_conflict(index):
    case = dispute(category="commercial_contract", claim="80000.00", law_firm="某律师事务所")
    decision = route(index, case)
    assert reason_of(decision, "P27") == "conflict"
    detail = next(e.detail for e in decision.excluded if e.partner_id == "P27")
    assert "某律师事务所" in detail and "parties[1] (respondent)" in detail
    assert decision.partner_id != "P27"


def test_art15_2016_partner_declaring_a_party_id_number_is_excluded(index):
    case = dataclasses.replace(dispute(category="insurance", claim="60000.00"),
                               parties=(RoutingParty("applicant", "370211198707153028", True),
                                        RoutingParty("respondent", RESPONDENT_ORG, True)))
    decision = route(index, case)
    assert reason_of(decision, "P18") == "conflict" and decision.partner_id == "P19"
    assert "370211198707153028" not in json.dumps(decision.to_dict(), ensure_ascii=False)


def test_art15_2016_one_conflicted_mediator_does_not_exclude_the_body(index):
    case = dispute(category="commercial_contract", claim="80000.00", law_firm="某 律师事务所 ")
    decision = route(index, case)
    assert "P12" in {c.partner_id for c in decision.candidates}


def test_art15_2016_body_whose_every_mediator_is_conflicted_is_excluded(index):
    p13 = index.get("P13")
    tied = tuple(dataclasses.replace(m, conflicts=Conflicts.of(law_firms=["某律师事务所"])) for m in p13.mediators)
    patched = index.replaced(dataclasses.replace(p13, mediators=tied))
    decision = route(patched, dispute(category="labour", law_firm="某律师事务所"))
    assert reason_of(decision, "P13") == "conflict" and decision.partner_id == "P14"
    assert "every one of its 3 mediators" in next(e.detail for e in decision.excluded if e.partner_id == "P13")


# --- the parties' choice (2016 Art 12; 2021 Art 10) ------------------------------------------

def test_art12_2016_eligible_joint_choice_beats_the_district_centre(index):
    decision = route(index, dispute(preferred="P35"))
    assert decision.partner_id == "P35" and decision.reason is None
    assert "joint choice" in decision.explanation


def test_art12_2016_joint_choice_not_followed_says_why(index):
    decision = route(index, dispute(category="commercial_contract", claim="12500.00", preferred="P21"))
    assert decision.outcome is DecisionOutcome.ROUTED and decision.partner_id != "P21"
    assert decision.reason is Reason.PREFERENCE_NOT_FOLLOWED
    assert "P21" in decision.reason_detail and "50,000.00 CNY" in decision.reason_detail
    assert reason_of(decision, "P21") == "claim_range"


def test_art12_2016_joint_choice_outside_the_category_is_reported_as_category(index):
    decision = route(index, dispute(preferred="P30"))
    assert decision.partner_id == "P01" and reason_of(decision, "P30") == "category"
    assert "maritime" not in decision.reason_detail and "neighbour" in decision.reason_detail


def test_art12_2016_joint_choice_not_on_the_roster(index):
    decision = route(index, dispute(preferred="P99"))
    assert decision.reason is Reason.PREFERENCE_NOT_FOLLOWED and "not on the roster" in decision.reason_detail


# --- re-routing after a decline (2021 Art 12) ------------------------------------------------

def test_art12_2021_decline_reroutes_to_a_different_partner(index):
    case = dispute(category="labour")
    first = route(index, case)
    second = route(index, case, declined={first.partner_id}, attempt=2)
    assert first.partner_id == "P13"
    assert second.outcome is DecisionOutcome.ROUTED and second.partner_id not in (None, first.partner_id)
    assert second.attempt == 2 and reason_of(second, first.partner_id) == "declined_before"


def test_art12_2021_every_body_declined_leaves_the_case_unroutable(index):
    decision = route(index, dispute(category="maritime"), declined={"P30"})
    assert decision.reason is Reason.NO_ELIGIBLE_PARTNER and decision.return_to_court == "docket"
    assert {e.partner_id: e.reason for e in decision.excluded} == {"P11": "mode", "P30": "declined_before"}


# --- ranking ---------------------------------------------------------------------------------

def test_small_local_dispute_goes_to_the_district_centre_a_large_one_to_a_specialised_body(index):
    small = route(index, dispute(category="private_lending", claim="20000.00"))
    large = route(index, dispute(category="private_lending", claim="200000.00"))
    assert small.partner_id == "P01" and small.candidates[0].parts["locality"] > 0
    assert large.partner_id == "P28" and reason_of(large, "P35") == "claim_range"


def test_specialised_body_beats_the_generalist(index):
    decision = route(index, dispute(category="consumer", claim="120000.00"))
    scores = {c.partner_id: c.parts["specialisation"] for c in decision.candidates}
    assert decision.partner_id == "P15" and scores["P15"] > scores["P01"]


def test_less_loaded_body_wins_between_equally_specialised_ones(index):
    assert route(index, dispute(category="labour")).partner_id == "P13"
    assert route(index, dispute(category="labour"), load={"P13": 30}).partner_id == "P14"


def test_body_at_capacity_is_excluded(index):
    decision = route(index, dispute(category="labour"), load={"P13": 60})
    assert reason_of(decision, "P13") == "capacity" and decision.partner_id == "P14"
    assert "60 open cases of 60" in next(e.detail for e in decision.excluded if e.partner_id == "P13")


def test_inactive_body_is_excluded(index):
    patched = index.replaced(dataclasses.replace(index.get("P01"), active=False))
    decision = route(patched, dispute())
    assert reason_of(decision, "P01") == "inactive" and decision.partner_id == "P35"


def test_district_filter_off_lets_a_neighbouring_district_centre_take_the_case(index):
    doc = {**DEFAULT_RULESET_DOCUMENT, "version": 2,
           "filters": [f for f in DEFAULT_RULESET_DOCUMENT["filters"] if f != "district"]}
    loose = validate_ruleset(doc)
    busy = {"P01": 80, "P35": 200}
    decision = decide(dispute(), index, loose, SPC_2016, load=busy)
    assert decision.partner_id == "P02" and decision.ruleset_version == 2
    assert decide(dispute(), index, DEFAULT_RULESET, SPC_2016, load=busy).outcome is DecisionOutcome.UNROUTABLE


# --- the decision as ops read it --------------------------------------------------------------

def test_decision_document_has_the_contract_fields_and_readable_words(index):
    doc = route(index, dispute(preferred="P21", category="commercial_contract")).to_dict()
    assert {"outcome", "mode", "partner_id", "reason", "policy_pack", "ruleset_version", "period_days",
            "candidates", "excluded"} <= set(doc)
    assert all({"partner_id", "score", "parts"} <= set(c) for c in doc["candidates"])
    assert all(e["detail"] and e["reason"] for e in doc["excluded"])
    assert json.loads(json.dumps(doc, ensure_ascii=False)) == doc
    assert APPLICANT_ID not in json.dumps(doc) and RESPONDENT_ORG not in json.dumps(doc)


def test_decision_from_the_contract_case_body(index):
    body = {
        "court_code": "370202", "stage": "pre_filing", "category": "property_service",
        "claim_amount": "12500.00", "district": "370202", "preferred_partner_id": None,
        "parties": [
            {"role": "applicant", "kind": "person", "name": "张三", "id_number": APPLICANT_ID,
             "phone": "13800000000", "consents_to_mediation": True},
            {"role": "respondent", "kind": "organization", "name": "青岛某物业服务有限公司",
             "id_number": RESPONDENT_ORG, "consents_to_mediation": True,
             "represented_by": {"name": "李四", "law_firm": "某律师事务所"}},
        ],
    }
    decision = route(index, RoutingCase.from_case_body("c-9", body))
    assert decision.case_id == "c-9" and decision.partner_id == "P24"  # the specialised committee
    assert decision.candidates[1].partner_id == "P01"  # the district centre comes next, on locality


def test_art12_2016_joint_choice_of_another_districts_centre_is_reported_as_district(index):
    decision = route(index, dispute(preferred="P02"))
    assert decision.partner_id == "P01" and reason_of(decision, "P02") == "area"
    assert "市北区 (370203)" in decision.reason_detail and "市南区 (370202)" in decision.reason_detail
