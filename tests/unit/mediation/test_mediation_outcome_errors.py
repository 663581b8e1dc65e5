"""Every refusal of an outcome body, field and message exactly: the field is what problem+json names
(the contract's `errors[].field`), the message is what the mediator reads. Also the facts recorded
while a mediation runs (`parse_undisputed_facts`, `POST .../undisputed-facts`)."""

import pytest

from services.mediation.domain.outcome import (
    Agreement,
    EndingGround,
    FieldError,
    InvalidOutcome,
    Outcome,
    Result,
    UndisputedFact,
    parse_outcome,
    parse_undisputed_facts,
)

PARTIES = ("A1", "R1")
SIGNED = ["A1", "R1"]
AGREED = {"terms": ["被申请人于2026年4月30日前支付12500元"], "signed_by": SIGNED}
ONE_OF_RESULTS = "must be one of: settled, failed, withdrawn"
ONE_OF_GROUNDS = ("must be one of: agreement, withdrawal, party_unreachable, party_refuses, "
                  "positions_too_far_apart, period_expired, refusal_to_sign, other")
NOT_A_LIST_OF_IDS = "must be a list of party ids"
NO_FACT_TEXT = "a fact needs its text"


def errors(payload, category=None) -> list[tuple[str, str]]:
    with pytest.raises(InvalidOutcome) as invalid:
        parse_outcome(payload, PARTIES, category)
    return [(e.field, e.message) for e in invalid.value.errors]


def settled(**agreement):
    return {"result": "settled", "agreement": {**AGREED, **agreement}}


def failed(**fields):
    return {"result": "failed", "ground": "party_refuses", **fields}


@pytest.mark.parametrize(("payload", "expected"), [
    # result
    ({}, [("result", ONE_OF_RESULTS)]),
    ({"result": "expired"}, [("result", ONE_OF_RESULTS)]),
    ({"result": "SETTLED"}, [("result", ONE_OF_RESULTS)]),
    # ground (2021 Art 25)
    ({"result": "failed"}, [("ground", "a failed mediation needs its ground (2021 Art 25)")]),
    ({"result": "failed", "ground": "bored"}, [("ground", ONE_OF_GROUNDS)]),
    ({"result": "failed", "ground": "agreement"}, [("ground", "agreement is not a ground for failure")]),
    ({"result": "failed", "ground": "period_expired"}, [("ground", "period_expired is not a ground for failure")]),
    ({**settled(), "ground": "party_refuses"}, [("ground", "a settled mediation ends on the ground agreement")]),
    ({"result": "withdrawn", "ground": "other"}, [("ground", "a withdrawn mediation ends on the ground withdrawal")]),
    # the agreement
    ({"result": "settled"}, [("agreement", "a settled mediation needs the agreement's terms")]),
    ({"result": "settled", "agreement": ["x"]}, [("agreement", "a settled mediation needs the agreement's terms")]),
    (failed(agreement=AGREED), [("agreement", "only a settled mediation has an agreement")]),
    ({"result": "withdrawn", "agreement": AGREED}, [("agreement", "only a settled mediation has an agreement")]),
    (failed(agreement={}), [("agreement", "only a settled mediation has an agreement")]),
    (settled(terms=None), [("agreement.terms", "the agreement needs at least one term")]),
    (settled(terms=[]), [("agreement.terms", "the agreement needs at least one term")]),
    (settled(terms=7), [("agreement.terms", "the agreement needs at least one term")]),
    (settled(terms=["x", "  "]), [("agreement.terms", "every term must be non-empty text")]),
    (settled(terms=["x", 3]), [("agreement.terms", "every term must be non-empty text")]),
    (settled(terms=""), [("agreement.terms", "every term must be non-empty text")]),
    (settled(signed_by=None), [("agreement.signed_by", NOT_A_LIST_OF_IDS)]),
    (settled(signed_by="A1"), [("agreement.signed_by", NOT_A_LIST_OF_IDS)]),
    (settled(signed_by=["A1", 2]), [("agreement.signed_by", NOT_A_LIST_OF_IDS)]),
    (settled(signed_by=["Z9", "A1", "R1", "Y8"]), [("agreement.signed_by", "not parties: Y8, Z9")]),
    (settled(signed_by=["Z9"]), [("agreement.signed_by", "not parties: Z9")]),
    (settled(signed_by=[]), [("agreement.signed_by", "not signed by: A1, R1")]),
    (settled(signed_by=["R1"]), [("agreement.signed_by", "not signed by: A1")]),
    (settled(withdraw_suit="yes"), [("agreement.withdraw_suit", "must be true or false")]),
    (settled(apply_for_judicial_confirmation=1), [("agreement.apply_for_judicial_confirmation", "must be true or false")]),
    (settled(concerns_personal_status=None), [("agreement.concerns_personal_status", "must be true or false")]),
    (settled(decides_ownership="no"), [("agreement.decides_ownership", "must be true or false")]),
    # undisputed facts (2016 Art 22; 2021 Art 18)
    ({**settled(), "undisputed_facts": []},
     [("undisputed_facts", "only a failed mediation records undisputed facts")]),
    ({"result": "withdrawn", "undisputed_facts": [{"text": "x", "signed_by": SIGNED}]},
     [("undisputed_facts", "only a failed mediation records undisputed facts")]),
    (failed(undisputed_facts={"text": "x"}), [("undisputed_facts", "must be a list")]),
    (failed(undisputed_facts=["借款本金为5万元"]), [("undisputed_facts[0].text", NO_FACT_TEXT)]),
    (failed(undisputed_facts=[{"signed_by": SIGNED}]), [("undisputed_facts[0].text", NO_FACT_TEXT)]),
    (failed(undisputed_facts=[{"text": 5, "signed_by": SIGNED}]), [("undisputed_facts[0].text", NO_FACT_TEXT)]),
    (failed(undisputed_facts=[{"text": " \n", "signed_by": SIGNED}]), [("undisputed_facts[0].text", NO_FACT_TEXT)]),
    (failed(undisputed_facts=[{"text": "x", "signed_by": SIGNED}, {"text": "y", "signed_by": "A1"}]),
     [("undisputed_facts[1].signed_by", NOT_A_LIST_OF_IDS)]),
    (failed(undisputed_facts=[{"text": "x", "signed_by": ["A1"]}]),
     [("undisputed_facts[0].signed_by", "not signed by: R1")]),
    # the note
    (failed(note=42), [("note", "must be text")]),
    ({"result": "failed", "ground": "other"}, [("note", "the ground 'other' needs a note saying what it was")]),
    ({"result": "failed", "ground": "other", "note": "   "},
     [("note", "the ground 'other' needs a note saying what it was")]),
    ({"result": "failed", "ground": "other", "note": ["申请人死亡"]}, [("note", "must be text")]),
])
def test_each_invalid_outcome_names_its_field_and_says_why(payload, expected):
    assert errors(payload) == expected


