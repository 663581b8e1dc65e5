"""Mediation's backlog gauges (shared/backlog.py): open cases by status, cases past a deadline the
sweepers have not moved yet, and how far ahead the holiday calendar knows the published arrangement
(`courtmed_calendar_covered_until_days`: windows beyond it are provisional)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import and_, func, select

from services.mediation.domain.states import CLOCK_RUNNING, ENDED, MediationStatus
from services.mediation.metrics import CASES_OPEN, CASES_OVERDUE
from services.mediation.store.models import Mediation
from shared.backlog import Sample
from shared.clock import beijing_date
from shared.db import Database
from shared.holidays import HolidayCalendar
from shared.metrics import CALENDAR_COVERED_DAYS

# Open: still at the partner and not ended (an ended case waits for its hand-off, not for mediation).
OPEN = tuple(s.value for s in MediationStatus
             if s not in ENDED and s not in {MediationStatus.DECLINED, MediationStatus.HANDED_OFF,
                                             MediationStatus.CLOSED})
_RUNNING = [s.value for s in CLOCK_RUNNING]


def covered_until(calendar: HolidayCalendar, today: date) -> date:
    """The last day of the last year known by its published arrangement, counting from this year
    without a gap (the day before 1 January of this year when this year itself is provisional)."""
    year = today.year
    while not calendar.arrangement(year).provisional:
        year += 1
    return date(year - 1, 12, 31)


def covered_days(calendar: HolidayCalendar, now: datetime) -> int:
    today = beijing_date(now)
    return (covered_until(calendar, today) - today).days


def mediation_samples(db: Database, now: Callable[[], datetime],
                      calendar: Callable[[], HolidayCalendar]) -> list[Sample]:
    async def cases() -> None:
        moment = now()
        overdue = {
            "offer": and_(Mediation.status == MediationStatus.OFFERED.value, Mediation.offer_closes_at <= moment),
            "period": and_(Mediation.status.in_(_RUNNING), Mediation.due_at <= moment),
            "first_contact": and_(Mediation.status.in_(_RUNNING), Mediation.contacted_at.is_(None),
                                  Mediation.contact_due_at <= moment),
        }
        async with db.read() as session:
            by_status = dict((await session.execute(
                select(Mediation.status, func.count()).where(Mediation.status.in_(OPEN))
                .group_by(Mediation.status))).all())
            late = {name: (await session.execute(select(func.count()).select_from(Mediation).where(where)))
                    .scalar_one() for name, where in overdue.items()}
        for status in OPEN:
            CASES_OPEN.labels(status=status).set(by_status.get(status, 0))
        for name, count in late.items():
            CASES_OVERDUE.labels(deadline=name).set(count)

    async def calendar_coverage() -> None:
        CALENDAR_COVERED_DAYS.labels(service="mediation").set(covered_days(calendar(), now()))

    return [cases, calendar_coverage]
