"""Webhook endpoints and signed deliveries through the notify runtime, on PostgreSQL."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from services.notify.store.models import Delivery
from shared.clock import ManualClock
from tests.integration.notify.support import (FAST, START, PartnerReceiver, received_event, routed_event, rows,
                                              serve, event, wait_until)
from tests.support.platform import running

ALL_TYPES = ["case.received", "case.routed", "mediation.accepted", "mediation.session_scheduled",
             "mediation.settled", "handoff.sent", "handoff.acknowledged"]


async def _deliveries_done(rt, count: int) -> bool:
    done = await rows(rt, Delivery, Delivery.status.in_(("succeeded", "failed", "dead")))
    return len(done) >= count


async def test_every_delivery_verifies_and_tampering_fails(pg_database):
    receiver = PartnerReceiver()
    async with serve(receiver.app()) as base, running({"notify": await pg_database("notify")},
                                                      settings={"notify": FAST}) as p:
        rt = p.runtimes["notify"]
        created = await p.client.post("/v1/webhook-endpoints", headers=p.auth("partner", partner_id="P12"),
                                      json={"url": f"{base}/hooks", "event_types": ALL_TYPES})
        assert created.status_code == 201, created.text
        endpoint = created.json()
        assert endpoint["secret"].startswith("whsec_") and endpoint["partner_id"] == "P12"
        listed = await p.client.get("/v1/webhook-endpoints", headers=p.auth("partner", partner_id="P12"))
        assert "secret" not in listed.json()["items"][0]

        case_id, other_case = str(uuid.uuid4()), str(uuid.uuid4())
        now = rt.clock.now()
        for envelope in (received_event(case_id, now), routed_event(case_id, now + timedelta(seconds=1)),
                         event("mediation.accepted", case_id, {"partner_id": "P12"}, now + timedelta(seconds=2)),
                         # Another partner's case: P12 must not hear of it.
                         received_event(other_case, now), routed_event(other_case, now, partner_id="P24")):
            await p.bus.publish(envelope)
        await wait_until(lambda: _deliveries_done(rt, 2), what="deliveries")

        rotated = await p.client.post(f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret",
                                      headers=p.auth("partner", partner_id="P12"))
        assert rotated.status_code == 200 and rotated.json()["secret"] != endpoint["secret"]
        await p.bus.publish(event("mediation.session_scheduled", case_id,
                                  {"scheduled_at": "2026-03-10T09:30:00+08:00", "location": "市南区调解中心"},
                                  now + timedelta(seconds=3)))
        await wait_until(lambda: _deliveries_done(rt, 3), what="delivery after rotation")

    assert [r.status for r in receiver.requests] == [200, 200, 200]
    bodies = [json.loads(r.body) for r in receiver.requests]
    assert [b["type"] for b in bodies] == ["case.routed", "mediation.accepted", "mediation.session_scheduled"]
    assert all(b["data"]["case_id"] == case_id for b in bodies)
    assert "timestamp" in bodies[0] and bodies[0]["data"]["partner_id"] == "P12"
    for request in receiver.requests[:2]:
        assert Webhook(endpoint["secret"]).verify(request.body, request.headers)
        tampered = request.body.replace("P12", "P13")
        with pytest.raises(WebhookVerificationError):
            Webhook(endpoint["secret"]).verify(tampered, request.headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(endpoint["secret"]).verify(request.body, {**request.headers, "webhook-id": "msg_forged"})
    # During the rotation overlap both the new and the old secret verify.
    last = receiver.requests[2]
    assert len(last.headers["webhook-signature"].split(" ")) == 2
    assert Webhook(rotated.json()["secret"]).verify(last.body, last.headers)
    assert Webhook(endpoint["secret"]).verify(last.body, last.headers)


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://10.0.0.1/", "http://169.254.169.254/"])
async def test_internal_urls_refused_when_private_webhooks_are_off(sqlite_urls, url):
    settings = {"notify": {**FAST, "allow_private_webhooks": False}}
    async with running({"notify": sqlite_urls["notify"]}, settings=settings) as p:
        answer = await p.client.post("/v1/webhook-endpoints", headers=p.auth("ops"),
                                     json={"url": url, "event_types": ["case.routed"]})
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in answer.json()["errors"]] == ["url"]
        public = await p.client.post("/v1/webhook-endpoints", headers=p.auth("ops"),
                                     json={"url": "https://93.184.215.14/hooks", "event_types": ["case.routed"]})
        assert public.status_code == 201, public.text


async def test_delivery_rechecks_the_url_and_410_disables(pg_database):
    receiver = PartnerReceiver()
    clock = ManualClock(START)
    async with serve(receiver.app()) as base, running({"notify": await pg_database("notify")}, clock=clock,
                                                      settings={"notify": FAST}) as p:
        rt = p.runtimes["notify"]
        ops = p.auth("ops")
        endpoint = (await p.client.post("/v1/webhook-endpoints", headers=ops,
                                        json={"url": f"{base}/hooks", "event_types": ["case.routed"]})).json()
        # Development allowed the loopback URL at registration; production settings refuse it at delivery.
        rt.settings.allow_private_webhooks = False
        case_id = str(uuid.uuid4())
        await p.bus.publish(routed_event(case_id, START))
        await wait_until(lambda: _attempted(rt), what="refused attempt")
        [delivery] = (await p.client.get("/v1/deliveries", headers=ops)).json()["items"]
        assert delivery["status"] == "pending" and delivery["last_error"].startswith("refused: 127.0.0.1")
        assert receiver.requests == []

        # Back on; a partner gone for good answers 410, and the endpoint is switched off with the reason.
        rt.settings.allow_private_webhooks = True
        gone = PartnerReceiver()
        async with serve(_gone_app()) as gone_base:
            other = (await p.client.post("/v1/webhook-endpoints", headers=ops,
                                         json={"url": f"{gone_base}/hooks", "event_types": ["case.routed"]})).json()
            await p.bus.publish(routed_event(str(uuid.uuid4()), START))
            await wait_until(lambda: _endpoint_disabled(p, other["id"]), what="410 disabling")
        shown = (await p.client.get(f"/v1/webhook-endpoints/{other['id']}", headers=ops)).json()
        assert shown["enabled"] is False and "410" in shown["disabled_reason"]
        dead = (await p.client.get(f"/v1/deliveries?endpoint_id={other['id']}&status=dead", headers=ops)).json()
        assert len(dead["items"]) == 1
        refused = await p.client.post(f"/v1/deliveries/{dead['items'][0]['id']}/retry", headers=ops)
        assert refused.status_code == 409
        assert gone.requests == []

        # Manual retry of the refused delivery sends it now.
        clock.advance(timedelta(seconds=1))
        retried = await p.client.post(f"/v1/deliveries/{delivery['id']}/retry", headers=ops)
        assert retried.status_code == 202
        await wait_until(lambda: _status_is(p, delivery["id"], "succeeded"), what="manual retry")
        # The ops endpoint also heard the second case's event: two messages, each once.
        assert len({r.headers["webhook-id"] for r in receiver.successes}) == len(receiver.successes) == 2

        # Partners see only their own endpoints and deliveries.
        partner = p.auth("partner", partner_id="P12")
        assert (await p.client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=partner)).status_code == 404
        assert (await p.client.get("/v1/deliveries", headers=partner)).json()["items"] == []
        assert (await p.client.delete(f"/v1/webhook-endpoints/{endpoint['id']}", headers=ops)).status_code == 204
        assert (await p.client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=ops)).status_code == 404


async def test_failing_endpoint_is_disabled_then_replayed(pg_database):
    receiver = PartnerReceiver(failures=100)
    clock = ManualClock(START)
    async with serve(receiver.app()) as base, running({"notify": await pg_database("notify")}, clock=clock,
                                                      settings={"notify": FAST}) as p:
        rt = p.runtimes["notify"]
        partner = p.auth("partner", partner_id="P12")
        endpoint = (await p.client.post("/v1/webhook-endpoints", headers={**partner, "Idempotency-Key": "k1"},
                                        json={"url": f"{base}/hooks", "event_types": ["case.routed"]})).json()
        again = await p.client.post("/v1/webhook-endpoints", headers={**partner, "Idempotency-Key": "k1"},
                                    json={"url": f"{base}/hooks", "event_types": ["case.routed"]})
        assert again.json()["id"] == endpoint["id"] and again.headers["Idempotent-Replayed"] == "true"
        await p.bus.publish(routed_event(str(uuid.uuid4()), START))
        # Walk the whole retry schedule (8 attempts over about 27 hours) on the manual clock.
        for attempt in range(1, 9):
            await wait_until(lambda: _attempts_recorded(rt, attempt), what=f"attempt {attempt}")
            clock.advance(timedelta(hours=11))
        [failed] = (await p.client.get("/v1/deliveries?status=failed", headers=partner)).json()["items"]
        assert failed["attempts"] == 8 and len(failed["attempt_log"]) == 8
        assert all(a["status_code"] == 500 for a in failed["attempt_log"])

        # Days later it still fails: the endpoint is switched off and its owner sees why.
        clock.advance(timedelta(days=3))
        await p.bus.publish(routed_event(str(uuid.uuid4()), clock.now()))
        await wait_until(lambda: _endpoint_disabled(p, endpoint["id"]), what="disabling a failing endpoint")
        shown = (await p.client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=partner)).json()
        assert shown["consecutive_failures"] == 9 and "every delivery failed since" in shown["disabled_reason"]
        [dead] = (await p.client.get("/v1/deliveries?status=dead", headers=partner)).json()["items"]
        assert dead["last_error"].startswith("endpoint disabled")

        # The partner fixes its receiver, switches the endpoint back on and replays what it missed.
        receiver.failures = 0
        assert (await p.client.post(f"/v1/webhook-endpoints/{endpoint['id']}/enable", headers=partner)).status_code == 200
        replay = await p.client.post("/v1/deliveries/replay", headers=partner,
                                     json={"since": (START - timedelta(minutes=1)).isoformat()})
        assert replay.status_code == 202 and replay.json()["replayed"] == 2
        await wait_until(lambda: _status_is(p, failed["id"], "succeeded"), what="replayed delivery")
        await wait_until(lambda: _status_is(p, dead["id"], "succeeded"), what="replayed dead delivery")
        assert len(receiver.successes) == 2
        other = await p.client.post("/v1/deliveries/replay", headers=p.auth("partner", partner_id="P13"),
                                    json={"since": START.isoformat(), "endpoint_id": endpoint["id"]})
        assert other.status_code == 404


async def _attempted(rt) -> bool:
    return any(d.attempts for d in await rows(rt, Delivery))


async def _attempts_recorded(rt, count: int) -> bool:
    return [d.attempts for d in await rows(rt, Delivery)] == [count]


async def _endpoint_disabled(p, endpoint_id: str) -> bool:
    shown = (await p.client.get(f"/v1/webhook-endpoints/{endpoint_id}", headers=p.auth("ops"))).json()
    return shown["enabled"] is False


async def _status_is(p, delivery_id: str, status: str) -> bool:
    return (await p.client.get(f"/v1/deliveries/{delivery_id}", headers=p.auth("ops"))).json()["status"] == status


def _gone_app():
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    async def gone(_request):
        return Response(status_code=410)

    return Starlette(routes=[Route("/hooks", gone, methods=["POST"])])


class _NoJitter:
    """The retry schedule's jitter pinned to zero, so each gap can be checked to the step."""

    def uniform(self, a: float, b: float) -> float:
        return 0.0


