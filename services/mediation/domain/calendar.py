"""Working days on the Chinese calendar (2021 online mediation rules, Art 10, 12, 15).

Holidays and make-up working days (调休) come from the `chinese-calendar` package, which only knows
the years the State Council has published. For any other year we fall back to "Monday to Friday"
and say so through `calendar_known=False`, so the caller can log it and count a metric: a window
computed that way may miss holidays nobody has announced yet.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import chinese_calendar

# China has kept UTC+8 without daylight saving since 1991; a fixed offset avoids depending on the
# tz database being present in slim containers.
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


@dataclass(frozen=True)
class DayKind:
    working: bool
    calendar_known: bool  # False: the year is beyond the package's data, weekends-only was used


@dataclass(frozen=True)
class WorkingDay:
    day: date
    calendar_known: bool  # False if any day counted on the way was guessed as weekends-only


def local_date(moment: datetime | date) -> date:
    """The Asia/Shanghai calendar date of `moment`; a bare date is taken as already local."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime")
        return moment.astimezone(SHANGHAI).date()
    return moment


def start_of_day(day: date) -> datetime:
    """Midnight at the start of `day` in Asia/Shanghai, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def end_of_day(day: date) -> datetime:
    """The (exclusive) end of `day` in Asia/Shanghai: midnight starting the next day."""
    return start_of_day(day + timedelta(days=1))


# the package's own range: it refuses any date outside the years its holiday table covers
_KNOWN_YEARS = range(
    min(day.year for day in chinese_calendar.holidays),
    max(day.year for day in chinese_calendar.holidays) + 1,
)


def day_kind(day: date) -> DayKind:
    if day.year not in _KNOWN_YEARS:
        return DayKind(working=day.weekday() < 5, calendar_known=False)
    return DayKind(working=chinese_calendar.is_workday(day), calendar_known=True)


def add_working_days(start: datetime | date, n: int) -> WorkingDay:
    """The n-th working day after the Shanghai date of `start`; the start day itself never counts.

    An offer made on day D is answered by the end of `add_working_days(D, 3).day` (2021 Art 12),
    whether or not D itself was a working day.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    day = local_date(start)
    known = True
    remaining = n
    while remaining:
        day += timedelta(days=1)
        kind = day_kind(day)
        known = known and kind.calendar_known
        remaining -= kind.working
    return WorkingDay(day=day, calendar_known=known)
