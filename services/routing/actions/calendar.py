"""The holiday calendar the parties' joint-choice window (2021 Art 10) is counted on: what the code
ships, overlaid by routing's copy of the years ops load into mediation (`calendar.year_loaded`).

A version arrives once (the inbox) and is kept; when it is the newest of its year, every open window
that reached a provisional year is counted again on it, in the same transaction, and this process
swaps its calendar in after commit (Runtime.calendar_committed). Other replicas read the table at
their next refresh; one whose calendar changed counts again the windows it opened on the calendar
it held (they may have committed after the recount had looked)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.routing.actions.decide import SOURCE
from services.routing.domain import choice
from services.routing.store import holidays as store
from services.routing.store.models import RoutedCase
from shared.events import Envelope
from shared.holidays import HolidayCalendar, YearArrangement
from shared.logging import get_logger
from shared.polling import refresh_forever

log = get_logger("routing.calendar")

# session.info: the calendar a transaction counts on from the moment it received a year; the
# process takes it after commit
CALENDAR_IN_FORCE = "routing.calendar"


def calendar_of(session: AsyncSession, rt) -> HolidayCalendar:
    """The calendar to count on in this transaction: the one a year received earlier in it brought
    (a consumer's batch), else the process's."""
    return session.info.get(CALENDAR_IN_FORCE) or rt.calendar


async def year_loaded(session: AsyncSession, rt, arrangement: YearArrangement, loaded_at: datetime) -> int:
    """Keep the version; if it is now its year's newest, count the provisional windows again on it.
    Answers how many windows changed."""
    now = rt.clock.now()
    if not await store.keep_version(session, rt.db, arrangement, loaded_at=loaded_at, received_at=now):
        return 0
    calendar = await store.load_calendar(session)
    session.info[CALENDAR_IN_FORCE] = calendar
    in_force = calendar.arrangement(arrangement.year).version
    if in_force != arrangement.version:
        log.info("holiday year kept; a newer version is in force", year=arrangement.year,
                 version=arrangement.version, in_force=in_force)
        return 0
    changed = await recompute_provisional(session, rt, calendar, now)
    log.info("holiday year received", year=arrangement.year, version=arrangement.version,
             notice=arrangement.notice, recomputed=changed)
    return changed


async def recompute_provisional(session: AsyncSession, rt, calendar: HolidayCalendar, now: datetime) -> int:
    """Every open window counted on a provisional year, counted again on `calendar`; answers how many
    changed. Each changed window emits `case.choice_window_opened` again (`recomputed`, `opened_at`),
    so the clerk's timeline and the webhooks show it as it is now. A window that now closes before
    `now` is the sweeper's as usual."""
    rows = (await session.scalars(select(RoutedCase).where(RoutedCase.choice_calendar_provisional.is_(True))
                                  .order_by(RoutedCase.case_id).with_for_update())).all()
    changed = 0
    for routed in rows:
        if routed.attempt > 0 or routed.closed or routed.choice_closes_at is None:
            routed.choice_calendar_provisional = False  # decided or ended: the window is history
            continue
        _, rules = await rt.rulesets.read(session, routed.ruleset_version)
        # the window opened when routing received the case (actions/route_case.py)
        window = choice.window(routed.received_at, rules, calendar)
        if window.closes_at == routed.choice_closes_at and window.calendar_provisional:
            continue
        routed.choice_closes_at = window.closes_at
        routed.choice_calendar_provisional = window.calendar_provisional
        data = choice.window_data(window, policy_pack=routed.policy_pack, ruleset_version=routed.ruleset_version)
        await rt.outbox.add(session, Envelope.new("case.choice_window_opened", routed.case_id, SOURCE, {
            **data, "opened_at": routed.received_at.isoformat(), "recomputed": True}, occurred_at=now))
        changed += 1
    return changed


async def refresh_calendar(rt) -> int:
    """The table read again (a year another replica received); answers how many windows changed."""
    async with rt.db.read() as session:
        calendar = await store.load_calendar(session)
    if calendar == rt.calendar:
        return 0
    async with rt.db.unit_of_work() as session:
        session.info[CALENDAR_IN_FORCE] = calendar
        changed = await recompute_provisional(session, rt, calendar, rt.clock.now())
    if changed:
        log.info("holiday calendar refreshed; windows counted again", recomputed=changed)
    return changed


async def calendar_refresh_loop(rt) -> None:
    await refresh_forever(lambda: refresh_calendar(rt), poll_seconds=rt.settings.choice_sweep_seconds,
                          name="routing.calendar_refresh", shutdown=rt.shutdown)