def test_every_fault_of_one_body_is_listed_in_the_bodys_order():
    payload = {"result": "failed", "ground": "agreement", "agreement": AGREED,
               "undisputed_facts": [{"text": "", "signed_by": SIGNED}, {"text": "y", "signed_by": ["X"]}],
               "note": 1}
    assert errors(payload) == [
        ("ground", "agreement is not a ground for failure"),
        ("agreement", "only a settled mediation has an agreement"),
        ("undisputed_facts[0].text", NO_FACT_TEXT),
        ("undisputed_facts[1].signed_by", "not parties: X"),
        ("note", "must be text"),
    ]


def test_an_unknown_result_still_reports_what_else_is_wrong():
    assert errors({"result": "ended", "agreement": AGREED, "undisputed_facts": [], "note": 3}) == [
        ("result", ONE_OF_RESULTS),
        ("agreement", "only a settled mediation has an agreement"),
        ("undisputed_facts", "only a failed mediation records undisputed facts"),
        ("note", "must be text"),
    ]


def test_the_refusal_reads_as_field_and_message_pairs():
    with pytest.raises(InvalidOutcome) as invalid:
        parse_outcome(settled(terms=[], signed_by=["A1"]), PARTIES)
    assert str(invalid.value) == ("agreement.terms: the agreement needs at least one term; "
                                  "agreement.signed_by: not signed by: R1")
    assert invalid.value.errors == (FieldError("agreement.terms", "the agreement needs at least one term"),
                                    FieldError("agreement.signed_by", "not signed by: R1"))


@pytest.mark.parametrize(("category", "flag"), [
    ("family", "concerns_personal_status"), ("inheritance", "decides_ownership"),
    ("real_estate", "decides_ownership"), ("intellectual_property", "decides_ownership"),
])
def test_art355_the_missing_flag_is_named_and_the_law_quoted(category, flag):
    assert errors(settled(), category) == [(
        f"agreement.{flag}",
        f"a {category} agreement must state {flag} (true or false): judicial confirmation cannot cover "
        "status or decide ownership (民诉法解释 Art 355)")]
    said_no = parse_outcome(settled(**{flag: False}), PARTIES, category)
    assert getattr(said_no.agreement, flag) is False


def test_art355_an_agreement_already_refused_gets_no_flag_error_too():
    assert errors({"result": "settled", "agreement": {"terms": [], "signed_by": SIGNED}}, "family") == [
        ("agreement.terms", "the agreement needs at least one term")]
    assert errors({"result": "settled"}, "family") == [
        ("agreement", "a settled mediation needs the agreement's terms")]


