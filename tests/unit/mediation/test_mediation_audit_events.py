from datetime import datetime

import pytest

from services.mediation.domain.audit import transition
from services.mediation.domain.calendar import SHANGHAI
from services.mediation.domain.events import EVENT_FOR_ACTION, event_type_for
from services.mediation.domain.machine import IllegalTransition
from services.mediation.domain.states import Action, MediationStatus, Role

AT = datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)


def test_transition_returns_the_audit_entry_who_when_from_to_why():
    entry = transition(
        "case-1", MediationStatus.OFFERED, Action.DECLINE, Role.PARTNER, at=AT, actor_id="P12", reason="满负荷"
    )
    assert (entry.from_status, entry.to_status) == (MediationStatus.OFFERED, MediationStatus.DECLINED)
    assert (entry.role, entry.actor_id, entry.at, entry.reason) == (Role.PARTNER, "P12", AT, "满负荷")


def test_a_refused_transition_produces_no_audit_entry():
    with pytest.raises(IllegalTransition):
        transition("case-1", MediationStatus.CLOSED, Action.ACCEPT, Role.PARTNER, at=AT)


def test_audit_time_must_be_aware():
    with pytest.raises(ValueError):
        transition("case-1", MediationStatus.OFFERED, Action.ACCEPT, Role.PARTNER, at=datetime(2026, 3, 2))


def test_every_action_has_an_event_decision():
    assert set(EVENT_FOR_ACTION) == set(Action)


def test_contract_event_types_only():
    contract = {
        "mediation.accepted", "mediation.declined", "mediation.mediator_assigned",
        "mediation.session_scheduled", "mediation.extended", "mediation.settled",
        "mediation.failed", "mediation.withdrawn", "mediation.expired",
    }
    # added to the contract's list by the platform (docs/api-notes.md): the appraisal pause, 2021 Art 26
    added = {"mediation.paused", "mediation.resumed"}
    emitted = {event for event in EVENT_FOR_ACTION.values() if event is not None}
    assert emitted == contract | added


def test_art26_pause_and_resume_are_events():
    assert event_type_for(Action.PAUSE) == "mediation.paused"
    assert event_type_for(Action.RESUME) == "mediation.resumed"


def test_art12_lapsed_offer_emits_a_decline():
    assert event_type_for(Action.LAPSE_OFFER) == "mediation.declined"


def test_court_withdrawal_emits_nothing_so_capacity_is_not_freed_twice():
    assert event_type_for(Action.WITHDRAW_BY_COURT) is None
