"""Every outcome of domain.md's table reaches the simulated court as its hand-off type, retried
through a court outage, and handoff.acknowledged carries the court's own case number."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import httpx
from sqlalchemy import select

from services.notify.court_simulator import create_app as court_app
from services.notify.store.models import MESSAGING, Handoff
from shared.clock import ManualClock
from shared.vocabulary import MODE_BY_STAGE
from tests.integration.notify.support import (FAST, START, event, received_event, routed_event, rows, serve,
                                              wait_until)
from tests.support.cases import case_body
from tests.support.platform import running

CONFIRM = {"terms": "分期付清", "apply_judicial_confirmation": True}
# (stage, category, event type, event data, the hand-off type the court must get; None: no hand-off)
TABLE = [
    ("pre_filing", "property_service", "mediation.settled", {"agreement": CONFIRM}, "judicial_confirmation"),
    ("pre_filing", "property_service", "mediation.settled",
     {"agreement": {"terms": "分期付清", "apply_judicial_confirmation": False}}, "agreement_filed"),
    # Art 355: the declared flag decides, both ways: without it a family agreement would be filed
    # (status by default) and an inheritance one confirmed (ownership not presumed).
    ("pre_filing", "family", "mediation.settled",
     {"agreement": {**CONFIRM, "concerns_status_or_ownership": True}}, "agreement_filed"),
    ("pre_filing", "family", "mediation.settled",
     {"agreement": {**CONFIRM, "concerns_status_or_ownership": False}}, "judicial_confirmation"),
    ("pre_filing", "inheritance", "mediation.settled",
     {"agreement": {**CONFIRM, "concerns_status_or_ownership": True}}, "agreement_filed"),
    ("pre_filing", "inheritance", "mediation.settled",
     {"agreement": {**CONFIRM, "concerns_status_or_ownership": False}}, "judicial_confirmation"),
    ("pre_filing", "property_service", "mediation.failed", {"undisputed_facts": ["欠费12个月"]}, "docket"),
    ("pre_filing", "property_service", "mediation.expired", {}, "docket"),
    ("pre_filing", "property_service", "case.unroutable", {"reason": "no_eligible_partner"}, "docket"),
    ("post_filing", "tenancy", "mediation.settled", {"agreement": {"terms": "退还押金"}}, "mediation_document"),
    ("post_filing", "tenancy", "mediation.settled", {"agreement": {"terms": "退还押金", "withdraw_suit": True}},
     "withdrawal"),
    ("post_filing", "tenancy", "mediation.failed", {}, "resume_trial"),
    ("post_filing", "tenancy", "case.unroutable", {"reason": "parties_refused"}, "resume_trial"),
    ("in_litigation", "commercial_contract", "mediation.settled", {"agreement": {"terms": "支付货款"}},
     "mediation_document"),
    ("in_litigation", "commercial_contract", "mediation.expired", {}, "resume_trial"),
    ("direct", "consumer", "mediation.settled", {"agreement": CONFIRM}, "judicial_confirmation"),
    ("direct", "consumer", "mediation.failed", {}, None),
]


async def test_each_outcome_hands_off_its_type_and_the_court_number_comes_back(pg_database, bus_url):
    court = court_app()
    clock = ManualClock(START)
    async with serve(court) as court_url:
        # The court is down for the first two hand-offs: they are retried on the schedule.
        async with httpx.AsyncClient() as client:
            await client.post(f"{court_url}/_control/fail", json={"count": 2, "status": 503})
        settings = {"notify": {**FAST, "court_endpoint": f"{court_url}/handoffs"}}
        async with running({"notify": await pg_database("notify")}, clock=clock, settings=settings,
                           bus_url=bus_url, redeliver_first=True) as p:
            rt = p.runtimes["notify"]
            cases = []
            for stage, category, event_type, data, expected in TABLE:
                case_id = str(uuid.uuid4())
                cases.append((case_id, event_type, expected))
                await p.bus.publish(received_event(case_id, START, stage=stage, category=category,
                                                   partner_id="P15" if stage == "direct" else None))
                if event_type != "case.unroutable":
                    await p.bus.publish(routed_event(case_id, START + timedelta(seconds=1), mode=MODE_BY_STAGE[stage]))
                await p.bus.publish(event(event_type, case_id, {"mode": MODE_BY_STAGE[stage], **data},
                                          START + timedelta(seconds=2)))
            expected_count = sum(1 for *_, expected in TABLE if expected)
            await wait_until(lambda: _handoffs(rt, expected_count), what="hand-offs queued")
            # The court's two failures are recorded (retry due in 5 s) before time moves on.
            await wait_until(lambda: _refused(rt, 2), what="the court's two refusals recorded")
            clock.advance(timedelta(seconds=6))
            await wait_until(lambda: _acknowledged(rt, expected_count), what="every hand-off acknowledged")
            await p.settle()
            clerk = p.auth("clerk", court_code="370202")
            listed = {case_id: (await p.client.get(f"/v1/handoffs?case_id={case_id}", headers=clerk)).json()["items"]
                      for case_id, *_ in cases}
            other_court = (await p.client.get("/v1/handoffs", headers=p.auth("clerk", court_code="370211"))).json()
            acknowledgements = await _emitted(rt, "handoff.acknowledged")
            sent = await _emitted(rt, "handoff.sent")

    received = court.state.court.received
    at_court = {entry["handoff"]["case_id"]: entry for entry in received.values()}
    for case_id, event_type, expected in cases:
        if expected is None:
            assert case_id not in at_court and listed[case_id] == []
            continue
        entry = at_court[case_id]
        assert entry["handoff"]["type"] == expected, (event_type, expected)
        [shown] = listed[case_id]
        assert shown["status"] == "acknowledged" and shown["court_case_number"] == entry["ack"]["court_case_number"]
        assert acknowledgements[case_id]["court_case_number"] == entry["ack"]["court_case_number"]
        assert sent[case_id]["handoff_type"] == expected
    assert other_court["items"] == []
    # Settled agreements go to the court; after a failure only the facts both sides signed.
    docket = next(e for e in at_court.values() if e["handoff"]["type"] == "docket" and e["handoff"]["undisputed_facts"])
    assert docket["handoff"]["undisputed_facts"] == ["欠费12个月"] and docket["handoff"]["agreement"] is None
    assert court.state.court.requests >= expected_count + 2


async def test_the_clerk_sees_the_court_number_on_the_case(sqlite_urls):
    court = court_app()
    async with serve(court) as court_url:
        urls = {name: sqlite_urls[name] for name in ("intake", "routing", "notify")}
        settings = {"notify": {**FAST, "court_endpoint": f"{court_url}/handoffs"}}
        async with running(urls, settings=settings) as p:
            clerk = p.auth("clerk", court_code="370202")
            created = await p.client.post("/v1/cases", json=case_body(), headers={**clerk, "Idempotency-Key": "h-1"})
            case_id = created.json()["id"]
            await p.settle()
            partner_id = (await p.client.get(f"/v1/cases/{case_id}", headers=clerk)).json()["partner_id"]
            rt = p.runtimes["notify"]
            await p.bus.publish(event("mediation.settled", case_id,
                                      {"partner_id": partner_id, "agreement": CONFIRM}, rt.clock.now()))
            await wait_until(lambda: _acknowledged(rt, 1), what="acknowledgement")
            await p.settle()
            view = (await p.client.get(f"/v1/cases/{case_id}", headers=clerk)).json()
    [entry] = court.state.court.received.values()
    assert view["handoff"]["court_case_number"] == entry["ack"]["court_case_number"]
    assert "民诉前调确" in entry["ack"]["court_case_number"]


async def _handoffs(rt, n: int) -> bool:
    return len(await rows(rt, Handoff)) == n


async def _refused(rt, n: int) -> bool:
    return len(await rows(rt, Handoff, Handoff.last_status_code == 503)) == n


async def _acknowledged(rt, n: int) -> bool:
    return len(await rows(rt, Handoff, Handoff.status == "acknowledged")) == n


async def _emitted(rt, event_type: str) -> dict[str, dict]:
    outbox = MESSAGING.outbox
    async with rt.db.read() as session:
        payloads = (await session.execute(select(outbox.c.payload).where(outbox.c.type == event_type))).scalars()
        return {json.loads(p)["case_id"]: json.loads(p)["data"] for p in payloads}


async def test_the_simulated_court_is_mounted_in_development(sqlite_urls):
    async with running({"notify": sqlite_urls["notify"]}, settings={"notify": FAST}) as p:
        assert p.runtimes["notify"].settings.court_endpoint.endswith("/court-simulator/handoffs")
        assert (await p.client.get("/court-simulator/healthz")).status_code == 200
