"""Outcome payloads and the grounds for ending of 2021 Art 25."""

import pytest

from services.mediation.domain.outcome import (
    EndingGround,
    InvalidOutcome,
    Result,
    parse_outcome,
)

PARTIES = ("A1", "R1")
SETTLED = {
    "result": "settled",
    "agreement": {
        "terms": ["被申请人于2026年4月30日前支付12500元"],
        "signed_by": ["A1", "R1"],
        "apply_for_judicial_confirmation": True,
    },
    "note": "第二次调解达成",
}


def fields(payload) -> list[str]:
    with pytest.raises(InvalidOutcome) as invalid:
        parse_outcome(payload, PARTIES)
    return [error.field for error in invalid.value.errors]


def test_art25_grounds_are_the_eight_of_the_rules():
    assert [g.value for g in EndingGround] == [
        "agreement",
        "withdrawal",
        "party_unreachable",
        "party_refuses",
        "positions_too_far_apart",
        "period_expired",
        "refusal_to_sign",
        "other",
    ]


def test_settled_outcome_parses_with_its_agreement():
    outcome = parse_outcome(SETTLED, PARTIES)
    assert outcome.result is Result.SETTLED
    assert outcome.ground is EndingGround.AGREEMENT
    assert outcome.agreement.terms == ("被申请人于2026年4月30日前支付12500元",)
    assert outcome.agreement.apply_for_judicial_confirmation is True
    assert outcome.agreement.decides_ownership is False
    assert outcome.note == "第二次调解达成"


def test_settled_needs_the_agreements_terms():
    assert fields({"result": "settled", "agreement": None}) == ["agreement"]
    assert fields({"result": "settled", "agreement": {"terms": [], "signed_by": ["A1", "R1"]}}) == [
        "agreement.terms"
    ]


def test_art25_settled_agreement_not_signed_by_every_party_is_refused():
    payload = {"result": "settled", "agreement": {"terms": ["x"], "signed_by": ["A1"]}}
    assert fields(payload) == ["agreement.signed_by"]


def test_art25_failed_needs_a_ground():
    assert fields({"result": "failed"}) == ["ground"]


def test_art25_failed_with_a_ground_and_signed_facts():
    outcome = parse_outcome(
        {
            "result": "failed",
            "ground": "positions_too_far_apart",
            "undisputed_facts": [{"text": "借款本金为5万元", "signed_by": ["R1", "A1"]}],
        },
        PARTIES,
    )
    assert outcome.ground is EndingGround.POSITIONS_TOO_FAR_APART
    assert outcome.undisputed_facts[0].text == "借款本金为5万元"


def test_art18_a_fact_only_one_party_signed_is_refused():
    payload = {
        "result": "failed",
        "ground": "party_refuses",
        "undisputed_facts": [{"text": "借款本金为5万元", "signed_by": ["A1"]}],
    }
    assert fields(payload) == ["undisputed_facts[0].signed_by"]


@pytest.mark.parametrize("ground", ["agreement", "withdrawal", "period_expired"])
def test_art25_grounds_that_are_not_failures_are_refused_for_failed(ground):
    assert fields({"result": "failed", "ground": ground}) == ["ground"]


def test_art25_ground_other_needs_a_note():
    assert fields({"result": "failed", "ground": "other"}) == ["note"]
    assert parse_outcome({"result": "failed", "ground": "other", "note": "申请人死亡"}, PARTIES).note == "申请人死亡"


def test_failed_or_withdrawn_cannot_carry_an_agreement():
    assert fields({"result": "failed", "ground": "party_unreachable", "agreement": SETTLED["agreement"]}) == [
        "agreement"
    ]


def test_withdrawn_implies_the_withdrawal_ground():
    outcome = parse_outcome({"result": "withdrawn"}, PARTIES)
    assert outcome.ground is EndingGround.WITHDRAWAL
    assert fields({"result": "withdrawn", "ground": "party_refuses"}) == ["ground"]


def test_expired_is_not_a_result_a_mediator_records():
    assert fields({"result": "expired"}) == ["result"]


def test_every_problem_is_reported_at_once():
    payload = {"result": "settled", "agreement": {"terms": "", "signed_by": "A1", "withdraw_suit": "yes"}}
    assert fields(payload) == ["agreement.terms", "agreement.signed_by", "agreement.withdraw_suit"]


def test_signer_who_is_not_a_party_is_refused():
    payload = {"result": "settled", "agreement": {"terms": ["x"], "signed_by": ["A1", "R1", "Z9"]}}
    assert fields(payload) == ["agreement.signed_by"]


@pytest.mark.parametrize("category,flag", [("family", "concerns_personal_status"), ("real_estate", "decides_ownership"),
                                           ("intellectual_property", "decides_ownership")])
def test_art355_a_status_or_ownership_category_must_say_which_it_is(category, flag):
    from services.mediation.domain.outcome import InvalidOutcome, parse_outcome

    body = {"result": "settled", "agreement": {"terms": ["离婚，子女由母亲抚养"], "signed_by": ["a", "b"]}}
    with pytest.raises(InvalidOutcome) as refused:
        parse_outcome(body, ["a", "b"], category)
    assert [e.field for e in refused.value.errors] == [f"agreement.{flag}"]
    body["agreement"][flag] = True
    assert getattr(parse_outcome(body, ["a", "b"], category).agreement, flag) is True
    assert parse_outcome({**body, "agreement": {k: v for k, v in body["agreement"].items() if k != flag}},
                         ["a", "b"], "neighbour").agreement is not None
