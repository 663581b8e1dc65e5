"""A holiday calendar as ops load it (`PUT /v1/calendar/years/2027`), for tests that must show a
domain rule counts on the calendar it is given, not on the one the code ships."""

from datetime import date

from services.mediation.domain.holiday_year import checked_arrangement
from shared.holidays import HolidayCalendar, shipped_calendar

# 2027 ships with its statutory 春节 only (5-8 February, provisional); this notice gives 5-11 February
# off, with Saturday 20 February worked. Other holidays as the statute fixes them.
SPRING_FESTIVAL_2027 = [date(2027, 1, 1), *(date(2027, 2, d) for d in range(5, 12)), date(2027, 4, 5),
                        date(2027, 5, 1), date(2027, 5, 2), date(2027, 6, 9), date(2027, 9, 15),
                        date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3)]


def loaded_2027() -> HolidayCalendar:
    return shipped_calendar().with_year(checked_arrangement(
        2027, SPRING_FESTIVAL_2027, [date(2027, 2, 20)], notice="国办发明电〔2026〕(test)", version=1))
