"""The hand-off to the court: domain.md's table, 民诉法 Art 205, 民诉法解释 Art 355,
and what it may carry (2016 Art 22; 2021 Art 18)."""

import pytest

from services.mediation.domain.handoff import (
    Ending,
    HandoffType,
    handoff_content,
    handoff_type,
)
from services.mediation.domain.outcome import Agreement, EndingGround, Outcome, Result, UndisputedFact
from shared.vocabulary import Mode

H = HandoffType
PARTIES = frozenset({"A1", "R1"})


def agreement(**flags: bool) -> Agreement:
    return Agreement(terms=("被申请人于2026年4月30日前支付物业费12500元",), signed_by=PARTIES, **flags)


APPLIES = agreement(apply_for_judicial_confirmation=True)
NO_APPLICATION = agreement()
WITHDRAWS = agreement(withdraw_suit=True)

# every mode x every ending: written out from domain.md's table
UNRESOLVED = [Ending.FAILED, Ending.EXPIRED, Ending.REFUSED, Ending.WITHDRAWN]
TABLE = [
    (Mode.DELEGATION, Ending.SETTLED, APPLIES, H.JUDICIAL_CONFIRMATION),
    (Mode.DELEGATION, Ending.SETTLED, NO_APPLICATION, H.AGREEMENT_FILED),
    *[(Mode.DELEGATION, e, None, H.DOCKET) for e in UNRESOLVED],
    (Mode.ENTRUSTMENT, Ending.SETTLED, NO_APPLICATION, H.MEDIATION_DOCUMENT),
    (Mode.ENTRUSTMENT, Ending.SETTLED, WITHDRAWS, H.WITHDRAWAL),
    *[(Mode.ENTRUSTMENT, e, None, H.RESUME_TRIAL) for e in UNRESOLVED],
    (Mode.INVITATION, Ending.SETTLED, NO_APPLICATION, H.MEDIATION_DOCUMENT),
    (Mode.INVITATION, Ending.SETTLED, APPLIES, H.MEDIATION_DOCUMENT),
    *[(Mode.INVITATION, e, None, H.RESUME_TRIAL) for e in UNRESOLVED],
    (Mode.SELF, Ending.SETTLED, APPLIES, H.JUDICIAL_CONFIRMATION),
    (Mode.SELF, Ending.SETTLED, NO_APPLICATION, H.NONE),
    *[(Mode.SELF, e, None, H.NONE) for e in UNRESOLVED],
    *[(mode, Ending.COURT_WITHDRAWN, None, H.NONE) for mode in Mode],
]


def test_table_covers_every_mode_and_ending():
    assert {(mode, ending) for mode, ending, _, _ in TABLE} == {(m, e) for m in Mode for e in Ending}


@pytest.mark.parametrize(("mode", "ending", "agreement_", "expected"), TABLE)
def test_handoff_table(mode, ending, agreement_, expected):
    assert handoff_type(mode, ending, agreement_) is expected


@pytest.mark.parametrize("mode", [Mode.DELEGATION, Mode.SELF])
@pytest.mark.parametrize(
    "flags", [{"concerns_personal_status": True}, {"decides_ownership": True}], ids=["status", "ownership"]
)
def test_art355_status_or_ownership_is_filed_not_confirmed(mode, flags):
    excluded = agreement(apply_for_judicial_confirmation=True, **flags)
    assert handoff_type(mode, Ending.SETTLED, excluded) is H.AGREEMENT_FILED


def test_art355_does_not_touch_the_court_own_mediation_document():
    excluded = agreement(concerns_personal_status=True)
    assert handoff_type(Mode.ENTRUSTMENT, Ending.SETTLED, excluded) is H.MEDIATION_DOCUMENT


def test_art205_family_maintenance_agreement_without_status_can_be_confirmed():
    assert handoff_type(Mode.DELEGATION, Ending.SETTLED, APPLIES) is H.JUDICIAL_CONFIRMATION


def test_settled_without_agreement_is_an_error():
    with pytest.raises(ValueError):
        handoff_type(Mode.DELEGATION, Ending.SETTLED, None)


def test_art22_settled_handoff_carries_only_the_agreement():
    outcome = Outcome(
        result=Result.SETTLED,
        ground=EndingGround.AGREEMENT,
        agreement=APPLIES,
        note="申请人曾表示可接受减免两成",
    )
    content = handoff_content(Mode.DELEGATION, outcome)
    assert content.handoff_type is H.JUDICIAL_CONFIRMATION
    assert content.agreement == APPLIES
    assert content.undisputed_facts == ()
    assert "note" not in content.__dataclass_fields__
    assert "减免" not in repr(content)


def test_art18_failed_handoff_carries_only_the_undisputed_facts():
    fact = UndisputedFact(text="双方确认欠费期间为2024年1月至12月", signed_by=PARTIES)
    outcome = Outcome(
        result=Result.FAILED,
        ground=EndingGround.POSITIONS_TOO_FAR_APART,
        undisputed_facts=(fact,),
        note="被申请人私下承认服务有瑕疵",
    )
    content = handoff_content(Mode.DELEGATION, outcome)
    assert content.handoff_type is H.DOCKET
    assert content.undisputed_facts == (fact,)
    assert content.agreement is None
    assert "瑕疵" not in repr(content)


def test_expired_without_outcome_hands_off_by_mode():
    assert handoff_content(Mode.ENTRUSTMENT, None, Ending.EXPIRED).handoff_type is H.RESUME_TRIAL
    assert handoff_content(Mode.DELEGATION, None, Ending.EXPIRED).handoff_type is H.DOCKET
    assert handoff_content(Mode.SELF, None, Ending.EXPIRED).handoff_type is H.NONE


def test_self_failure_carries_nothing_it_stays_at_the_partner():
    fact = UndisputedFact(text="事实", signed_by=PARTIES)
    outcome = Outcome(result=Result.FAILED, ground=EndingGround.PARTY_REFUSES, undisputed_facts=(fact,))
    content = handoff_content(Mode.SELF, outcome)
    assert content.handoff_type is H.NONE
    assert content.undisputed_facts == ()


def test_handoff_content_needs_an_outcome_or_an_ending():
    with pytest.raises(ValueError):
        handoff_content(Mode.DELEGATION, None)
