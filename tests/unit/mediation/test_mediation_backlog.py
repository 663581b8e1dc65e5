"""How far ahead the holiday calendar reaches (`courtmed_calendar_covered_until_days`, the alert
"holiday calendar not covering the next 60 days"): counted in Beijing days, up to the last day of
the last published year without a gap from this one."""

from dataclasses import replace
from datetime import date, datetime, timezone

from services.mediation.backlog import covered_days, covered_until
from shared.holidays import HolidayCalendar, statutory_arrangement


def _published(year: int):
    return replace(statutory_arrangement(year), provisional=False, version=1, source="test")


def test_covered_until_the_end_of_the_last_published_year_without_a_gap():
    calendar = HolidayCalendar.of([_published(2026), _published(2027), _published(2029)])
    assert covered_until(calendar, date(2026, 3, 1)) == date(2027, 12, 31)  # 2028 unknown: 2029 does not count


def test_this_year_provisional_is_negative_coverage():
    calendar = HolidayCalendar.of([_published(2025)])
    assert covered_until(calendar, date(2026, 1, 10)) == date(2025, 12, 31)
    assert covered_days(calendar, datetime(2026, 1, 10, 4, tzinfo=timezone.utc)) == -10


def test_days_are_counted_on_the_beijing_date():
    calendar = HolidayCalendar.of([_published(2026)])
    # 2026-11-01 16:30 UTC is already 2 November in Beijing: 59 days to 31 December, the alert fires
    assert covered_days(calendar, datetime(2026, 11, 1, 16, 30, tzinfo=timezone.utc)) == 59
    assert covered_days(calendar, datetime(2026, 11, 1, 15, 30, tzinfo=timezone.utc)) == 60
