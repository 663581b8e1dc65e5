"""Times as a person in Beijing writes them, and days left counted on the platform's calendar."""

from datetime import datetime, timedelta, timezone

from services.mediation.web.timewords import deadline_words, moment_words, time_left, working_days_left

UTC = timezone.utc
BJ = timezone(timedelta(hours=8))


def test_a_midnight_close_reads_as_before_24_00_of_the_beijing_day():
    # 16:00 UTC on 7 December is the end of 7 December in Beijing, not "8 December 00:00"
    assert deadline_words(datetime(2026, 12, 7, 16, 0, tzinfo=UTC)) == "12月7日 周一 24:00前"


def test_any_other_close_reads_with_its_beijing_clock_time():
    assert deadline_words(datetime(2026, 12, 7, 7, 30, tzinfo=UTC)) == "12月7日 周一 15:30前"
    assert moment_words(datetime(2026, 12, 8, 1, 5, tzinfo=UTC)) == "12月8日 周二 09:05"


def test_the_year_is_written_only_when_it_is_not_this_year():
    now = datetime(2026, 12, 30, 10, 0, tzinfo=BJ)
    assert deadline_words(datetime(2027, 1, 5, 0, 0, tzinfo=BJ), now=now) == "2027年1月4日 周一 24:00前"
    assert moment_words(datetime(2026, 12, 31, 9, 0, tzinfo=BJ), now=now) == "12月31日 周四 09:00"


def test_working_days_left_skip_the_weekend():
    # Thursday 3 Dec: the 3-working-day window ends on Tuesday 8 Dec (Fri, Mon, Tue)
    now = datetime(2026, 12, 3, 10, 0, tzinfo=BJ)
    closes = datetime(2026, 12, 9, 0, 0, tzinfo=BJ)
    assert working_days_left(now, closes) == 3
    left = time_left(now, closes, working_days=True)
    assert (left.words, left.overdue, left.urgent) == ("剩3个工作日", False, False)


def test_working_days_left_skip_the_national_day_holidays():
    # 1-7 October 2026 are holidays; 8 and 9 October are working days
    now = datetime(2026, 9, 30, 10, 0, tzinfo=BJ)
    closes = datetime(2026, 10, 10, 0, 0, tzinfo=BJ)
    assert time_left(now, closes, working_days=True).words == "剩2个工作日"


def test_the_last_day_and_overdue():
    closes = datetime(2026, 12, 9, 0, 0, tzinfo=BJ)
    today = time_left(datetime(2026, 12, 8, 9, 0, tzinfo=BJ), closes, working_days=True)
    assert (today.words, today.urgent, today.overdue) == ("今日截止", True, False)
    late = time_left(datetime(2026, 12, 10, 9, 0, tzinfo=BJ), closes, working_days=True)
    assert (late.words, late.overdue, late.days) == ("已逾期2天", True, -2)
    at_close = time_left(closes, closes, working_days=False)
    assert at_close.overdue and at_close.words == "已逾期1天"


def test_the_mediation_period_counts_calendar_days():
    left = time_left(datetime(2026, 12, 1, 9, 0, tzinfo=BJ), datetime(2026, 12, 31, 0, 0, tzinfo=BJ),
                     working_days=False)
    assert (left.words, left.days, left.urgent) == ("剩29天", 29, False)
    tomorrow = time_left(datetime(2026, 12, 29, 9, 0, tzinfo=BJ), datetime(2026, 12, 31, 0, 0, tzinfo=BJ),
                         working_days=False)
    assert tomorrow.urgent and tomorrow.words == "剩1天"


def test_no_deadline_reads_as_a_dash():
    assert deadline_words(None) == "—" and moment_words(None) == "—"
    assert time_left(datetime(2026, 12, 1, tzinfo=UTC), None, working_days=True) is None
