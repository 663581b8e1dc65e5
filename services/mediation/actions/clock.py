"""The legal clock of a mediation row: its Deadline rebuilt from the database and written back, with
`due_at` kept current so the sweeper can find overdue cases by an index."""

from __future__ import annotations

from datetime import datetime

from services.mediation.domain.calendar import HolidayCalendar
from services.mediation.domain.deadline import Deadline, Pause, ends_off_rest_days
from services.mediation.store.models import Mediation
from shared.holidays import CalendarInstant


def deadline_of(mediation: Mediation, calendar: HolidayCalendar | None) -> Deadline:
    if mediation.accepted_at is None:
        raise ValueError("the period runs from acceptance; this case was not accepted")
    pauses = tuple(Pause(paused_at=datetime.fromisoformat(p["paused_at"]),
                         resumed_at=datetime.fromisoformat(p["resumed_at"]) if p.get("resumed_at") else None)
                   for p in mediation.pauses or [])
    return Deadline(accepted_at=mediation.accepted_at, period_days=mediation.period_days, pauses=pauses,
                    extension_days=tuple(int(d) for d in mediation.extension_days or []),
                    calendar=calendar, ends_off_rest_days=ends_off_rest_days(mediation.policy_pack))


def store_deadline(mediation: Mediation, deadline: Deadline, now: datetime) -> CalendarInstant:
    """The deadline written to the row; answered too (the row has no due_at while paused)."""
    # new lists, not in-place edits: the ORM only notices a JSON column when it is reassigned
    mediation.pauses = [{"paused_at": p.paused_at.isoformat(),
                         "resumed_at": p.resumed_at.isoformat() if p.resumed_at else None}
                        for p in deadline.pauses]
    mediation.extension_days = list(deadline.extension_days)
    due = deadline.due(now)
    mediation.due_at = None if deadline.is_paused else due.at
    mediation.due_calendar_provisional = due.provisional
    return due


def current_due(mediation: Mediation, now: datetime, calendar: HolidayCalendar | None) -> CalendarInstant:
    """The deadline of an accepted mediation as known now; while paused it moves with now, so it is
    computed, not stored."""
    if mediation.accepted_at is None:
        raise ValueError("a mediation that was never accepted has no deadline")
    return deadline_of(mediation, calendar).due(now)
