"""Mediation's calendar questions, asked of the one calendar (`shared/holidays.py`).

Working-day windows (2021 online mediation rules Art 10, 12, 15) and the end of periods
(民事诉讼法 Art 85) are counted on the holiday arrangement the service holds (`Runtime.calendar`:
what the code ships, overlaid by the years ops loaded through `PUT /v1/calendar/years/{year}`).
A window that reaches a year only known by its fixed statutory holidays is `provisional`: the
caller shows it, logs it and counts the metric, and it is recomputed when ops load that year.
"""

from datetime import date, datetime

from shared.clock import BEIJING as SHANGHAI
from shared.clock import beijing_date as local_date
from shared.clock import end_of_beijing_day as end_of_day
from shared.clock import start_of_beijing_day as start_of_day
from shared.holidays import CalendarDay, DayKind, HolidayCalendar, shipped_calendar

__all__ = ["SHANGHAI", "CalendarDay", "DayKind", "HolidayCalendar", "add_working_days", "day_kind", "end_of_day",
           "local_date", "start_of_day", "or_shipped"]

_SHIPPED = shipped_calendar()


def or_shipped(calendar: HolidayCalendar | None) -> HolidayCalendar:
    """The calendar given, or what the code ships (for pure callers and tests without a runtime)."""
    return calendar if calendar is not None else _SHIPPED


def day_kind(day: date, calendar: HolidayCalendar | None = None) -> DayKind:
    return or_shipped(calendar).day_kind(day)


def add_working_days(start: datetime | date, n: int, calendar: HolidayCalendar | None = None) -> CalendarDay:
    """The n-th working day after the Beijing date of `start`; the start day itself never counts."""
    return or_shipped(calendar).add_working_days(start, n)
