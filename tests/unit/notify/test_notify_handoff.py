import uuid
from datetime import datetime, timezone

import pytest

from services.notify.domain.handoff import HandoffType, HandoffOutcome, build_handoff

PARTIES = [{"id": "a1", "role": "applicant"}, {"id": "r1", "role": "respondent"}]
STAGE_OF = {"delegation": "pre_filing", "entrustment": "post_filing", "invitation": "in_litigation",
            "self": "direct"}


def event(mode: str, **extra):
    data = {
        "case_id": "0b7d7a52-1d0c-4c39-9a37-1df0a3f3a001",
        "case_number": "(2026)鲁0202民诉前调123号",
        "court_code": "370202",
        "mode": mode,
        "stage": STAGE_OF[mode],
        "category": "property_service",
        "parties": PARTIES,
        "agreement": {"terms": "被申请人于2026年4月1日前支付物业费12500.00元", "signed_at": "2026-03-20"},
        "note": "申请人私下表示可接受8000元",
        "concessions": ["申请人同意放弃滞纳金"],
        "undisputed_facts": [
            {"text": "申请人居住于某小区3号楼", "signed_by": ["a1", "r1"]},
            {"text": "欠费金额为12500元", "signed_by": ["a1"]},
        ],
    }
    data.update(extra)
    return data


# The table of domain.md, outcome by mode (2016 Art 22, 27; 民诉法 Art 205).
@pytest.mark.parametrize(("event_type", "mode", "extra", "expected"), [
    ("mediation.settled", "delegation", {}, HandoffType.JUDICIAL_CONFIRMATION),
    ("mediation.settled", "delegation", {"apply_judicial_confirmation": False}, HandoffType.AGREEMENT_FILED),
    ("mediation.failed", "delegation", {}, HandoffType.DOCKET),
    ("mediation.expired", "delegation", {}, HandoffType.DOCKET),
    ("mediation.settled", "entrustment", {}, HandoffType.MEDIATION_DOCUMENT),
    ("mediation.settled", "entrustment", {"withdraw_suit": True}, HandoffType.WITHDRAWAL),
    ("mediation.failed", "entrustment", {}, HandoffType.RESUME_TRIAL),
    ("mediation.expired", "entrustment", {}, HandoffType.RESUME_TRIAL),
    ("mediation.settled", "invitation", {}, HandoffType.MEDIATION_DOCUMENT),
    ("mediation.failed", "invitation", {}, HandoffType.RESUME_TRIAL),
    ("mediation.expired", "invitation", {}, HandoffType.RESUME_TRIAL),
    ("mediation.settled", "self", {}, HandoffType.JUDICIAL_CONFIRMATION),
    # a party leaving mediation leaves the dispute unresolved (the one table, shared/handoff_table.py):
    # 撤诉 (withdrawal) is only the plaintiff's withdrawal of the suit after settling an entrustment
    ("mediation.withdrawn", "delegation", {}, HandoffType.DOCKET),
    ("mediation.withdrawn", "entrustment", {}, HandoffType.RESUME_TRIAL),
])
def test_domain_table_outcome_gives_its_handoff_type(event_type, mode, extra, expected):
    handoff = build_handoff(event_type, event(mode, **extra))
    assert handoff is not None
    assert handoff.type is expected
    assert handoff.mode == mode and handoff.court_code == "370202"


@pytest.mark.parametrize(("event_type", "extra"), [
    ("mediation.failed", {}), ("mediation.expired", {}), ("mediation.withdrawn", {}),
    ("mediation.settled", {"apply_judicial_confirmation": False}),
])
def test_self_mediation_without_confirmation_is_closed_at_the_partner(event_type, extra):
    assert build_handoff(event_type, event("self", **extra)) is None


@pytest.mark.parametrize("event_type", ["case.routed", "mediation.accepted", "case.withdrawn", "handoff.sent"])
def test_other_events_need_no_handoff(event_type):
    assert build_handoff(event_type, event("delegation")) is None


def test_2016_art22_settled_handoff_carries_exactly_the_agreement_and_no_notes():
    handoff = build_handoff("mediation.settled", event("delegation"))
    body = handoff.to_json()
    assert body["agreement"] == {"terms": "被申请人于2026年4月1日前支付物业费12500.00元", "signed_at": "2026-03-20"}
    assert body["undisputed_facts"] == []
    text = repr(body)
    assert "8000" not in text and "滞纳金" not in text and "note" not in body


def test_2016_art22_notes_hidden_inside_the_agreement_are_stripped():
    agreement = {"terms": "支付10000元", "concessions": "放弃利息", "notes": "调解员笔记",
                 "apply_judicial_confirmation": True}
    handoff = build_handoff("mediation.settled", event("delegation", agreement=agreement))
    assert handoff.agreement == {"terms": "支付10000元"}


