from datetime import datetime, timedelta, timezone

import pytest

from services.mediation.domain.clock import Clock, FixedClock, ManualClock, SystemClock

T0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


def test_manual_clock_moves_only_when_told():
    clock: Clock = ManualClock(T0)
    assert clock.now() == T0
    clock.advance(timedelta(days=31))
    assert clock.now() == T0 + timedelta(days=31)
    clock.set(T0)
    assert clock.now() == T0


def test_manual_clock_refuses_to_run_backwards_or_naive_time():
    clock = ManualClock(T0)
    with pytest.raises(ValueError):
        clock.advance(timedelta(seconds=-1))
    with pytest.raises(ValueError):
        clock.set(datetime(2026, 3, 2))
    with pytest.raises(ValueError):
        ManualClock(datetime(2026, 3, 2))


def test_fixed_clock_is_stopped():
    clock = FixedClock(T0)
    assert clock.now() == clock.now() == T0


def test_system_clock_is_aware():
    assert SystemClock().now().utcoffset() == timedelta(0)
