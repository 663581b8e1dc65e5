"""Filing transactions take turns: at most `INTAKE_FILING_CONCURRENCY` are open at once in a process,
however many requests arrive together, and every request is still answered and numbered without gaps."""

from __future__ import annotations

import asyncio

from sqlalchemy import event

from services.intake.domain.case_number import parse_case_number
from tests.integration.intake.test_intake_api import headers
from tests.support.cases import case_body
from tests.support.platform import running


async def _most_open_at_once(p, requests: int) -> tuple[int, list[dict]]:
    engine = p.runtimes["intake"].db.engine.sync_engine
    open_now, most = 0, 0

    def began(_conn) -> None:
        nonlocal open_now, most
        open_now += 1
        most = max(most, open_now)

    def ended(_conn) -> None:
        nonlocal open_now
        open_now -= 1

    event.listen(engine, "begin", began)
    event.listen(engine, "commit", ended)
    event.listen(engine, "rollback", ended)
    try:
        answers = await asyncio.gather(*(
            p.client.post("/v1/cases", json=case_body(stage="pre_filing"), headers=headers(p, f"turn-{i}"))
            for i in range(requests)))
    finally:
        event.remove(engine, "begin", began)
        event.remove(engine, "commit", ended)
        event.remove(engine, "rollback", ended)
    assert [a.status_code for a in answers] == [201] * requests
    return most, [a.json() for a in answers]


async def test_filings_take_turns(pg_database):
    async with running({"intake": await pg_database("intake")},
                       settings={"intake": {"filing_concurrency": 2}}) as p:
        most, filed = await _most_open_at_once(p, 24)
    assert most == 2
    numbers = sorted(parse_case_number(case["case_number"]).sequence for case in filed)
    assert numbers == list(range(numbers[0], numbers[0] + 24))  # gapless, one court


async def test_without_turns_the_pool_holds_them_all_open(pg_database):
    # What the gate prevents: the same burst, the gate as wide as the pool.
    async with running({"intake": await pg_database("intake")},
                       settings={"intake": {"filing_concurrency": 64}}) as p:
        most, _ = await _most_open_at_once(p, 24)
    assert most > 2
