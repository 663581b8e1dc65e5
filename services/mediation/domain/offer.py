"""Working-day windows: the partner's answer to an offer (2021 Art 12) and the mediator's first
contact with the other party (2021 Art 15), both 3 working days."""

from dataclasses import dataclass
from datetime import datetime

from services.mediation.domain.calendar import add_working_days, end_of_day

OFFER_ANSWER_WORKING_DAYS = 3  # 2021 Art 12
FIRST_CONTACT_WORKING_DAYS = 3  # 2021 Art 15


@dataclass(frozen=True)
class WorkingDayWindow:
    opened_at: datetime
    closes_at: datetime  # exclusive: the window is open while now < closes_at
    calendar_known: bool  # False: weekends-only fallback was used, log it and count the metric


def working_day_window(opened_at: datetime, working_days: int) -> WorkingDayWindow:
    last_day = add_working_days(opened_at, working_days)
    return WorkingDayWindow(
        opened_at=opened_at,
        closes_at=end_of_day(last_day.day),
        calendar_known=last_day.calendar_known,
    )


def offer_window(offered_at: datetime) -> WorkingDayWindow:
    return working_day_window(offered_at, OFFER_ANSWER_WORKING_DAYS)


def first_contact_window(accepted_at: datetime) -> WorkingDayWindow:
    return working_day_window(accepted_at, FIRST_CONTACT_WORKING_DAYS)


def has_lapsed(window: WorkingDayWindow, now: datetime) -> bool:
    """No answer by now counts as a decline (2021 Art 12): the sweeper applies `lapse_offer`."""
    return now >= window.closes_at
