"""2021 Art 12 / Art 15 windows count on the calendar the service holds (what ops loaded), not on the
one the code ships: the 2027 Spring Festival is 5-8 February as shipped, 5-11 February once loaded."""

from datetime import date, datetime

from services.mediation.domain.calendar import SHANGHAI, end_of_day
from services.mediation.domain.offer import first_contact_window, offer_window, working_day_window
from tests.unit.mediation.calendars import loaded_2027

BEFORE_THE_FESTIVAL = datetime(2027, 2, 4, 10, tzinfo=SHANGHAI)  # Thursday


def test_art12_the_offer_window_over_the_loaded_spring_festival_runs_to_tuesday_16_february():
    window = offer_window(BEFORE_THE_FESTIVAL, loaded_2027())
    # 5-11 February off: Friday 12, Monday 15, Tuesday 16 February are the three working days
    assert window.closes_at == end_of_day(date(2027, 2, 16))
    assert window.calendar_provisional is False
    assert window.opened_at == BEFORE_THE_FESTIVAL


def test_art12_without_the_notice_the_same_offer_closes_after_thursday_11_february_provisionally():
    window = offer_window(BEFORE_THE_FESTIVAL)
    assert window.closes_at == end_of_day(date(2027, 2, 11))
    assert window.calendar_provisional is True


def test_art15_the_first_contact_window_counts_on_the_loaded_calendar():
    window = first_contact_window(BEFORE_THE_FESTIVAL, loaded_2027())
    assert (window.opened_at, window.closes_at, window.calendar_provisional) == (
        BEFORE_THE_FESTIVAL, end_of_day(date(2027, 2, 16)), False)


def test_a_working_day_window_keeps_when_it_opened_and_counts_on_the_calendar_given():
    window = working_day_window(BEFORE_THE_FESTIVAL, 1, loaded_2027())
    assert window.opened_at == BEFORE_THE_FESTIVAL
    assert window.closes_at == end_of_day(date(2027, 2, 12))
