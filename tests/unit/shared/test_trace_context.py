"""W3C traceparent: accepted when well formed, dropped otherwise, passed on under a new span id, and
carried by the events made while one is in force."""

from shared.context import accepted_traceparent, child_traceparent, correlation_headers, correlation_id_var, traceparent_var
from shared.events import Envelope

GOOD = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_only_a_well_formed_version_00_traceparent_is_accepted():
    assert accepted_traceparent(GOOD) == GOOD
    for bad in ("", None, GOOD.upper(), "01" + GOOD[2:], GOOD + "-extra", "00-" + "0" * 32 + "-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-" + "0" * 16 + "-01", "x" * 5000):
        assert accepted_traceparent(bad) == ""


def test_passed_on_with_the_same_trace_and_a_new_span():
    child = child_traceparent(GOOD)
    assert child.startswith("00-4bf92f3577b34da6a3ce929d0e0e4736-") and child.endswith("-01")
    assert child.split("-")[2] != GOOD.split("-")[2] and accepted_traceparent(child) == child


def test_events_and_outgoing_headers_carry_the_trace_only_when_there_is_one():
    assert "traceparent" not in Envelope.new("case.received", "c", "intake").to_json().decode()
    cid, trace = correlation_id_var.set("req-1"), traceparent_var.set(GOOD)
    try:
        envelope = Envelope.new("case.received", "c", "intake")
        headers = correlation_headers()
    finally:
        traceparent_var.reset(trace)
        correlation_id_var.reset(cid)
    assert Envelope.from_json(envelope.to_json()).traceparent == GOOD
    assert headers["x-correlation-id"] == "req-1" and headers["traceparent"].split("-")[1] == GOOD.split("-")[1]
