"""Years ops loaded before routing kept its own copy of the holiday table reach it: the migration
puts the newest version of each ops-loaded year in mediation's outbox once (shipped years, which the
seed loaded, routing has in its code)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from services.mediation.store.models import MESSAGING, HolidayYear
from shared.db import Database
from shared.migrations import upgrade

BEFORE = "f2c8a1d7e390"
AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def _year(year: int, version: int, loaded_by: str, *, provisional: bool = False) -> dict:
    return {"year": year, "version": version, "holidays": [f"{year}-01-01"], "make_up_working_days": [],
            "source": "test", "notice": None if provisional else f"国办发明电〔{year - 1}〕1号",
            "provisional": provisional, "loaded_at": AT, "loaded_by": loaded_by}


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
async def test_years_loaded_by_ops_before_the_event_existed_go_out_once(backend, pg_database, tmp_path):
    url = await pg_database("mediation") if backend == "postgresql" else f"sqlite+aiosqlite:///{tmp_path}/m.db"
    await asyncio.to_thread(upgrade, "mediation", url, BEFORE)
    db = Database(url)
    try:
        async with db.unit_of_work() as session:
            await session.execute(insert(HolidayYear), [
                _year(2026, 1, "seed"),  # shipped: routing has it
                _year(2027, 1, "seed", provisional=True), _year(2027, 2, "ops:alice"), _year(2027, 3, "ops:bob"),
                _year(2028, 1, "ops:alice")])
        await asyncio.to_thread(upgrade, "mediation", url)
        async with db.read() as session:
            rows = (await session.execute(select(MESSAGING.outbox.c.type, MESSAGING.outbox.c.case_id,
                                                 MESSAGING.outbox.c.payload)
                                          .order_by(MESSAGING.outbox.c.id))).all()
    finally:
        await db.dispose()
    assert [(r.type, r.case_id) for r in rows] == [("calendar.year_loaded", "calendar-2027"),
                                                   ("calendar.year_loaded", "calendar-2028")]
    sent = json.loads(rows[0].payload)["data"]
    assert (sent["year"], sent["version"], sent["provisional"]) == (2027, 3, False)
    assert sent["notice"] == "国办发明电〔2026〕1号"
    assert sent["holidays"] == ["2027-01-01"]
