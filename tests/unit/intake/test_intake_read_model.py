import itertools
import json
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.intake.domain.read_model import (
    STATUS_RANK,
    apply_event,
    new_read_model,
    read_model_to_dict,
    replay,
    to_timeline_entry,
)
from shared.events import Envelope

CASE = "7f9c2b1e-0000-4000-8000-000000000001"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def ev(event_id, type_, minutes, **data):
    return {"event_id": event_id, "case_id": CASE, "type": type_,
            "occurred_at": T0 + timedelta(minutes=minutes), "data": data}


LIFECYCLE = [
    ev("e01", "case.received", 0, stage="pre_filing"),
    ev("e02", "case.routed", 1, partner_id="P01", mode="delegation", period_days=30, attempt=1),
    ev("e03", "mediation.accepted", 60, partner_id="P01", deadline="2026-04-01T09:00:00+08:00"),
    ev("e04", "mediation.mediator_assigned", 61, mediator_id="M-17"),
    ev("e05", "mediation.session_scheduled", 62, scheduled_at="2026-03-10T09:00:00+08:00"),
    ev("e06", "mediation.extended", 600, deadline="2026-04-15T09:00:00+08:00", days=14),
    ev("e07", "mediation.settled", 900, handoff_type="judicial_confirmation"),
    ev("e08", "handoff.sent", 901, handoff_type="judicial_confirmation"),
    ev("e09", "handoff.acknowledged", 960, court_case_number="(2026)鲁0202民特1号"),
]


def apply_events(view, events):
    for event in events:
        view = apply_event(view, event)
    return view


def build(events):
    return apply_events(None, events)


def test_lifecycle_in_order():
    view = build(LIFECYCLE)
    assert view.status == "closed"
    assert (view.mode, view.partner_id, view.mediator_id, view.period_days) == ("delegation", "P01", "M-17", 30)
    assert view.deadline == "2026-04-15T09:00:00+08:00"
    assert view.next_session_at == "2026-03-10T09:00:00+08:00"
    assert view.outcome == "settled" and view.handoff_type == "judicial_confirmation"
    assert view.handoff.court_case_number == "(2026)鲁0202民特1号"
    assert view.handoff.sent_at == T0 + timedelta(minutes=901)
    assert [e.event_id for e in view.timeline] == [e["event_id"] for e in LIFECYCLE]


@pytest.mark.parametrize("upto,status", [(1, "received"), (2, "routed"), (3, "accepted"), (4, "in_mediation"),
                                         (7, "settled"), (8, "handed_off"), (9, "closed")])
def test_status_after_each_step(upto, status):
    assert build(LIFECYCLE[:upto]).status == status


def test_same_event_twice_changes_nothing():
    view = build(LIFECYCLE[:4])
    assert apply_event(view, LIFECYCLE[2]) is view
    assert build(LIFECYCLE + LIFECYCLE) == build(LIFECYCLE)
    assert len(build(LIFECYCLE + LIFECYCLE).timeline) == len(LIFECYCLE)


@settings(max_examples=300, deadline=None)
@given(st.permutations(LIFECYCLE), st.lists(st.sampled_from(LIFECYCLE), max_size=6))
def test_any_arrival_order_with_duplicates_gives_the_same_view(order, duplicates):
    assert build(list(order) + duplicates) == build(LIFECYCLE)


def test_late_case_routed_never_overwrites_settled():
    settled = build(LIFECYCLE[:7])
    restated = ev("e99", "case.routed", 1000, partner_id="P01", mode="delegation", period_days=30, attempt=1)
    assert apply_event(settled, restated).status == "settled"
    assert apply_event(settled, LIFECYCLE[1]).status == "settled"  # duplicate delivery of the original


def test_timeline_is_sorted_by_time_then_event_id():
    events = [ev("b", "case.routed", 5, partner_id="P01", attempt=1), ev("a", "mediation.accepted", 5),
              ev("c", "case.received", 0)]
    assert [e.event_id for e in build(events).timeline] == ["c", "a", "b"]


# --- declines and re-routing -----------------------------------------------------------------

REROUTED = [
    ev("r1", "case.received", 0, stage="pre_filing"),
    ev("r2", "case.routed", 1, partner_id="P01", mode="delegation", period_days=30, attempt=1),
    ev("r3", "mediation.declined", 30, partner_id="P01", attempt=1, reason="capacity"),
    ev("r4", "case.routed", 31, partner_id="P12", mode="delegation", period_days=30, attempt=2),
    ev("r5", "mediation.accepted", 90, partner_id="P12", deadline="2026-04-01T10:30:00+08:00"),
]


