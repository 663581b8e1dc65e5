"""The holiday table (`holiday_years`): every version of every year ops or the seed loaded.

The calendar in force is what the code ships, overlaid by the newest version of each year here."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.store.models import HolidayYear
from shared.holidays import (
    HolidayCalendar,
    YearArrangement,
    arrangement_fields,
    arrangement_of,
    calendar_over_shipped,
    shipped_arrangements,
)


async def load_calendar(session: AsyncSession) -> HolidayCalendar:
    rows = (await session.scalars(select(HolidayYear))).all()
    return calendar_over_shipped(arrangement_of(r) for r in rows)


async def versions_of(session: AsyncSession, year: int) -> list[HolidayYear]:
    return list((await session.scalars(select(HolidayYear).where(HolidayYear.year == year)
                                       .order_by(HolidayYear.version))).all())


async def latest_version(session: AsyncSession, year: int) -> int:
    return await session.scalar(select(func.max(HolidayYear.version)).where(HolidayYear.year == year)) or 0


def add_version(session: AsyncSession, arrangement: YearArrangement, *, loaded_at: datetime,
                loaded_by: str) -> HolidayYear:
    row = HolidayYear(**arrangement_fields(arrangement), loaded_at=loaded_at, loaded_by=loaded_by)
    session.add(row)
    return row


async def seed_shipped(session: AsyncSession, now: datetime) -> int:
    """Write every shipped year the table does not hold yet as its version 1; answers how many."""
    held = set((await session.scalars(select(HolidayYear.year).distinct())).all())
    added = 0
    for arrangement in shipped_arrangements():
        if arrangement.year in held:
            continue
        add_version(session, replace(arrangement, version=1), loaded_at=now, loaded_by="seed")
        added += 1
    return added
