"""Working-day windows: the partner's answer to an offer (2021 Art 12) and the mediator's first
contact with the other party (2021 Art 15), both 3 working days."""

from dataclasses import dataclass
from datetime import datetime

from services.mediation.domain.calendar import HolidayCalendar, add_working_days, end_of_day

OFFER_ANSWER_WORKING_DAYS = 3  # 2021 Art 12
FIRST_CONTACT_WORKING_DAYS = 3  # 2021 Art 15


@dataclass(frozen=True)
class WorkingDayWindow:
    opened_at: datetime
    closes_at: datetime  # exclusive: the window is open while now < closes_at
    # True: a day counted lies in a year known only by its fixed statutory holidays; shown as
    # `calendar_provisional`, logged, counted, and recomputed when ops load the year
    calendar_provisional: bool


def working_day_window(opened_at: datetime, working_days: int,
                       calendar: HolidayCalendar | None = None) -> WorkingDayWindow:
    last_day = add_working_days(opened_at, working_days, calendar)
    return WorkingDayWindow(opened_at=opened_at, closes_at=end_of_day(last_day.day),
                            calendar_provisional=last_day.provisional)


def offer_window(offered_at: datetime, calendar: HolidayCalendar | None = None) -> WorkingDayWindow:
    return working_day_window(offered_at, OFFER_ANSWER_WORKING_DAYS, calendar)


def first_contact_window(accepted_at: datetime, calendar: HolidayCalendar | None = None) -> WorkingDayWindow:
    return working_day_window(accepted_at, FIRST_CONTACT_WORKING_DAYS, calendar)
