"""The window to apply for judicial confirmation (司法确认) after a settlement (民事诉讼法 Art 205):
the parties apply jointly within 30 days of the agreement taking effect (on signing, so from the
outcome). The day it begins is not counted and a last day on a rest day moves to the next working
day (Art 85), on the calendar the service holds. Only a hand-off `judicial_confirmation` opens it
(a delegation or a partner's own mediation settled, the parties applying; not for status or
ownership, 民诉法解释 Art 355, which are `agreement_filed`)."""

from __future__ import annotations

from datetime import datetime

from services.mediation.domain.calendar import HolidayCalendar, or_shipped
from shared.holidays import CalendarInstant

JUDICIAL_CONFIRMATION_DAYS = 30  # 民事诉讼法 Art 205


def opens_confirmation_window(handoff_type: str | None) -> bool:
    return handoff_type == "judicial_confirmation"


def confirmation_window(signed_at: datetime, calendar: HolidayCalendar | None = None) -> CalendarInstant:
    """The instant (exclusive) by which the parties must have applied."""
    return or_shipped(calendar).period_of_days(signed_at, JUDICIAL_CONFIRMATION_DAYS)
