"""The columns of a holiday table row: one version of one year's arrangement (shared/holidays.py's
ARRANGEMENT_FIELDS) and when it was loaded. Mediation owns the table ops load; routing keeps a copy
fed by `calendar.year_loaded`. Each declares its own `holiday_years` model (its own database and
migrations) from these columns, so the row and `shared.holidays.arrangement_of` keep one shape."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import UTCDateTime


class HolidayYearColumns:
    """A declarative mixin: the model adds `__tablename__` and what only its service keeps."""

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    holidays: Mapped[list] = mapped_column(JSON)  # ISO dates, sorted
    make_up_working_days: Mapped[list] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(200))
    notice: Mapped[str | None] = mapped_column(String(200))
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when ops (or the seed) loaded it into mediation