def test_decline_sends_the_case_back_through_routing():
    view = build(REROUTED[:3])
    assert (view.status, view.partner_id) == ("received", None)
    assert view.declined_partner_ids == ("P01",)


def test_art12_rerouted_case_follows_the_new_partner():
    view = build(REROUTED)
    assert (view.status, view.partner_id, view.attempt) == ("accepted", "P12", 2)
    assert view.declined_partner_ids == ("P01",)


@pytest.mark.parametrize("order", list(itertools.permutations(REROUTED)))
def test_rerouting_is_order_tolerant(order):
    assert build(order) == build(REROUTED)


def test_stale_decline_of_an_earlier_round_is_ignored():
    stale = ev("r9", "mediation.declined", 40, partner_id="P01", attempt=1)
    view = build(REROUTED[:4] + [stale])
    assert (view.status, view.partner_id) == ("routed", "P12")


def test_decline_stamped_before_its_routing_still_applies():
    skewed = [REROUTED[0], ev("d", "mediation.declined", 0.5, partner_id="P01", attempt=1), REROUTED[1]]
    view = build(skewed)
    assert (view.status, view.partner_id) == ("received", None)
    assert build(skewed + [REROUTED[3]]).partner_id == "P12"


def test_restated_routing_of_a_declined_round_goes_back_to_routing():
    restated = ev("r2b", "case.routed", 35, partner_id="P01", attempt=1)
    assert build(REROUTED[:3] + [restated]).status == "received"


def test_rounds_are_inferred_when_routing_sends_no_attempt():
    events = [ev("a", "case.received", 0), ev("b", "case.routed", 1, partner_id="P01"),
              ev("c", "mediation.declined", 2, partner_id="P01"), ev("d", "case.routed", 3, partner_id="P12")]
    view = build(events)
    assert (view.status, view.partner_id, view.attempt) == ("routed", "P12", 2)


def test_reroute_that_finds_no_partner_is_unroutable():
    view = build(REROUTED[:3] + [ev("u", "case.unroutable", 32, reason="no eligible partner left")])
    assert (view.status, view.partner_id, view.unroutable_reason) == ("unroutable", None, "no eligible partner left")


# --- outcomes and hand-offs ------------------------------------------------------------------

def test_unroutable_then_handed_off():
    events = [ev("a", "case.received", 0), ev("b", "case.unroutable", 1, reason="spc-2025: docket first"),
              ev("c", "handoff.sent", 2, handoff_type="docket")]
    view = build(events)
    assert view.status == "handed_off" and view.handoff.type == "docket"
    assert view.unroutable_reason == "spc-2025: docket first"


def test_outcome_recorded_even_when_it_sorts_after_the_handoff():
    events = LIFECYCLE[:4] + [ev("h", "handoff.sent", 100, handoff_type="docket"),
                              ev("f", "mediation.failed", 101, handoff_type="docket")]
    view = build(events)
    assert (view.status, view.outcome, view.handoff.type) == ("handed_off", "failed", "docket")


def test_handoff_may_come_as_an_object():
    events = LIFECYCLE[:4] + [ev("f", "mediation.failed", 100, handoff={"type": "docket", "id": "h1"}),
                              ev("h", "handoff.sent", 101, type="docket")]
    view = build(events)
    assert (view.outcome, view.handoff_type, view.handoff.type) == ("failed", "docket", "docket")


def test_first_terminal_outcome_wins():
    events = LIFECYCLE[:4] + [ev("s", "mediation.settled", 100, handoff_type="judicial_confirmation"),
                              ev("x", "mediation.expired", 200, handoff_type="docket"),
                              ev("w", "case.withdrawn", 300)]
    view = build(events)
    assert (view.status, view.outcome, view.handoff_type) == ("settled", "settled", "judicial_confirmation")


def test_clerk_withdrawal_then_mediation_confirms_with_the_handoff():
    events = LIFECYCLE[:4] + [ev("w", "case.withdrawn", 100, reason="applicant withdrew"),
                              ev("m", "mediation.withdrawn", 101, handoff_type="docket")]
    view = build(events)
    assert (view.status, view.outcome, view.handoff_type) == ("withdrawn", "withdrawn", "docket")


