"""Acceptance 2 (calendar part): 2021 Art 12 offer window on the Chinese calendar."""

from datetime import date, datetime, timedelta, timezone

import pytest

from services.mediation.domain.calendar import SHANGHAI, add_working_days, day_kind, local_date
from services.mediation.domain.offer import first_contact_window, offer_window


def test_art12_offer_on_last_working_day_before_national_day_expires_on_third_working_day_after():
    # 2025: 10-01..10-08 off; 10-09 (Thu), 10-10 (Fri), 10-11 (make-up Saturday) are working days
    offered_at = datetime(2025, 9, 30, 16, 0, tzinfo=SHANGHAI)
    window = offer_window(offered_at)
    assert window.closes_at == datetime(2025, 10, 12, 0, 0, tzinfo=SHANGHAI)
    assert window.calendar_provisional is False


def test_art12_third_working_day_after_national_day_eve_is_2025_10_11():
    assert add_working_days(date(2025, 9, 30), 3).day == date(2025, 10, 11)


@pytest.mark.parametrize("make_up_day", [date(2025, 9, 28), date(2025, 10, 11)])
def test_make_up_weekend_day_counts_as_a_working_day(make_up_day):
    assert make_up_day.weekday() >= 5
    assert day_kind(make_up_day).working is True


def test_art12_make_up_sunday_2025_09_28_is_counted_in_the_window():
    # offer on Friday 09-26: 09-27 (Sat) is off, 09-28 (make-up Sunday) is the first working day
    assert add_working_days(date(2025, 9, 26), 3).day == date(2025, 9, 30)


def test_holiday_weekday_does_not_count():
    assert day_kind(date(2025, 10, 1)).working is False
    assert day_kind(date(2025, 10, 8)).working is False


def test_the_shanghai_date_of_the_offer_decides_not_utc():
    # 2025-09-29 17:30 UTC is already 09-30 01:30 in Shanghai
    late_utc = datetime(2025, 9, 29, 17, 30, tzinfo=timezone.utc)
    assert local_date(late_utc) == date(2025, 9, 30)
    assert add_working_days(late_utc, 3).day == date(2025, 10, 11)
    # 15:00 UTC is still 09-29 23:00 in Shanghai
    earlier_utc = datetime(2025, 9, 29, 15, 0, tzinfo=timezone.utc)
    assert add_working_days(earlier_utc, 3).day == date(2025, 10, 10)


def test_an_offer_made_on_a_holiday_counts_from_the_next_working_day():
    assert add_working_days(date(2025, 10, 3), 1).day == date(2025, 10, 9)


def test_unknown_year_falls_back_to_statutory_holidays_and_weekends_and_says_so():
    # 2040-01-05 is a Thursday; Friday 6th, Monday 9th, Tuesday 10th
    result = add_working_days(date(2040, 1, 5), 3)
    assert result.day == date(2040, 1, 10)
    assert result.provisional is True
    assert day_kind(date(2040, 1, 7)).working is False


def test_known_year_reports_the_calendar_as_known():
    assert add_working_days(date(2025, 6, 2), 3).provisional is False


def test_window_crossing_into_an_unknown_year_is_flagged():
    last_known = date(2026, 12, 31)
    assert day_kind(last_known).provisional is False
    assert add_working_days(last_known, 1).provisional is True


def test_fallback_window_is_flagged_on_the_offer_window():
    window = offer_window(datetime(2040, 1, 5, 9, tzinfo=SHANGHAI))
    assert window.calendar_provisional is True
    assert window.closes_at == datetime(2040, 1, 11, tzinfo=SHANGHAI)


def test_art15_first_contact_window_is_three_working_days():
    accepted_at = datetime(2025, 9, 30, 9, tzinfo=SHANGHAI)
    assert first_contact_window(accepted_at).closes_at == datetime(2025, 10, 12, tzinfo=SHANGHAI)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        add_working_days(datetime(2025, 9, 30, 9), 3)


def test_zero_working_days_is_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2025, 9, 30), 0)


def test_shanghai_offset_is_eight_hours():
    assert SHANGHAI.utcoffset(None) == timedelta(hours=8)