def _scripted_app(answers: list[tuple[int, dict[str, str]]], seen: list[int]):
    """A receiver answering each request with the next (status, headers) of `answers`, then 200."""
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    async def receive(_request):
        status, headers = answers.pop(0) if answers else (200, {})
        seen.append(status)
        return Response(status_code=status, headers=headers)

    return Starlette(routes=[Route("/hooks", receive, methods=["POST"])])


async def test_retries_wait_out_the_schedule_and_retry_after_to_the_step(pg_database):
    """The clock moves in 15 s steps and the worker runs after each: every retry comes at the first
    step at or after its due time, never one step before. Retry-After 600 s stretches the first gap
    (the schedule says 5 s); the schedule's 5 and 30 minutes follow; a Retry-After of 1 s cannot
    shorten the 30 minutes."""
    step = timedelta(seconds=15)
    answers = [(503, {"Retry-After": "600"}), (500, {}), (500, {"Retry-After": "1"})]
    expected_gaps = [timedelta(seconds=600), timedelta(minutes=5), timedelta(minutes=30)]
    seen: list[int] = []
    clock = ManualClock(START)
    async with serve(_scripted_app(answers, seen)) as base, running(
            {"notify": await pg_database("notify")}, clock=clock, settings={"notify": FAST}) as p:
        rt = p.runtimes["notify"]
        rt.rng = _NoJitter()
        partner = p.auth("partner", partner_id="P12")
        created = await p.client.post("/v1/webhook-endpoints", headers={**partner, "Idempotency-Key": "gaps"},
                                      json={"url": f"{base}/hooks", "event_types": ["case.routed"]})
        assert created.status_code == 201, created.text
        await p.bus.publish(routed_event(str(uuid.uuid4()), START))
        await wait_until(lambda: _attempts_recorded(rt, 1), what="the first attempt")
        attempted_at = [clock.now()]
        for gap in expected_gaps:
            due = attempted_at[-1] + gap
            while clock.now() + step < due:  # every step before the due one: no attempt
                clock.advance(step)
                await rt.webhooks.run_once()
                assert await _attempts_recorded(rt, len(attempted_at)), f"retried early, at {clock.now() - START}"
            clock.advance(step)  # the step that reaches the due time
            assert clock.now() == due
            await rt.webhooks.run_once()
            await wait_until(lambda: _attempts_recorded(rt, len(attempted_at) + 1),
                             what=f"attempt {len(attempted_at) + 1} at {due - START}")
            attempted_at.append(clock.now())
        [delivery] = await rows(rt, Delivery)
        assert delivery.status == "succeeded" and seen == [503, 500, 500, 200]
        from services.notify.store.models import DeliveryAttempt
        logged = sorted(a.attempted_at for a in await rows(rt, DeliveryAttempt))
        assert [b - a for a, b in zip(logged, logged[1:])] == expected_gaps
