"""Beijing dates on the real PostgreSQL: a case filed at 2027-01-01 00:30 Asia/Shanghai (still
2026 in UTC) is the court's first case of 2027, not the next of 2026."""

from __future__ import annotations

from datetime import datetime

from shared.clock import ManualClock
from tests.support.cases import case_body
from tests.support.platform import running


async def test_a_case_filed_at_2027_01_01_00_30_beijing_is_numbered_2027_1(pg_database):
    clock = ManualClock(datetime.fromisoformat("2026-12-31T23:50:00+08:00"))
    async with running({"intake": await pg_database("intake")}, clock=clock) as p:
        auth = p.auth("clerk", court_code="370202")
        last_of_2026 = await p.client.post("/v1/cases", json=case_body(external_ref="SN-2026-LAST"),
                                           headers={**auth, "Idempotency-Key": "last-2026"})
        assert last_of_2026.status_code == 201, last_of_2026.text
        assert last_of_2026.json()["case_number"] == "(2026)鲁0202民诉前调1号"

        clock.set(datetime.fromisoformat("2026-12-31T16:30:00+00:00"))  # 2027-01-01 00:30 in Beijing
        first_of_2027 = await p.client.post("/v1/cases", json=case_body(external_ref="SN-2027-FIRST"),
                                            headers={**auth, "Idempotency-Key": "first-2027"})
        assert first_of_2027.status_code == 201, first_of_2027.text
        assert first_of_2027.json()["case_number"] == "(2027)鲁0202民诉前调1号"
        # the time stays an instant with its offset
        created = datetime.fromisoformat(first_of_2027.json()["created_at"])
        assert created.utcoffset() is not None and created == clock.now()
        await p.settle()
