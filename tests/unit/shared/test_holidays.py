"""Acceptance 1 (time): the one calendar, article by article.

- 民事诉讼法 Art 85: a period whose last day is a rest day ends with the next working day;
- 民事诉讼法 Art 205: the 30 days to apply for judicial confirmation, Art 85 applied;
- 人民法院在线调解规则 (2021) Art 12 / Art 15: the 3-working-day offer and first-contact windows;
- 2021 Art 26 with Art 85: a pause moves the period's end, and the moved end is Art 85's again;
- 全国年节及纪念日放假办法 Art 2: the fixed statutory holidays a year without a notice is counted on.

2026 is the State Council's arrangement (chinese-calendar); 2027 is shipped as its statutory
holidays only, provisional, until ops load the notice."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from services.mediation.domain.confirmation import confirmation_window
from services.mediation.domain.deadline import Deadline
from services.mediation.domain.holiday_year import InvalidArrangement, checked_arrangement
from services.mediation.domain.offer import first_contact_window, offer_window
from shared.clock import BEIJING, beijing_date, end_of_beijing_day
from shared.holidays import HolidayCalendar, shipped_calendar, statutory_arrangement, statutory_holidays

CAL = shipped_calendar()


def bj(*args: int) -> datetime:
    return datetime(*args, tzinfo=BEIJING)


# A plausible 2027 notice, as ops would load it (the real one is whatever the State Council publishes):
# 元旦 1-3 Jan; 春节 5-11 Feb with Saturday 20 Feb worked; ...
NOTICE_2027_HOLIDAYS = [date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3),
                        *(date(2027, 2, d) for d in range(5, 12)),
                        date(2027, 4, 3), date(2027, 4, 4), date(2027, 4, 5),
                        *(date(2027, 5, d) for d in range(1, 6)),
                        date(2027, 6, 9), date(2027, 9, 15),
                        *(date(2027, 10, d) for d in range(1, 8))]
NOTICE_2027_MAKE_UP = [date(2027, 2, 20), date(2027, 5, 8), date(2027, 9, 26), date(2027, 10, 9)]


def loaded_2027() -> HolidayCalendar:
    return CAL.with_year(checked_arrangement(2027, NOTICE_2027_HOLIDAYS, NOTICE_2027_MAKE_UP,
                                             notice="国办发明电〔2026〕(test)", version=1))


# -- 全国年节及纪念日放假办法 Art 2 -------------------------------------------------------------------

def test_art2_statutory_holidays_of_2027_are_the_thirteen_fixed_days():
    assert statutory_holidays(2027) == {
        date(2027, 1, 1): "元旦",
        date(2027, 2, 5): "春节", date(2027, 2, 6): "春节", date(2027, 2, 7): "春节", date(2027, 2, 8): "春节",
        date(2027, 4, 5): "清明节", date(2027, 5, 1): "劳动节", date(2027, 5, 2): "劳动节",
        date(2027, 6, 9): "端午节", date(2027, 9, 15): "中秋节",
        date(2027, 10, 1): "国庆节", date(2027, 10, 2): "国庆节", date(2027, 10, 3): "国庆节",
    }


def test_art2_the_2026_notice_contains_every_statutory_holiday_of_2026():
    # the rule of the amended 办法 against the State Council's real 2026 notice
    assert set(statutory_holidays(2026)) <= CAL.arrangement(2026).holidays


def test_2027_ships_as_provisional_statutory_holidays_and_2026_as_the_notice():
    assert CAL.arrangement(2027).provisional is True
    assert CAL.arrangement(2026).provisional is False
    assert CAL.day_kind(date(2027, 1, 1)).working is False  # New Year's Day is no working day any more
    assert CAL.day_kind(date(2027, 10, 1)).working is False


# -- 民事诉讼法 Art 85 ------------------------------------------------------------------------------

def test_art85_a_30_day_period_accepted_2026_12_02_ending_on_new_years_day_2027_ends_on_monday_4_january():
    deadline = Deadline(accepted_at=bj(2026, 12, 2, 10), period_days=30)
    due = deadline.due(bj(2026, 12, 2, 10))
    # 2027-01-01 is 元旦 (a Friday), then a weekend: the period ends with Monday 2027-01-04
    assert due.at == end_of_beijing_day(date(2027, 1, 4))
    assert due.provisional is True  # 2027 is known only by its statutory holidays


def test_art85_a_period_ending_inside_the_2026_spring_festival_ends_after_it():
    # 2026 春节: 15-23 February off; 30 days from 2026-01-18 end on 2026-02-17 (正月初一)
    due = Deadline(accepted_at=bj(2026, 1, 18, 9), period_days=30).due(bj(2026, 1, 18, 9))
    assert due.at == end_of_beijing_day(date(2026, 2, 24)) and due.provisional is False


def test_art85_a_period_ending_inside_the_2027_spring_festival_ends_after_it_provisionally_then_as_loaded():
    accepted = bj(2027, 1, 7, 9)  # 30 days: last day 2027-02-06, 正月初一
    provisional = Deadline(accepted_at=accepted, period_days=30).due(accepted)
    assert provisional.at == end_of_beijing_day(date(2027, 2, 9)) and provisional.provisional is True
    loaded = Deadline(accepted_at=accepted, period_days=30, calendar=loaded_2027()).due(accepted)
    assert loaded.at == end_of_beijing_day(date(2027, 2, 12)) and loaded.provisional is False


def test_art85_a_last_day_on_a_working_day_stays():
    due = Deadline(accepted_at=bj(2026, 3, 2, 10), period_days=30).due(bj(2026, 3, 2, 10))
    assert due.at == end_of_beijing_day(date(2026, 4, 1))  # a Wednesday


def test_art85_a_make_up_working_day_is_a_working_day_a_period_may_end_on():
    # 2026-01-04 (Sunday) is worked (调休): a period whose last day it is ends with it
    assert CAL.period_last_day(date(2026, 1, 4)).day == date(2026, 1, 4)


def test_art85_the_rule_is_the_packs_and_can_be_off():
    plain = Deadline(accepted_at=bj(2026, 12, 2, 10), period_days=30, ends_off_rest_days=False)
    assert plain.due_at(bj(2026, 12, 2, 10)) == end_of_beijing_day(date(2027, 1, 1))


def test_art26_and_art85_a_pause_moving_the_end_onto_a_rest_day_runs_it_to_the_next_working_day():
    d = Deadline(accepted_at=bj(2026, 3, 2, 10), period_days=30).pause(bj(2026, 3, 5, 9)).resume(bj(2026, 3, 15, 9))
    assert d.due_at(bj(2026, 3, 20)) == end_of_beijing_day(date(2026, 4, 13))


# -- 民事诉讼法 Art 205 -----------------------------------------------------------------------------

def test_art205_the_confirmation_window_of_a_settlement_signed_2026_12_02_runs_to_4_january():
    window = confirmation_window(bj(2026, 12, 2, 15))
    assert window.at == end_of_beijing_day(date(2027, 1, 4)) and window.provisional is True


def test_art205_the_confirmation_window_ending_in_the_2026_spring_festival_ends_after_it():
    window = confirmation_window(bj(2026, 1, 16, 15))  # 30 days: Sunday 2026-02-15, 春节 holiday
    assert window.at == end_of_beijing_day(date(2026, 2, 24)) and window.provisional is False


# -- 2021 Art 12 / Art 15 -------------------------------------------------------------------------

def test_art12_an_offer_made_2026_12_30_closes_after_the_third_working_day_past_new_year():
    window = offer_window(bj(2026, 12, 30, 16))
    # Thursday 31 Dec, then 元旦 and a weekend, then Monday 4 and Tuesday 5 January
    assert window.closes_at == end_of_beijing_day(date(2027, 1, 5))
    assert window.calendar_provisional is True


def test_art12_the_window_past_the_calendars_coverage_is_cleared_when_the_year_is_loaded():
    window = offer_window(bj(2026, 12, 30, 16), loaded_2027())
    # the loaded notice gives 1-3 January off: the same days, now certain
    assert window.closes_at == end_of_beijing_day(date(2027, 1, 5))
    assert window.calendar_provisional is False


def test_art12_a_window_that_stays_inside_2026_is_not_provisional():
    assert offer_window(bj(2026, 12, 1, 9)).calendar_provisional is False


def test_art15_the_first_contact_window_over_the_2027_spring_festival_moves_when_the_notice_is_loaded():
    accepted = bj(2027, 2, 4, 10)  # Thursday before the festival
    provisional = first_contact_window(accepted)
    # statutory only: 5-8 Feb off, so Tue 9, Wed 10, Thu 11 February
    assert provisional.closes_at == end_of_beijing_day(date(2027, 2, 11)) and provisional.calendar_provisional
    loaded = first_contact_window(accepted, loaded_2027())
    # the notice: 5-11 Feb off: Fri 12, Mon 15, Tue 16 February
    assert loaded.closes_at == end_of_beijing_day(date(2027, 2, 16)) and not loaded.calendar_provisional


def test_a_year_nobody_loaded_is_its_statutory_arrangement():
    assert CAL.arrangement(2031) == statutory_arrangement(2031)
    assert CAL.add_working_days(date(2030, 12, 31), 1).provisional is True


# -- Beijing dates --------------------------------------------------------------------------------

def test_the_beijing_date_of_an_instant_early_on_1_january_is_1_january():
    assert beijing_date(datetime.fromisoformat("2026-12-31T16:30:00+00:00")) == date(2027, 1, 1)
    assert beijing_date(datetime.fromisoformat("2026-12-31T15:59:59+00:00")) == date(2026, 12, 31)
    with pytest.raises(ValueError):
        beijing_date(datetime(2027, 1, 1))


# -- what ops may load ----------------------------------------------------------------------------

def test_a_loaded_year_must_keep_every_statutory_holiday_and_name_weekend_make_up_days():
    with pytest.raises(InvalidArrangement) as refused:
        checked_arrangement(2027, [d for d in NOTICE_2027_HOLIDAYS if d != date(2027, 10, 1)],
                            [date(2027, 2, 22), date(2026, 2, 20)], notice=None, version=1)
    fields = {f.field for f in refused.value.faults}
    assert fields == {"make_up_working_days[0]", "make_up_working_days[1]"}  # a Monday; another year
    with pytest.raises(InvalidArrangement) as missing:
        checked_arrangement(2027, [d for d in NOTICE_2027_HOLIDAYS if d != date(2027, 10, 1)], [], notice=None,
                            version=1)
    [fault] = missing.value.faults
    assert fault.field == "holidays" and "2027-10-01" in fault.message


def test_a_day_both_rest_and_worked_or_listed_twice_is_refused():
    with pytest.raises(InvalidArrangement) as refused:
        checked_arrangement(2027, NOTICE_2027_HOLIDAYS + [date(2027, 1, 1)], [date(2027, 1, 2)], notice=None,
                            version=1)
    assert {f.field for f in refused.value.faults} == {f"holidays[{len(NOTICE_2027_HOLIDAYS)}]",
                                                       "make_up_working_days[0]"}


def test_the_newest_version_of_a_year_wins():
    first = checked_arrangement(2027, NOTICE_2027_HOLIDAYS, NOTICE_2027_MAKE_UP, notice="a", version=1)
    second = checked_arrangement(2027, NOTICE_2027_HOLIDAYS, [], notice="b", version=2)
    assert HolidayCalendar.of([second, first]).arrangement(2027).notice == "b"
    assert CAL.with_year(first).with_year(second).day_kind(date(2027, 2, 20)).working is False


def test_end_of_beijing_day_is_the_next_midnight_at_plus_eight():
    assert end_of_beijing_day(date(2027, 1, 4)) == datetime(2027, 1, 4, 16, tzinfo=BEIJING) + timedelta(hours=8)
