"""When to try a delivery again, and when to give up on an endpoint.

Used for partner webhooks and for the hand-off to the court alike: both must keep trying for at
least a day, because a partner's or a court's system being down overnight is ordinary.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Protocol

# Delay after the n-th failed attempt (n = 1 ... 7); the sum is about 27.6 h.
RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1
# +/-10 % spreads a burst of retries (say after an outage) without ever shrinking the total below 24 h.
JITTER = 0.10
# A Retry-After beyond this is treated as this, so one answer cannot park a delivery forever.
MAX_RETRY_AFTER = timedelta(hours=24)
DISABLE_AFTER = timedelta(days=5)
# A streak of this many failures is one whole retry schedule: a single unlucky delivery is not enough.
DISABLE_MIN_FAILURES = MAX_ATTEMPTS


class RandomSource(Protocol):
    def uniform(self, a: float, b: float) -> float: ...


class Verdict(enum.StrEnum):
    SUCCESS = "success"
    RETRY = "retry"
    DISABLE_ENDPOINT = "disable_endpoint"


def classify_response(status_code: int | None) -> Verdict:
    """`None` stands for a network error or timeout: no answer at all."""
    if status_code is None:
        return Verdict.RETRY
    if 200 <= status_code < 300:
        return Verdict.SUCCESS
    # 410 Gone is the receiver's explicit "stop sending here" in Standard Webhooks.
    if status_code == 410:
        return Verdict.DISABLE_ENDPOINT
    # Redirects are not followed (they could point inside our network), so they count as failures.
    return Verdict.RETRY


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Retry-After as delta-seconds or HTTP-date (RFC 9110 10.2.3); unparseable means absent."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return min(timedelta(seconds=int(text)), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return min(max(when - now, timedelta(0)), MAX_RETRY_AFTER)


def backoff(attempt_no: int, rng: RandomSource) -> timedelta | None:
    """Delay after the `attempt_no`-th failed attempt (1-based), or None when attempts are spent."""
    if attempt_no < 1:
        raise ValueError("attempt_no starts at 1")
    if attempt_no > len(RETRY_SCHEDULE):
        return None
    base = RETRY_SCHEDULE[attempt_no - 1]
    return base * (1 + rng.uniform(-JITTER, JITTER))


def next_attempt_at(
    attempt_no: int, now: datetime, retry_after_header: str | None, rng: RandomSource
) -> datetime | None:
    """When to try again after the `attempt_no`-th failure, or None: give up, mark it failed.

    Retry-After can only push the next attempt later: the receiver asked for that much rest.
    """
    delay = backoff(attempt_no, rng)
    if delay is None:
        return None
    asked = parse_retry_after(retry_after_header, now)
    if asked is not None and asked > delay:
        delay = asked
    return now + delay


def should_disable_endpoint(
    first_failure_at: datetime | None, now: datetime, consecutive_failures: int
) -> bool:
    """An endpoint failing without a single success for days is switched off.

    `first_failure_at` is the start of the current failure streak (reset by any success).
    """
    if first_failure_at is None:
        return False
    return now - first_failure_at >= DISABLE_AFTER and consecutive_failures >= DISABLE_MIN_FAILURES


def gone_reason(status_code: int) -> str:
    return f"the endpoint answered {status_code} Gone: it asked not to receive deliveries any more"


def failing_reason(first_failure_at: datetime, consecutive_failures: int) -> str:
    """What the endpoint's owner is shown when it was disabled for failing."""
    return (
        f"every delivery failed since {first_failure_at.isoformat()} "
        f"({consecutive_failures} attempts in a row, at least {DISABLE_AFTER.days} days without success)"
    )
