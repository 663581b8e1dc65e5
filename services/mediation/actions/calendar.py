"""Loading a year's holiday arrangement (ops), and what follows from it: every window and deadline
that was provisional is computed again on the calendar with that year, in the same transaction.

The service's calendar (`Runtime.calendar`) is what the code ships overlaid by the table; the
process that took the request swaps it in after commit, every other replica at its next refresh
(`refresh_calendar`, once a sweep interval). The load also goes out as `calendar.year_loaded`, in
the same transaction: routing keeps its own copy for the parties' joint-choice window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.actions.clock import deadline_of, store_deadline
from services.mediation.actions.core import SOURCE, Actor, case_facts, rfc3339
from services.mediation.domain.calendar import HolidayCalendar
from services.mediation.domain.confirmation import confirmation_window
from services.mediation.domain.holiday_year import checked_arrangement
from services.mediation.domain.offer import first_contact_window, offer_window
from services.mediation.domain.states import MediationStatus
from services.mediation.metrics import CALENDAR_RECOMPUTED
from services.mediation.store import holidays as store
from services.mediation.store.models import HolidayYear, Mediation
from shared.events import Envelope, calendar_key
from shared.holidays import arrangement_fields
from shared.logging import get_logger
from shared.polling import refresh_forever

log = get_logger("mediation.calendar")

_CLOCK_HELD = {MediationStatus.ACCEPTED.value, MediationStatus.IN_MEDIATION.value, MediationStatus.PAUSED.value}


class VersionConflict(Exception):
    def __init__(self, current: int) -> None:
        super().__init__(f"version {current} is in force")
        self.current = current


@dataclass(frozen=True)
class Loaded:
    row: HolidayYear
    calendar: HolidayCalendar
    recomputed: int


async def load_year(session: AsyncSession, rt, actor: Actor, *, year: int, holidays: list[date],
                    make_up_working_days: list[date], notice: str | None, expected_version: int | None) -> Loaded:
    """Store the year as its next version (InvalidArrangement, VersionConflict say why not) and
    recompute what rested on the provisional calendar."""
    current = await store.latest_version(session, year)
    if expected_version is not None and expected_version != current:
        raise VersionConflict(current)
    arrangement = checked_arrangement(year, holidays, make_up_working_days, notice=notice, version=current + 1)
    now = rt.clock.now()
    row = store.add_version(session, arrangement, loaded_at=now, loaded_by=actor.actor_id or actor.role.value)
    calendar = rt.calendar.with_year(arrangement)
    recomputed = await recompute_provisional(session, rt, calendar, now)
    # Routing counts the joint-choice window (2021 Art 10) on the same calendar, from its own copy.
    await rt.outbox.add(session, Envelope.new("calendar.year_loaded", calendar_key(year), SOURCE,
                                              arrangement_fields(arrangement), occurred_at=now))
    log.info("holiday year loaded", year=year, version=row.version, notice=notice, by=row.loaded_by,
             recomputed=recomputed)
    return Loaded(row=row, calendar=calendar, recomputed=recomputed)


async def recompute_provisional(session: AsyncSession, rt, calendar: HolidayCalendar, now: datetime) -> int:
    """Every open window or deadline computed on a provisional year, computed again on `calendar`;
    answers how many cases changed. A window that now closes before `now` is the sweepers' as usual.
    Each changed case emits `mediation.calendar_recomputed` with its windows as they are now, so the
    clerk's view and the parties' "deadline near" notice follow."""
    rows = (await session.scalars(select(Mediation).where(or_(
        Mediation.offer_calendar_provisional.is_(True), Mediation.contact_calendar_provisional.is_(True),
        Mediation.due_calendar_provisional.is_(True), Mediation.confirmation_calendar_provisional.is_(True)))
        .order_by(Mediation.case_id).with_for_update())).all()
    changed = 0
    for mediation in rows:
        before = _clock_of(mediation)
        _recompute(mediation, calendar, now)
        if _clock_of(mediation) != before:
            mediation.updated_at = now
            changed += 1
            await rt.outbox.add(session, Envelope.new("mediation.calendar_recomputed", mediation.case_id, SOURCE,
                                                      {**case_facts(mediation), **_windows(mediation)},
                                                      occurred_at=now))
    CALENDAR_RECOMPUTED.inc(changed)
    return changed


def _windows(m: Mediation) -> dict:
    return {"offer_closes_at": rfc3339(m.offer_closes_at) if m.status == MediationStatus.OFFERED.value else None,
            "contact_due_at": rfc3339(m.contact_due_at) if m.contacted_at is None else None,
            "deadline": rfc3339(m.due_at), "judicial_confirmation_due_at": rfc3339(m.confirmation_due_at),
            "calendar_provisional": any((m.offer_calendar_provisional, m.contact_calendar_provisional,
                                         m.due_calendar_provisional, m.confirmation_calendar_provisional))}


def _clock_of(m: Mediation) -> tuple:
    return (m.offer_closes_at, m.offer_calendar_provisional, m.contact_due_at, m.contact_calendar_provisional,
            m.due_at, m.due_calendar_provisional, m.confirmation_due_at, m.confirmation_calendar_provisional)


def _recompute(mediation: Mediation, calendar: HolidayCalendar, now: datetime) -> None:
    # a window already answered is history: its flag no longer says anything about what is open
    if mediation.offer_calendar_provisional:
        if mediation.status == MediationStatus.OFFERED.value:
            window = offer_window(mediation.offered_at, calendar)
            mediation.offer_closes_at = window.closes_at
            mediation.offer_calendar_provisional = window.calendar_provisional
        else:
            mediation.offer_calendar_provisional = False
    if mediation.contact_calendar_provisional:
        if mediation.accepted_at is not None and mediation.contacted_at is None and mediation.status in _CLOCK_HELD:
            window = first_contact_window(mediation.accepted_at, calendar)
            mediation.contact_due_at = window.closes_at
            mediation.contact_calendar_provisional = window.calendar_provisional
        else:
            mediation.contact_calendar_provisional = False
    if mediation.due_calendar_provisional and mediation.accepted_at is not None and mediation.status in _CLOCK_HELD:
        store_deadline(mediation, deadline_of(mediation, calendar), now)
    if (mediation.confirmation_calendar_provisional and mediation.confirmation_due_at is not None
            and mediation.outcome_at is not None):
        due = confirmation_window(mediation.outcome_at, calendar)
        mediation.confirmation_due_at = due.at
        mediation.confirmation_calendar_provisional = due.provisional


async def refresh_calendar(rt) -> int:
    """The calendar in force read again from the table (a year another replica loaded). A replica
    whose calendar changed may have opened windows on the old one after the load's own recount, so
    what is still provisional is counted again; answers how many cases changed."""
    async with rt.db.read() as session:
        calendar = await store.load_calendar(session)
    if calendar == rt.calendar:
        return 0
    async with rt.db.unit_of_work() as session:
        changed = await recompute_provisional(session, rt, calendar, rt.clock.now())
    rt.calendar = calendar
    if changed:
        log.info("holiday calendar refreshed; windows counted again", recomputed=changed)
    return changed


async def calendar_refresh_loop(rt) -> None:
    await refresh_forever(lambda: refresh_calendar(rt), poll_seconds=rt.settings.sweep_interval_seconds,
                          name="mediation.calendar_refresh", shutdown=rt.shutdown)

