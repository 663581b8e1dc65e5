"""Filing cases of every stage in one batch: each gets its case.received once (timeline and outbox),
only the pre-filing ones take a platform number, the counter is counted per mode and category, and the
store numbers several courts' cases in one transaction without losing any."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import insert, select

from services.intake.actions.filing import Filing, new_case
from services.intake.store import cases as repo
from services.intake.store.models import Case, TimelineRow
from tests.support.platform import running
from tests.unit.intake.factories import body

CLERK = {"court_code": "370202"}
STAGES = ("pre_filing", "post_filing", "in_litigation", "direct", "pre_filing")


def _received(mode: str, category: str) -> float:
    return REGISTRY.get_sample_value("intake_cases_received_total", {"mode": mode, "category": category}) or 0.0


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
async def test_a_batch_of_every_stage_files_each_case_once_with_its_event(backend, pg_database, tmp_path):
    url = await pg_database("intake") if backend == "postgresql" else f"sqlite+aiosqlite:///{tmp_path}/intake.db"
    modes = Counter({"delegation": 2, "entrustment": 1, "invitation": 1, "self": 1})
    before = {mode: _received(mode, "property_service") for mode in modes}
    async with running({"intake": url}) as p:
        items = [{"idempotency_key": f"stage-{i}", "case": body(stage, external_ref=f"ST-{i}")}
                 for i, stage in enumerate(STAGES)]
        answer = await p.client.post("/v1/cases/batch", json={"items": items}, headers=p.auth("clerk", **CLERK))
        assert answer.status_code == 200, answer.text
        filed = [item["body"] for item in answer.json()["items"]]
        assert [item["status"] for item in answer.json()["items"]] == [201] * len(STAGES)
        rt = p.runtimes["intake"]
        async with rt.db.read() as session:
            stored = {row.id: row for row in (await session.scalars(select(Case))).all()}
            timeline = Counter((await session.scalars(select(TimelineRow.case_id)
                                                      .where(TimelineRow.type == "case.received"))).all())
            outbox = Counter((await session.execute(select(rt.tables.outbox.c.case_id)
                                                    .where(rt.tables.outbox.c.type == "case.received"))).scalars())
    ids = [case["id"] for case in filed]
    assert sorted(stored) == sorted(ids)
    assert timeline == outbox == Counter(ids)  # one case.received per case, numbered or not
    numbered = [stored[i].case_number for i, stage in zip(ids, STAGES, strict=True) if stage == "pre_filing"]
    assert [n[-2:] for n in numbered] == ["1号", "2号"]  # in the batch's order, no gap
    assert all(stored[i].case_number is None for i, stage in zip(ids, STAGES, strict=True) if stage != "pre_filing")
    assert {mode: _received(mode, "property_service") - before[mode] for mode in modes} == dict(modes)


async def test_the_store_numbers_each_courts_cases_in_one_transaction(pg_database):
    """number_cases takes several courts' counters in one transaction (in a fixed order, so two such
    transactions cannot deadlock): every court's cases are numbered from its own counter."""
    async with running({"intake": await pg_database("intake")}) as p:
        rt = p.runtimes["intake"]
        now = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
        courts = ("370203", "370202", "370203", "370202", "370203")
        cases = [new_case(Filing.of(f"k{i}", body(court_code=court, district=court, external_ref=f"N-{i}")),
                          created_by="test", now=now) for i, court in enumerate(courts)]
        async with rt.db.unit_of_work() as session:
            await session.execute(insert(Case), [case.row for case in cases])  # the rows numbering updates
            numbered = await repo.number_cases(session, rt.db, cases, 2026)
        by_court = {court: [case.row["case_number"] for case in numbered if case.row["court_code"] == court]
                    for court in set(courts)}
        assert by_court == {"370202": ["(2026)鲁0202民诉前调1号", "(2026)鲁0202民诉前调2号"],
                            "370203": ["(2026)鲁0203民诉前调1号", "(2026)鲁0203民诉前调2号",
                                       "(2026)鲁0203民诉前调3号"]}
        async with rt.db.read() as session:
            stored = dict((await session.execute(select(Case.id, Case.case_number))).all())
        assert stored == {case.id: case.row["case_number"] for case in numbered}
