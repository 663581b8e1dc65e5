"""The read model under concurrent events of one case: the statement that puts an event on the
timeline also locks the case row, so each transaction rebuilds the view from every event committed
before it, and none is lost (without the lock, concurrent rebuilds overwrite each other's view)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from services.intake.actions.read_model import record_event
from services.intake.store.models import Case
from shared.events import Envelope
from tests.integration.intake.test_intake_api import headers
from tests.support.cases import case_body
from tests.support.platform import running

UNKNOWN_CASE = "00000000-0000-0000-0000-000000000000"


async def test_concurrent_events_of_one_case_all_reach_the_view(pg_database):
    async with running({"intake": await pg_database("intake")}) as p:
        rt = p.runtimes["intake"]
        created = (await p.client.post("/v1/cases", json=case_body(), headers=headers(p, "c-1"))).json()
        case_id, filed_at = created["id"], datetime.fromisoformat(created["created_at"])
        declines = [Envelope.new("mediation.declined", case_id, "mediation", {"partner_id": f"P{10 + i}"},
                                 occurred_at=filed_at + timedelta(seconds=i + 1)) for i in range(20)]

        async def record_alone(envelope: Envelope) -> None:
            async with rt.db.unit_of_work() as session:
                assert await record_event(session, rt.db, envelope)
                await asyncio.sleep(0.01)  # hold the lock a moment, so the others queue behind it

        await asyncio.gather(*(record_alone(envelope) for envelope in declines))
        async with rt.db.unit_of_work() as session:
            assert await record_event(session, rt.db, declines[0])  # a redelivery: a known case, nothing added
            assert not await record_event(session, rt.db, Envelope.new("case.routed", UNKNOWN_CASE, "routing", {}))

        view = (await p.client.get(f"/v1/cases/{case_id}", headers=headers(p))).json()
        assert len(view["timeline"]) == 21  # case.received and the 20 declines, the redelivery once
        async with rt.db.read() as session:
            case = await session.get(Case, case_id)
        assert case is not None
        assert sorted(case.view["declined_partner_ids"]) == sorted(f"P{10 + i}" for i in range(20))
        assert case.updated_at == declines[-1].occurred_at