def test_extension_deadline_wins_over_a_late_acceptance():
    events = [LIFECYCLE[0], LIFECYCLE[1], ev("x", "mediation.extended", 50, deadline="2026-05-01"),
              ev("a", "mediation.accepted", 51, deadline="2026-04-01")]
    view = build(events)
    assert (view.status, view.deadline) == ("accepted", "2026-05-01")


def test_status_ranks_follow_the_contract():
    order = ["received", "routed", "accepted", "in_mediation", "settled", "handed_off", "closed"]
    assert [STATUS_RANK[s] for s in order] == sorted(STATUS_RANK[s] for s in order)
    assert len({STATUS_RANK[s] for s in ("settled", "failed", "withdrawn", "expired", "unroutable")}) == 1


# --- robustness ------------------------------------------------------------------------------

def test_personal_data_never_reaches_the_timeline():
    received = ev("p", "case.received", 0, stage="pre_filing",
                  parties=[{"id_number": "370202198001011237", "phone": "13800000000"}],
                  contact={"phone": "13900000000", "address": "香港中路10号", "name": "张三"})
    dumped = json.dumps(read_model_to_dict(build([received])), ensure_ascii=False)
    assert "370202198001011237" not in dumped and "13800000000" not in dumped
    assert "13900000000" not in dumped and "香港中路" not in dumped
    assert "张三" in dumped  # names are not masked here


def test_event_of_another_case_is_refused():
    other = dict(LIFECYCLE[1], case_id="another")
    with pytest.raises(ValueError):
        apply_event(build(LIFECYCLE[:1]), other)


def test_unknown_event_types_are_kept_on_the_timeline_only():
    view = build(LIFECYCLE[:2] + [ev("z", "mediation.paused", 5, reason="appraisal")])
    assert view.status == "routed" and view.timeline[-1].type == "mediation.paused"


def test_envelopes_and_iso_strings_are_accepted():
    envelope = Envelope.new("case.routed", CASE, "routing", {"partner_id": "P03", "attempt": 1},
                            occurred_at=T0, correlation_id="c-1")
    as_text = {"event_id": "t", "case_id": CASE, "type": "case.received", "occurred_at": "2026-03-02T08:59:00",
               "data": {}}
    view = apply_events(new_read_model(CASE), [envelope, as_text])
    assert view.partner_id == "P03"
    assert [e.event_id for e in view.timeline] == ["t", envelope.event_id]  # naive time read as UTC


def test_replay_deduplicates_and_sorts():
    entries = [to_timeline_entry(e)[1] for e in reversed(LIFECYCLE + LIFECYCLE)]
    assert replay(CASE, entries) == build(LIFECYCLE)


def test_art26_and_a_recomputed_calendar_move_the_clerks_deadline():
    from datetime import datetime, timedelta, timezone

    t0 = datetime(2026, 12, 2, 2, tzinfo=timezone.utc)
    case_id = "c0000000-0000-4000-8000-000000000001"

    def ev(n, type_, **data):
        return {"event_id": f"e{n}", "case_id": case_id, "type": type_, "occurred_at": t0 + timedelta(hours=n),
                "data": data}

    view = apply_events(None, [ev(0, "case.received", stage="pre_filing"),
                               ev(1, "case.routed", partner_id="P12", attempt=1),
                               ev(2, "mediation.accepted", partner_id="P12", attempt=1,
                                  deadline="2027-01-05T00:00:00+08:00")])
    paused = apply_events(view, [ev(3, "mediation.paused", deadline=None)])
    assert paused.paused is True and paused.deadline is None
    # a recomputation while paused changes nothing: the clock is stopped
    assert apply_events(paused, [ev(4, "mediation.calendar_recomputed", deadline="2027-01-06T00:00:00+08:00")]
                        ).deadline is None
    resumed = apply_events(paused, [ev(5, "mediation.resumed", deadline="2027-01-07T00:00:00+08:00")])
    assert resumed.paused is False and resumed.deadline == "2027-01-07T00:00:00+08:00"
    moved = apply_events(resumed, [ev(6, "mediation.calendar_recomputed", deadline="2027-01-08T00:00:00+08:00")])
    assert moved.deadline == "2027-01-08T00:00:00+08:00"
    assert [e.type for e in moved.timeline][-2:] == ["mediation.resumed", "mediation.calendar_recomputed"]
