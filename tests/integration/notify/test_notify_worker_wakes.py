"""A commit wakes the workers it gave work, and only those (services/notify/store/queued.py): with
the workers' poll set to a minute, a routed case's webhook and notices still go at once, while the
hand-off worker, which got nothing, is never woken; a worker recording its pass wakes itself only."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

from services.notify.store.models import Delivery, Notice
from tests.integration.notify.support import (
    FAST,
    PartnerReceiver,
    received_event,
    routed_event,
    rows,
    serve,
    wait_until,
)
from tests.support.platform import running

SLOW_POLL = {**FAST, "worker_poll_seconds": 60.0}


async def test_a_commit_wakes_only_the_workers_it_gave_work(pg_database):
    receiver = PartnerReceiver()
    async with serve(receiver.app()) as base, running({"notify": await pg_database("notify")},
                                                      settings={"notify": SLOW_POLL}) as p:
        rt = p.runtimes["notify"]
        created = await p.client.post("/v1/webhook-endpoints", headers=p.auth("partner", partner_id="P12"),
                                      json={"url": f"{base}/hooks", "event_types": ["case.routed"]})
        assert created.status_code == 201, created.text
        await asyncio.sleep(0.2)  # the workers' first passes (at start) are over
        woken: Counter[str] = Counter()
        for worker in (rt.webhooks, rt.handoffs, rt.notices):
            wake = worker.wake

            def counted(name=worker.name, wake=wake) -> None:
                woken[name] += 1
                wake()
            worker.wake = counted

        case_id = str(uuid.uuid4())
        now = rt.clock.now()
        await p.bus.publish(received_event(case_id, now, email="zhangsan@example.com"))
        await p.bus.publish(routed_event(case_id, now))

        async def sent() -> bool:
            delivered = await rows(rt, Delivery, Delivery.status == "succeeded")
            notices = await rows(rt, Notice, Notice.case_id == case_id, Notice.status != "pending")
            return len(delivered) == 1 and len(notices) >= 1

        await wait_until(sent, timeout=10, what="the webhook and the notices, long before the next poll")
        assert [r.status for r in receiver.requests] == [200]
        assert woken["webhooks"] >= 1 and woken["notices"] >= 1
        assert woken["handoffs"] == 0  # nothing was queued for it
