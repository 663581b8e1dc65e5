"""A partner that fails for a while, and notify stopped and started again mid-retry, on PostgreSQL and
RabbitMQ: every event arrives, each webhook-id once among the successes, in order per case."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import timedelta

from services.notify.store.models import Delivery
from shared.clock import ManualClock
from tests.integration.notify.support import (FAST, START, PartnerReceiver, event, received_event, routed_event,
                                              rows, serve, wait_until)
from tests.support.infra import amqp_url
from tests.support.platform import running

TYPES = ["case.routed", "mediation.accepted", "mediation.session_scheduled", "mediation.settled"]


def case_events(case_id: str, offset: timedelta):
    at = START + offset
    return [
        received_event(case_id, at),
        routed_event(case_id, at + timedelta(seconds=1)),
        event("mediation.accepted", case_id, {"partner_id": "P12", "deadline": "2026-04-01"}, at + timedelta(seconds=2)),
        event("mediation.session_scheduled", case_id, {"scheduled_at": "2026-03-10T09:30:00+08:00", "online": True},
              at + timedelta(seconds=3)),
        event("mediation.settled", case_id, {"partner_id": "P12", "agreement": {"terms": "付清物业费"}},
              at + timedelta(seconds=4)),
    ]


async def test_failing_partner_and_a_restart_lose_nothing(pg_database, rabbit_vhost):
    database = {"notify": await pg_database("notify")}
    bus_url = amqp_url(rabbit_vhost)
    clock = ManualClock(START)
    # Six failures: the first attempt of each case's first event, then their first retry.
    receiver = PartnerReceiver(failures=6)
    cases = [str(uuid.uuid4()) for _ in range(3)]
    async with serve(receiver.app()) as base:
        async with running(database, bus_url=bus_url, clock=clock, settings={"notify": FAST}) as p:
            rt = p.runtimes["notify"]
            endpoint = (await p.client.post("/v1/webhook-endpoints", headers=p.auth("partner", partner_id="P12"),
                                            json={"url": f"{base}/hooks", "event_types": TYPES})).json()
            # RabbitMQ hands events to the consumer concurrently; each case's first event goes ahead
            # so that the rest line up behind it, as events spread over days would.
            events = [case_events(case_id, timedelta(minutes=n)) for n, case_id in enumerate(cases)]
            for case in events:
                for envelope in case[:2]:
                    await p.bus.publish(envelope)
            await wait_until(lambda: _count(rt, 3), what="first deliveries queued")
            for case in events:
                for envelope in case[2:]:
                    await p.bus.publish(envelope)
            await wait_until(lambda: _count(rt, 12), what="all deliveries queued")
            await wait_until(lambda: _failures(receiver, 3), what="first attempts")
            clock.advance(timedelta(seconds=6))
            await wait_until(lambda: _failures(receiver, 6), what="first retries")
            # Later events of each case wait behind the failing first one.
            assert len(receiver.requests) == 6
        # Stopped mid-retry: the retry schedule is in the database only.
        clock.advance(timedelta(minutes=6))
        async with running(database, bus_url=bus_url, clock=clock, settings={"notify": FAST}) as p:
            rt = p.runtimes["notify"]
            await wait_until(lambda: _succeeded(rt, 12), timeout=20, what="every delivery after the restart")
            # A redelivered event (the very envelope, same event id) takes no second effect; a new
            # event published with it does (the positive control: the consumer did run meanwhile).
            await p.bus.publish(events[0][1])
            control = routed_event(str(uuid.uuid4()), clock.now())
            await p.bus.publish(control)
            await p.settle()
            await wait_until(lambda: _succeeded(rt, 13), timeout=20, what="the control's delivery")
            listed = (await p.client.get(f"/v1/deliveries?endpoint_id={endpoint['id']}&limit=200",
                                         headers=p.auth("partner", partner_id="P12"))).json()

    assert len(listed["items"]) == 13 and {d["status"] for d in listed["items"]} == {"succeeded"}
    assert sum(json.loads(r.body)["data"]["case_id"] == control.case_id for r in receiver.successes) == 1
    successes = receiver.successes
    ids = Counter(r.headers["webhook-id"] for r in successes)
    assert len(ids) == 13 and set(ids.values()) == {1}
    for case_id in cases:
        seen = [json.loads(r.body)["type"] for r in successes if json.loads(r.body)["data"]["case_id"] == case_id]
        assert seen == TYPES


async def _count(rt, n: int) -> bool:
    return len(await rows(rt, Delivery)) == n


async def _succeeded(rt, n: int) -> bool:
    return len(await rows(rt, Delivery, Delivery.status == "succeeded")) == n


async def _failures(receiver: PartnerReceiver, n: int) -> bool:
    return sum(r.status == 500 for r in receiver.requests) >= n
