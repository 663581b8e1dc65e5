"""Acceptance 1: every status x every action x every role."""

import itertools

import pytest

from services.mediation.domain.machine import (
    TRANSITIONS,
    Forbidden,
    IllegalTransition,
    allowed_actions,
    apply,
)
from services.mediation.domain.states import Action, MediationStatus, Role, record_outcome_action

P, M, O, SYS = Role.PARTNER, Role.MEDIATOR, Role.OPS, Role.SYSTEM
PM = {P, M}
PMS = {P, M, SYS}  # an ending without agreement; the system's is the contact sweeper's (2021 Art 15)

# Written out by hand from the issue and domain.md, independently of the module's table.
EXPECTED: dict[tuple[str, str], tuple[str, set[Role]]] = {
    ("offered", "accept"): ("accepted", PM),
    ("offered", "decline"): ("declined", PM),
    ("offered", "lapse_offer"): ("declined", {SYS}),
    ("offered", "withdraw_by_court"): ("withdrawn", {SYS}),
    ("declined", "withdraw_by_court"): ("withdrawn", {SYS}),  # the withdrawal wins over a decline in flight
    ("accepted", "assign_mediator"): ("in_mediation", {P, M, O}),
    ("in_mediation", "assign_mediator"): ("in_mediation", {P, M, O}),
    ("paused", "assign_mediator"): ("paused", {P, M, O}),
    ("in_mediation", "schedule_session"): ("in_mediation", PM),
    ("accepted", "record_contact"): ("accepted", PM),
    ("in_mediation", "record_contact"): ("in_mediation", PM),
    ("paused", "record_contact"): ("paused", PM),
    ("in_mediation", "pause"): ("paused", PM),
    ("paused", "resume"): ("in_mediation", PM),
    ("accepted", "extend"): ("accepted", PM),
    ("in_mediation", "extend"): ("in_mediation", PM),
    ("paused", "extend"): ("paused", PM),
    ("in_mediation", "record_settled"): ("settled", PM),
    ("paused", "record_settled"): ("settled", PM),
    ("accepted", "record_failed"): ("failed", PMS),
    ("in_mediation", "record_failed"): ("failed", PMS),
    ("paused", "record_failed"): ("failed", PMS),
    ("accepted", "record_withdrawn"): ("withdrawn", PM),
    ("in_mediation", "record_withdrawn"): ("withdrawn", PM),
    ("paused", "record_withdrawn"): ("withdrawn", PM),
    ("accepted", "expire"): ("expired", {SYS}),
    ("in_mediation", "expire"): ("expired", {SYS}),
    ("accepted", "withdraw_by_court"): ("withdrawn", {SYS}),
    ("in_mediation", "withdraw_by_court"): ("withdrawn", {SYS}),
    ("paused", "withdraw_by_court"): ("withdrawn", {SYS}),
    ("settled", "hand_off"): ("handed_off", {SYS}),
    ("failed", "hand_off"): ("handed_off", {SYS}),
    ("withdrawn", "hand_off"): ("handed_off", {SYS}),
    ("expired", "hand_off"): ("handed_off", {SYS}),
    ("handed_off", "close"): ("closed", {SYS, O}),
    ("settled", "close"): ("closed", {SYS, O}),
    ("failed", "close"): ("closed", {SYS, O}),
    ("withdrawn", "close"): ("closed", {SYS, O}),
    ("expired", "close"): ("closed", {SYS, O}),
}


def _roles_ever(action: str) -> set[Role]:
    return set().union(*(roles for (_, a), (_, roles) in EXPECTED.items() if a == action))


ALL = list(itertools.product(MediationStatus, Action, Role))


def test_the_table_is_exactly_the_expected_one():
    actual = {
        (status.value, action.value): (t.target.value, set(t.roles))
        for (status, action), t in TRANSITIONS.items()
    }
    assert actual == EXPECTED


def test_the_matrix_covers_every_status_action_and_role():
    assert len(ALL) == 11 * 16 * 4


@pytest.mark.parametrize(("status", "action", "role"), ALL, ids=lambda v: v.value)
def test_transition_matrix(status: MediationStatus, action: Action, role: Role):
    expected = EXPECTED.get((status.value, action.value))
    if role not in _roles_ever(action.value):
        with pytest.raises(Forbidden) as refused:
            apply(status, action, role)
        assert refused.value.http_status == 403
    elif expected is None:
        with pytest.raises(IllegalTransition) as refused:
            apply(status, action, role)
        assert refused.value.http_status == 409
    else:
        target, roles = expected
        assert role in roles
        assert apply(status, action, role) == MediationStatus(target)


def test_forbidden_wins_over_illegal_for_a_role_that_can_never_act():
    # ops can never accept; the answer must not reveal that the case is already closed
    with pytest.raises(Forbidden):
        apply(MediationStatus.CLOSED, Action.ACCEPT, Role.OPS)


def test_refusal_names_status_action_and_role():
    with pytest.raises(IllegalTransition) as refused:
        apply(MediationStatus.PAUSED, Action.EXPIRE, Role.SYSTEM)
    assert (refused.value.status, refused.value.action, refused.value.role) == (
        MediationStatus.PAUSED,
        Action.EXPIRE,
        Role.SYSTEM,
    )


def test_art26_a_paused_case_cannot_expire_its_clock_is_stopped():
    with pytest.raises(IllegalTransition):
        apply(MediationStatus.PAUSED, Action.EXPIRE, Role.SYSTEM)


def test_art12_a_lapsed_offer_is_a_decline():
    assert apply(MediationStatus.OFFERED, Action.LAPSE_OFFER, Role.SYSTEM) is MediationStatus.DECLINED


def test_terminal_statuses_allow_nothing():
    for role in Role:
        assert allowed_actions(MediationStatus.CLOSED, role) == frozenset()


def test_a_declined_offer_allows_nothing_but_the_courts_withdrawal():
    # the case is routing's again; only case.withdrawn still applies, and it wins (issue #10 item 10)
    for role in Role:
        expected = {Action.WITHDRAW_BY_COURT} if role is Role.SYSTEM else set()
        assert allowed_actions(MediationStatus.DECLINED, role) == expected
    assert apply(MediationStatus.DECLINED, Action.WITHDRAW_BY_COURT, Role.SYSTEM) is MediationStatus.WITHDRAWN


def test_allowed_actions_for_a_mediator_in_mediation():
    assert allowed_actions(MediationStatus.IN_MEDIATION, Role.MEDIATOR) == {
        Action.ASSIGN_MEDIATOR,
        Action.SCHEDULE_SESSION,
        Action.RECORD_CONTACT,
        Action.PAUSE,
        Action.EXTEND,
        Action.RECORD_SETTLED,
        Action.RECORD_FAILED,
        Action.RECORD_WITHDRAWN,
    }


@pytest.mark.parametrize(
    ("result", "action"),
    [("settled", Action.RECORD_SETTLED), ("failed", Action.RECORD_FAILED), ("withdrawn", Action.RECORD_WITHDRAWN)],
)
def test_record_outcome_action_by_result(result, action):
    assert record_outcome_action(result) is action


def test_record_outcome_action_rejects_expired():
    with pytest.raises(ValueError):
        record_outcome_action("expired")
