"""Notify's explicit table (event type -> actions) does what the domain's rules say each event
calls for: a webhook fan-out for every event, a hand-off for an outcome, the parties' notices and
the deadline reminders planned and voided on the events notice_plan names."""

from __future__ import annotations

from services.notify.actions.handoffs import hand_off_to_court
from services.notify.actions.notices import (notify_parties, remind_confirmation_closing, remind_deadline,
                                             void_deadline_reminder)
from services.notify.actions.webhooks import fan_out
from services.notify.consumers.events import ACTIONS
from services.notify.domain.handoff import EVENT_OUTCOMES
from services.notify.domain.notice_plan import DEADLINE_EVENTS, ENDING_EVENTS, PAUSE_EVENTS
from services.notify.domain.notices import EVENT_NOTICES
from shared.events import EVENT_TYPES


def _running(action) -> set[str]:
    return {event_type for event_type, actions in ACTIONS.items() if action in actions}


def test_every_event_type_has_its_actions_and_fans_out_first():
    assert set(ACTIONS) == set(EVENT_TYPES)
    assert all(actions[0] is fan_out and actions.count(fan_out) == 1 for actions in ACTIONS.values())


def test_outcomes_and_an_unroutable_case_hand_off_to_the_court():
    assert _running(hand_off_to_court) == set(EVENT_OUTCOMES)


def test_the_deadline_reminder_is_voided_by_a_new_deadline_a_pause_or_the_end_before_it_is_planned_again():
    assert _running(void_deadline_reminder) == {*ENDING_EVENTS, *DEADLINE_EVENTS, *PAUSE_EVENTS}
    assert _running(remind_deadline) == set(DEADLINE_EVENTS)
    for event_type in DEADLINE_EVENTS:
        actions = ACTIONS[event_type]
        assert actions.index(void_deadline_reminder) < actions.index(remind_deadline)


def test_the_parties_hear_of_the_events_that_have_a_notice_and_of_the_confirmation_window():
    assert _running(notify_parties) == set(EVENT_NOTICES)
    assert _running(remind_confirmation_closing) == {"mediation.settled"}
