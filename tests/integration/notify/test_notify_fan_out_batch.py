"""A consumer batch of many events reads the enabled webhook endpoints once, and still gives each
event only to the endpoints its case concerns (a partner never hears of another partner's case)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import event as sa_event

from services.notify.store.models import Delivery, WebhookEndpoint
from tests.integration.notify.support import FAST, PartnerReceiver, received_event, routed_event, rows, serve
from tests.support.platform import running


async def test_one_batch_reads_the_endpoints_once_and_fans_out_by_case(pg_database):
    receiver = PartnerReceiver()
    async with serve(receiver.app()) as base, running({"notify": await pg_database("notify")},
                                                      settings={"notify": FAST}) as p:
        rt = p.runtimes["notify"]
        for partner in ("P12", "P24"):
            created = await p.client.post("/v1/webhook-endpoints", headers=p.auth("partner", partner_id=partner),
                                          json={"url": f"{base}/hooks/{partner}", "event_types": ["case.routed"]})
            assert created.status_code == 201, created.text
        endpoint_of = {e.partner_id: e.id for e in await rows(rt, WebhookEndpoint)}
        now = rt.clock.now()
        partners = ["P12", "P24", "P12", "P24", "P12"]
        cases = [str(uuid.uuid4()) for _ in partners]
        batch = [received_event(case_id, now) for case_id in cases]
        batch += [routed_event(case_id, now + timedelta(seconds=1), partner_id=partner)
                  for case_id, partner in zip(cases, partners, strict=True)]
        [subscription] = [s for s in p.bus.subscriptions if s.queue == "notify.events"]

        # Only the batch's own statements: the backlog sampler and the sweepers run beside it.
        handling = asyncio.current_task()
        reads: list[str] = []

        def seen(_conn, _cursor, statement, *_args) -> None:
            ours = asyncio.current_task() is handling
            if ours and statement.lstrip().upper().startswith("SELECT") and "FROM webhook_endpoints" in statement:
                reads.append(statement)

        engine = rt.events_db.engine.sync_engine
        sa_event.listen(engine, "before_cursor_execute", seen)
        try:
            assert await subscription.handler(batch) == [None] * len(batch)
        finally:
            sa_event.remove(engine, "before_cursor_execute", seen)

        assert len(reads) == 1
        deliveries = await rows(rt, Delivery)
        assert sorted((d.case_id, d.endpoint_id) for d in deliveries) == sorted(
            (case_id, endpoint_of[partner]) for case_id, partner in zip(cases, partners, strict=True))