def test_other_categories_and_none_need_no_art355_flag():
    assert parse_outcome(settled(), PARTIES, "loan").agreement is not None
    assert parse_outcome(settled(), PARTIES, None).agreement is not None
    assert parse_outcome(settled(), PARTIES).agreement is not None


def test_a_settled_body_parses_to_exactly_what_the_mediator_recorded():
    body = {"result": "settled", "ground": "agreement", "note": "  第二次调解达成 ",
            "agreement": {"terms": ["  付款12500元 ", "撤回反诉"], "signed_by": ["R1", "A1"],
                          "apply_for_judicial_confirmation": True, "concerns_personal_status": True,
                          "decides_ownership": True, "withdraw_suit": True}}
    assert parse_outcome(body, PARTIES) == Outcome(
        result=Result.SETTLED, ground=EndingGround.AGREEMENT, note="第二次调解达成",
        agreement=Agreement(terms=("付款12500元", "撤回反诉"), signed_by=frozenset(PARTIES),
                            apply_for_judicial_confirmation=True, concerns_personal_status=True,
                            decides_ownership=True, withdraw_suit=True))


def test_one_term_given_as_text_is_the_one_term_and_flags_default_to_false():
    outcome = parse_outcome(settled(terms="  付款12500元 "), PARTIES)
    assert outcome.agreement == Agreement(terms=("付款12500元",), signed_by=frozenset(PARTIES))


def test_a_failed_body_keeps_each_signed_fact_stripped_in_order():
    body = failed(ground="other", note=" 申请人死亡 ", undisputed_facts=[
        {"text": " 借款本金为5万元 ", "signed_by": ["R1", "A1"]}, {"text": "已还1万元", "signed_by": SIGNED}])
    assert parse_outcome(body, PARTIES) == Outcome(
        result=Result.FAILED, ground=EndingGround.OTHER, note="申请人死亡",
        undisputed_facts=(UndisputedFact("借款本金为5万元", frozenset(PARTIES)),
                          UndisputedFact("已还1万元", frozenset(PARTIES))))


def test_withdrawn_parses_with_its_implied_ground_given_or_not():
    expected = Outcome(result=Result.WITHDRAWN, ground=EndingGround.WITHDRAWAL)
    assert parse_outcome({"result": "withdrawn"}, PARTIES) == expected
    assert parse_outcome({"result": "withdrawn", "ground": "withdrawal"}, PARTIES) == expected


def test_a_blank_note_is_no_note():
    assert parse_outcome(failed(note="  "), PARTIES).note is None
    assert parse_outcome(failed(), PARTIES).note is None


# -- parse_undisputed_facts: facts recorded while the mediation runs ------------------------------

def fact_errors(value, parties=PARTIES) -> list[tuple[str, str]]:
    with pytest.raises(InvalidOutcome) as invalid:
        parse_undisputed_facts(value, parties)
    return [(e.field, e.message) for e in invalid.value.errors]


@pytest.mark.parametrize("value", [None, [], {"text": "x", "signed_by": SIGNED}, "借款本金为5万元"])
def test_recorded_facts_must_be_a_non_empty_list(value):
    assert fact_errors(value) == [("facts", "a non-empty list of facts")]


def test_recorded_facts_name_every_fault_by_its_index():
    value = [{"text": "借款本金为5万元", "signed_by": SIGNED}, {"text": "  ", "signed_by": SIGNED}, "已还1万元",
             {"text": "利息未约定", "signed_by": ["A1"]}, {"text": "x", "signed_by": ["A1", "R1", "Q7"]},
             {"text": "y", "signed_by": "A1"}]
    assert fact_errors(value) == [
        ("facts[1].text", NO_FACT_TEXT),
        ("facts[2].text", NO_FACT_TEXT),
        ("facts[3].signed_by", "not signed by: R1"),
        ("facts[4].signed_by", "not parties: Q7"),
        ("facts[5].signed_by", NOT_A_LIST_OF_IDS),
    ]


def test_recorded_facts_signed_by_every_party_are_kept_stripped_in_order():
    value = [{"text": " 借款本金为5万元 ", "signed_by": ["R1", "A1"]}, {"text": "已还1万元", "signed_by": SIGNED}]
    assert parse_undisputed_facts(value, iter(PARTIES)) == (
        UndisputedFact("借款本金为5万元", frozenset(PARTIES)),
        UndisputedFact("已还1万元", frozenset(PARTIES)),
    )


def test_recorded_facts_are_checked_against_this_cases_parties():
    value = [{"text": "借款本金为5万元", "signed_by": ["A1", "R1"]}]
    assert fact_errors(value, ("A1", "R1", "T1")) == [("facts[0].signed_by", "not signed by: T1")]
