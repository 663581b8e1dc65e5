"""The one place the real clock is read; tests inject a clock they can move.

Also the one answer to "which day is it": every calendar question (a case number's year, a working
day, the end of a day, statistics by day or month) is asked in Beijing time (Asia/Shanghai), while
instants stay aware datetimes shown as RFC 3339 with their offset."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Protocol

# China has kept UTC+8 without daylight saving since 1991; a fixed offset avoids depending on the
# tz database being present in slim containers.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


def beijing_date(instant: datetime | date) -> date:
    """The Beijing (Asia/Shanghai) calendar date of `instant`; a bare date is taken as already local."""
    if isinstance(instant, datetime):
        if instant.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime")
        return instant.astimezone(BEIJING).date()
    return instant


def start_of_beijing_day(day: date) -> datetime:
    """Midnight at the start of `day` in Beijing, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=BEIJING)


def end_of_beijing_day(day: date) -> datetime:
    """The (exclusive) end of `day` in Beijing: the midnight that starts the next day."""
    return start_of_beijing_day(day + timedelta(days=1))


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        self._now = moment
