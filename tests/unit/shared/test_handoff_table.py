"""The one hand-off table (shared/handoff_table.py): mediation decides with it, notify builds the
court's document with it, and the two agree for every mode and ending, with or without the event
naming its `handoff_type`. 诉讼费用交纳办法 Art 15 (the fee halved) and 民事诉讼法 Art 205 (until
when the parties may apply for confirmation) are on the document."""

from __future__ import annotations

import itertools

import pytest

from services.mediation.domain.handoff import handoff_type as mediation_handoff_type
from services.mediation.domain.outcome import Agreement
from services.notify.domain.handoff import build_handoff
from shared.handoff_table import COURT_FEE_BASIS, Ending, HandoffType, court_fee_halved
from shared.vocabulary import Mode

STAGE = {"delegation": "pre_filing", "entrustment": "post_filing", "invitation": "in_litigation", "self": "direct"}
EVENT = {Ending.SETTLED: "mediation.settled", Ending.FAILED: "mediation.failed", Ending.EXPIRED: "mediation.expired",
         Ending.WITHDRAWN: "mediation.withdrawn"}


def agreement(applies: bool, withdraws: bool) -> Agreement:
    return Agreement(terms=("支付12500元",), signed_by=frozenset({"a", "r"}), apply_for_judicial_confirmation=applies,
                     concerns_personal_status=False, decides_ownership=False, withdraw_suit=withdraws)


@pytest.mark.parametrize(("mode", "ending", "applies", "withdraws"),
                         list(itertools.product(list(Mode), list(EVENT), [True, False], [True, False])))
def test_mediation_and_notify_hand_off_alike(mode, ending, applies, withdraws):
    settled = ending is Ending.SETTLED
    decided = mediation_handoff_type(mode, ending, agreement(applies, withdraws) if settled else None)
    data = {"case_id": "0b7d7a52-1d0c-4c39-9a37-1df0a3f3a001", "mode": mode.value, "stage": STAGE[mode.value],
            "court_code": "370202", "category": "property_service", "party_ids": ["a", "r"]}
    if settled:
        data |= {"agreement": {"terms": ["支付12500元"]}, "apply_judicial_confirmation": applies,
                 "withdraw_suit": withdraws, "concerns_status_or_ownership": False}
    # notify on its own (an event that does not name the hand-off) and following mediation's word
    for event_data in (data, {**data, "handoff_type": decided.value}):
        built = build_handoff(EVENT[ending], event_data)
        assert (built.type.value if built else "none") == decided.value, (mode, ending, event_data)


def test_a_party_withdrawing_from_a_delegation_is_docketed_not_a_withdrawal_of_suit():
    assert mediation_handoff_type(Mode.DELEGATION, Ending.WITHDRAWN) is HandoffType.DOCKET
    assert build_handoff("mediation.withdrawn", {"case_id": "c", "mode": "delegation"}).type is HandoffType.DOCKET


@pytest.mark.parametrize(("mode", "withdraws", "kind"), [("entrustment", False, "mediation_document"),
                                                         ("entrustment", True, "withdrawal"),
                                                         ("invitation", False, "mediation_document")])
def test_fee_art15_a_filed_case_settled_hands_off_with_the_court_fee_halved(mode, withdraws, kind):
    assert court_fee_halved(mode, kind)
    built = build_handoff("mediation.settled", {"case_id": "c", "mode": mode, "withdraw_suit": withdraws,
                                                "agreement": {"terms": ["x"]}})
    assert built.to_json()["court_fee"] == {"halved": True, "basis": COURT_FEE_BASIS}


def test_fee_art15_no_halving_before_filing_nor_when_mediation_failed():
    assert not court_fee_halved("delegation", "judicial_confirmation")
    assert build_handoff("mediation.failed", {"case_id": "c", "mode": "entrustment"}).to_json()["court_fee"] is None
    assert build_handoff("mediation.settled", {"case_id": "c", "mode": "delegation",
                                               "agreement": {"terms": ["x"]}}).to_json()["court_fee"] is None


def test_art205_a_judicial_confirmation_hand_off_says_until_when_the_parties_may_apply():
    built = build_handoff("mediation.settled", {"case_id": "c", "mode": "delegation", "agreement": {"terms": ["x"]},
                                                "judicial_confirmation_due_at": "2027-01-12T00:00:00+08:00"})
    assert built.type is HandoffType.JUDICIAL_CONFIRMATION
    assert built.to_json()["judicial_confirmation"]["applies_until"] == "2027-01-12T00:00:00+08:00"
    filed = build_handoff("mediation.settled", {"case_id": "c", "mode": "delegation", "agreement": {"terms": ["x"]},
                                                "apply_judicial_confirmation": False,
                                                "judicial_confirmation_due_at": "2027-01-12T00:00:00+08:00"})
    assert filed.to_json()["judicial_confirmation"] is None
