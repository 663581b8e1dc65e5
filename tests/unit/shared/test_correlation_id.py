"""Correlation ids from outside are used only when short printable ASCII (shared/context.py)."""

from shared.context import correlation_id_or_new, is_valid_correlation_id
from shared.events import Envelope


def test_short_printable_ids_are_kept():
    for value in ("abc", "court-sys:42/7", "x" * 128, "550e8400-e29b-41d4-a716-446655440000"):
        assert correlation_id_or_new(value) == value


def test_long_odd_or_missing_ids_are_replaced():
    for value in ("x" * 129, "x" * 5000, "", None, "has space", "tab\t", "nul\x00", "中文", "é", "a\u202eb", 42):
        replaced = correlation_id_or_new(value)
        assert replaced != value and is_valid_correlation_id(replaced)


def test_an_event_never_carries_an_id_the_broker_cannot_take():
    envelope = Envelope.new("case.received", "c1", "test", correlation_id="x" * 300)
    assert len(envelope.correlation_id) <= 128 and envelope.correlation_id != "x" * 300
    assert Envelope.new("case.received", "c1", "test", correlation_id="req-1").correlation_id == "req-1"
