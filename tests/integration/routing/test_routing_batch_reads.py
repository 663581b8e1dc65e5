"""A consumer batch of many cases reads the ruleset version in force and the roster revision once,
and still takes each partner's capacity case by case."""

from __future__ import annotations

import asyncio

from sqlalchemy import event as sa_event

from tests.integration.routing.helpers import decisions, open_cases, received, routing_service


async def test_one_batch_reads_version_and_revision_once_and_counts_capacity_per_case(pg_database):
    async with routing_service(pg_database) as p:
        answer = await p.client.patch("/v1/partners/P24", json={"capacity": 1}, headers=p.auth("ops"))
        assert answer.status_code == 200, answer.text
        cases = [received() for _ in range(4)]
        [subscription] = [s for s in p.bus.subscriptions if s.queue == "routing.events"]
        # Only the batch's own statements: the backlog sampler and the sweepers run beside it.
        handling = asyncio.current_task()
        reads: list[str] = []

        def seen(_conn, _cursor, statement, *_args) -> None:
            ours = asyncio.current_task() is handling
            if ours and ("FROM rulesets" in statement or "FROM roster_revision" in statement):
                reads.append(" ".join(statement.split()[:4]))

        engine = p.runtimes["routing"].events_db.engine.sync_engine
        sa_event.listen(engine, "before_cursor_execute", seen)
        try:
            assert await subscription.handler(cases) == [None] * len(cases)
        finally:
            sa_event.remove(engine, "before_cursor_execute", seen)

        assert sum("rulesets.version" in r for r in reads) == 1, reads
        assert sum("roster_revision" in r for r in reads) == 1, reads
        partners = [[r.partner_id for r in await decisions(p, case.case_id)] for case in cases]
        assert partners == [["P24"], ["P01"], ["P01"], ["P01"]]
        assert (await open_cases(p, "P24"), await open_cases(p, "P01")) == (1, 3)
