"""Routing's copy of the holiday table (`holiday_years`): every version of a year that arrived as
`calendar.year_loaded`. The calendar in force is what the code ships overlaid by it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.routing.store.models import HolidayYear
from shared.holidays import HolidayCalendar, YearArrangement, arrangement_fields, arrangement_of, calendar_over_shipped

_TABLE = HolidayYear.__table__


async def load_calendar(session: AsyncSession) -> HolidayCalendar:
    rows = (await session.scalars(select(HolidayYear))).all()
    return calendar_over_shipped(arrangement_of(r) for r in rows)


async def keep_version(session: AsyncSession, db, arrangement: YearArrangement, *, loaded_at: datetime,
                       received_at: datetime) -> bool:
    """Store the version unless held already (one year's version is one notice: the first copy
    stands); answers whether it was new."""
    insert = (db.insert(_TABLE).on_conflict_do_nothing(index_elements=["year", "version"])
              .values(**arrangement_fields(arrangement), loaded_at=loaded_at, received_at=received_at)
              .returning(_TABLE.c.year))
    return (await session.execute(insert)).first() is not None
