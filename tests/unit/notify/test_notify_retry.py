import random
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notify.domain.retry import (
    DISABLE_AFTER,
    DISABLE_MIN_FAILURES,
    JITTER,
    MAX_ATTEMPTS,
    MAX_RETRY_AFTER,
    RETRY_SCHEDULE,
    Verdict,
    backoff,
    classify_response,
    failing_reason,
    next_attempt_at,
    parse_retry_after,
    should_disable_endpoint,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


class Fixed:
    def __init__(self, value: float) -> None:
        self.value = value

    def uniform(self, a: float, b: float) -> float:
        return self.value


def test_schedule_is_about_5s_5m_30m_2h_5h_10h_10h():
    assert RETRY_SCHEDULE == (
        timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
        timedelta(hours=5), timedelta(hours=10), timedelta(hours=10),
    )
    assert MAX_ATTEMPTS == 8


@given(st.randoms(use_true_random=False))
def test_retries_span_at_least_24_hours_whatever_the_jitter(rng):
    total = sum((backoff(n, rng) for n in range(1, MAX_ATTEMPTS)), timedelta())
    assert total >= timedelta(hours=24)


def test_jitter_stays_within_ten_percent_and_varies():
    rng = random.Random(7)
    delays = {backoff(4, rng) for _ in range(50)}
    assert len(delays) > 1
    assert all(timedelta(hours=2) * (1 - JITTER) <= d <= timedelta(hours=2) * (1 + JITTER) for d in delays)


def test_next_attempt_follows_schedule_without_retry_after():
    assert next_attempt_at(1, NOW, None, Fixed(0.0)) == NOW + timedelta(seconds=5)
    assert next_attempt_at(3, NOW, None, Fixed(0.0)) == NOW + timedelta(minutes=30)


def test_no_next_attempt_after_the_last_one():
    assert next_attempt_at(MAX_ATTEMPTS, NOW, None, Fixed(0.0)) is None
    with pytest.raises(ValueError):
        next_attempt_at(0, NOW, None, Fixed(0.0))


def test_retry_after_seconds_pushes_the_attempt_later():
    assert next_attempt_at(1, NOW, "120", Fixed(0.0)) == NOW + timedelta(seconds=120)


def test_retry_after_shorter_than_backoff_does_not_shorten_it():
    assert next_attempt_at(3, NOW, "1", Fixed(0.0)) == NOW + timedelta(minutes=30)


def test_retry_after_http_date_is_honoured():
    header = format_datetime(NOW + timedelta(hours=1), usegmt=True)
    assert next_attempt_at(2, NOW, header, Fixed(0.0)) == NOW + timedelta(hours=1)


def test_retry_after_is_capped_and_garbage_ignored():
    assert parse_retry_after("99999999", NOW) == MAX_RETRY_AFTER
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after("", NOW) is None
    past = format_datetime(NOW - timedelta(hours=1), usegmt=True)
    assert parse_retry_after(past, NOW) == timedelta(0)


@pytest.mark.parametrize(("status", "verdict"), [
    (200, Verdict.SUCCESS), (204, Verdict.SUCCESS), (299, Verdict.SUCCESS), (199, Verdict.RETRY),
    (300, Verdict.RETRY), (301, Verdict.RETRY), (400, Verdict.RETRY), (429, Verdict.RETRY), (500, Verdict.RETRY),
    (503, Verdict.RETRY), (None, Verdict.RETRY), (410, Verdict.DISABLE_ENDPOINT),
])
def test_classify_response(status, verdict):
    assert classify_response(status) is verdict


def test_endpoint_failing_for_five_days_is_disabled():
    start = NOW - DISABLE_AFTER
    assert should_disable_endpoint(start, NOW, DISABLE_MIN_FAILURES)
    assert not should_disable_endpoint(start + timedelta(minutes=1), NOW, 100)
    assert not should_disable_endpoint(start, NOW, 2)
    assert not should_disable_endpoint(None, NOW, 100)


def test_failing_reason_tells_the_owner_since_when():
    text = failing_reason(NOW, 12)
    assert "2026-03-02T09:00:00+00:00" in text and "12" in text


def test_backoff_counts_from_one_and_says_so():
    with pytest.raises(ValueError, match="^attempt_no starts at 1$"):
        backoff(0, Fixed(0.0))


@pytest.mark.parametrize("jitter", [JITTER, -JITTER])
def test_jitter_moves_the_delay_in_its_own_direction(jitter):
    # +10 % drawn is 10 % later, not earlier: the schedule's 24 h floor is reasoned on this.
    assert backoff(1, Fixed(jitter)) == RETRY_SCHEDULE[0] * (1 + jitter)