def test_2021_art18_failed_handoff_carries_only_facts_signed_by_every_party():
    handoff = build_handoff("mediation.failed", event("delegation"))
    assert handoff.undisputed_facts == ("申请人居住于某小区3号楼",)
    assert handoff.agreement is None
    text = repr(handoff.to_json())
    assert "12500" not in text and "8000" not in text and "滞纳金" not in text


def test_2021_art18_facts_need_two_signers_when_parties_are_unknown():
    data = event("entrustment", parties=None, undisputed_facts=[
        {"text": "合同于2025年签订", "signed_by": ["a1", "r1"]}, {"text": "单方陈述", "signed_by": ["a1"]},
        "双方确认的借款金额为5万元",
    ])
    handoff = build_handoff("mediation.expired", data)
    assert handoff.undisputed_facts == ("合同于2025年签订", "双方确认的借款金额为5万元")


def test_withdrawn_handoff_carries_neither_agreement_nor_facts():
    handoff = build_handoff("mediation.withdrawn", event("delegation"))
    assert handoff.agreement is None and handoff.undisputed_facts == ()


def test_minsufa_interpretation_art355_family_status_is_not_confirmable():
    handoff = build_handoff("mediation.settled", event("delegation", category="family"))
    assert handoff.type is HandoffType.AGREEMENT_FILED


@pytest.mark.parametrize("category", ["family", "inheritance", "real_estate"])
@pytest.mark.parametrize(("declared", "expected"), [(True, HandoffType.AGREEMENT_FILED),
                                                    (False, HandoffType.JUDICIAL_CONFIRMATION)])
def test_minsufa_interpretation_art355_the_declared_flag_wins_over_the_category(category, declared, expected):
    data = event("delegation", category=category,
                 agreement={"terms": "遗产由长子继承", "apply_judicial_confirmation": True,
                            "concerns_status_or_ownership": declared})
    assert build_handoff("mediation.settled", data).type is expected


def test_minsufa_interpretation_art355_declared_flags_decide():
    ownership = event("delegation", category="real_estate",
                      agreement={"terms": "房屋归申请人所有", "concerns_status_or_ownership": True})
    assert build_handoff("mediation.settled", ownership).type is HandoffType.AGREEMENT_FILED
    support = event("delegation", category="family", concerns_status_or_ownership=False)
    assert build_handoff("mediation.settled", support).type is HandoffType.JUDICIAL_CONFIRMATION


@pytest.mark.parametrize(("stage", "expected"), [
    ("pre_filing", HandoffType.DOCKET), ("direct", HandoffType.DOCKET),
    ("post_filing", HandoffType.RESUME_TRIAL), ("in_litigation", HandoffType.RESUME_TRIAL),
])
def test_unroutable_case_returns_to_the_court_with_the_reason(stage, expected):
    data = {"case_id": "c9", "court_code": "370203", "stage": stage, "reason": "no eligible partner",
            "court_case_number": "(2026)鲁0203民初55号" if stage in ("post_filing", "in_litigation") else None,
            "agreement": {"terms": "x"}, "undisputed_facts": ["y"]}
    handoff = build_handoff("case.unroutable", data)
    assert handoff.type is expected and handoff.outcome is HandoffOutcome.UNROUTABLE
    assert handoff.reason == "no eligible partner"
    assert handoff.agreement is None and handoff.undisputed_facts == ()


def test_handoff_id_is_stable_for_the_same_outcome_and_differs_by_case():
    first = build_handoff("mediation.settled", event("delegation"))
    again = build_handoff("mediation.settled", {**event("delegation"), "event_id": "another"})
    other = build_handoff("mediation.settled", {**event("delegation"), "case_id": "other"})
    assert first.id == again.id != other.id
    uuid.UUID(first.id)


def test_envelope_shaped_input_takes_ids_and_time_from_the_envelope():
    at = datetime(2026, 3, 20, 8, tzinfo=timezone.utc)
    data = event("invitation")
    case_id = data.pop("case_id")
    envelope = {"event_id": "e-1", "type": "mediation.settled", "case_id": case_id, "occurred_at": at,
                "version": 1, "data": data}
    handoff = build_handoff("mediation.settled", envelope)
    assert handoff.case_id == case_id and handoff.source_event_id == "e-1"
    assert handoff.occurred_at == at.isoformat()
    assert handoff.type is HandoffType.MEDIATION_DOCUMENT


def test_mode_is_derived_from_stage_when_absent():
    data = event("entrustment")
    del data["mode"]
    assert build_handoff("mediation.failed", data).type is HandoffType.RESUME_TRIAL


def test_the_hand_off_type_mediation_states_is_followed():
    from services.notify.domain.handoff import build_handoff as build

    data = {"case_id": "c1", "mode": "delegation", "court_code": "370202"}
    assert build("mediation.withdrawn", {**data, "handoff_type": "docket"}).type.value == "docket"
    assert build("mediation.failed", {**data, "handoff_type": "none"}) is None
    # An unknown value is ignored: the table of domain.md decides.
    assert build("mediation.failed", {**data, "handoff_type": "bogus"}).type.value == "docket"
