"""No request can stop the event flow (issue #13, acceptance 2), on the real RabbitMQ and PostgreSQL.

- A 5,000-character correlation id is replaced at the edge: that case and the ten after it are routed.
- An outbox row the broker can never take is parked with its error: later cases flow past it, the
  case's own later events wait behind it, ops sees it, and its replay after the cause is fixed
  delivers it once, followed by the case's waiting events in order.
"""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import func, select

from shared.context import is_valid_correlation_id
from tests.support import infra
from tests.support.cases import case_body
from tests.support.platform import Platform, running

CLERK = {"role": "clerk", "court_code": "370202"}


async def _post(p: Platform, body: dict, **headers: str) -> dict:
    answer = await p.client.post("/v1/cases", json=body,
                                 headers={**p.auth(**CLERK), "Idempotency-Key": str(uuid.uuid4()), **headers})
    assert answer.status_code == 201, answer.text
    return {"id": answer.json()["id"], "correlation_id": answer.headers["x-correlation-id"]}


async def _statuses(p: Platform, case_ids: list[str]) -> dict[str, str]:
    found = {}
    for case_id in case_ids:
        answer = await p.client.get(f"/v1/cases/{case_id}", headers=p.auth(**CLERK))
        found[case_id] = answer.json()["status"]
    return found


async def _wait_for(p: Platform, case_ids: list[str], wanted: set[str], timeout: float = 30.0) -> dict[str, str]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        statuses = await _statuses(p, case_ids)
        if all(s in wanted for s in statuses.values()) or asyncio.get_running_loop().time() > deadline:
            return statuses
        await asyncio.sleep(0.2)


async def _decisions(p: Platform, case_id: str) -> int:
    routing = p.runtimes["routing"]
    decisions = routing.metadata.tables["decisions"]
    async with routing.db.read() as session:
        return await session.scalar(select(func.count()).select_from(decisions).where(decisions.c.case_id == case_id))


async def test_a_5000_character_correlation_id_stops_nothing(pg_database, rabbit_vhost):
    urls = {name: await pg_database(name) for name in ("intake", "routing")}
    async with running(urls, bus_url=infra.amqp_url(rabbit_vhost)) as p:
        first = await _post(p, case_body(external_ref="LONG-CID"), **{"x-correlation-id": "x" * 5000})
        # replaced, not echoed, and the replacement is what the case's events carry
        assert first["correlation_id"] != "x" * 5000 and is_valid_correlation_id(first["correlation_id"])
        odd = await _post(p, case_body(external_ref="ODD-CID"), **{"x-correlation-id": "has space\tand tab"})
        assert " " not in odd["correlation_id"]
        kept = await _post(p, case_body(external_ref="GOOD-CID"), **{"x-correlation-id": "court-sys-42.7"})
        assert kept["correlation_id"] == "court-sys-42.7"
        later = [await _post(p, case_body(external_ref=f"AFTER-{i}")) for i in range(10)]
        ids = [first["id"], *(c["id"] for c in later)]

        statuses = await _wait_for(p, ids, {"routed"})
        assert statuses == {case_id: "routed" for case_id in ids}
        for case_id in ids:
            assert await _decisions(p, case_id) == 1
        intake = p.runtimes["intake"]
        async with intake.db.read() as session:
            assert await session.scalar(select(func.count()).select_from(intake.tables.parked)) == 0
            stored = (await session.execute(select(intake.tables.outbox.c.payload)
                                            .where(intake.tables.outbox.c.case_id == first["id"]))).scalar_one()
        assert "x" * 300 not in stored and first["correlation_id"] in stored


async def test_a_row_the_broker_refuses_is_parked_others_flow_and_its_replay_delivers_it_once(pg_database, rabbit_vhost):
    urls = {name: await pg_database(name) for name in ("intake", "routing")}
    async with running(urls, bus_url=infra.amqp_url(rabbit_vhost)) as p:
        ops = p.auth("ops")
        # The broker takes messages of a few kilobytes only (as a broker configured with a small
        # max_message_size would): a case with a 4,000-character summary cannot be published.
        p.bus.max_message_bytes = 6000
        big = await _post(p, case_body(external_ref="BIG", summary="物业费纠纷" * 800))
        withdrawn = await p.client.post(f"/v1/cases/{big['id']}/withdraw", json={"reason": "申请人撤回"},
                                        headers=p.auth(**CLERK))
        assert withdrawn.status_code == 200, withdrawn.text
        later = [(await _post(p, case_body(external_ref=f"NEXT-{i}")))["id"] for i in range(5)]

        assert set((await _wait_for(p, later, {"routed"})).values()) == {"routed"}
        parked = (await p.client.get("/v1/ops/intake/outbox/parked", headers=ops)).json()["items"]
        assert [(row["case_id"], row["type"]) for row in parked] == [(big["id"], "case.received")]
        assert "larger than the broker takes" in parked[0]["error"]
        state = (await p.client.get("/v1/ops/intake/outbox", headers=ops)).json()
        assert state["parked"] == 1 and state["relay_stalled"] is None
        metrics = (await p.client.get("/metrics")).text
        assert 'outbox_parked_messages{service="intake"} 1.0' in metrics
        # only ops may see or replay it
        clerk_view = await p.client.get("/v1/ops/intake/outbox/parked", headers=p.auth(**CLERK))
        assert clerk_view.status_code == 403
        assert (await p.client.get("/readyz")).status_code == 200  # one parked row does not unready the pod

        # The case's own later event (case.withdrawn) waits behind the parked row, unpublished.
        intake = p.runtimes["intake"]
        outbox = intake.tables.outbox
        async with intake.db.read() as session:
            rows = (await session.execute(select(outbox.c.type, outbox.c.published_at)
                                          .where(outbox.c.case_id == big["id"]).order_by(outbox.c.id))).all()
        assert [(r.type, r.published_at) for r in rows] == [("case.received", None), ("case.withdrawn", None)]
        assert await _decisions(p, big["id"]) == 0

        refused = await p.client.post(f"/v1/ops/intake/outbox/parked/{parked[0]['event_id']}/replay",
                                      headers=p.auth(**CLERK))
        assert refused.status_code == 403
        p.bus.max_message_bytes = 16 * 1024 * 1024  # the cause is fixed
        replay = await p.client.post(f"/v1/ops/intake/outbox/parked/{parked[0]['event_id']}/replay", headers=ops)
        assert replay.status_code == 200, replay.text
        assert replay.json()["released_at"] is not None
        again = await p.client.post(f"/v1/ops/intake/outbox/parked/{parked[0]['event_id']}/replay", headers=ops)
        assert again.status_code == 404

        assert (await _wait_for(p, [big["id"]], {"withdrawn"}))[big["id"]] == "withdrawn"
        await p.settle()
        async with intake.db.read() as session:
            rows = (await session.execute(select(outbox.c.type, outbox.c.published_at)
                                          .where(outbox.c.case_id == big["id"]).order_by(outbox.c.id))).all()
        assert all(r.published_at is not None for r in rows)
        assert rows[0].published_at <= rows[1].published_at  # in order: received before withdrawn
        assert await _decisions(p, big["id"]) == 1  # delivered once
        routing = p.runtimes["routing"]
        async with routing.db.read() as session:
            received = await session.scalar(select(func.count()).select_from(routing.tables.inbox)
                                            .where(routing.tables.inbox.c.event_id == parked[0]["event_id"]))
        assert received == 1
        assert (await p.client.get("/v1/ops/intake/outbox/parked", headers=ops)).json()["items"] == []
        history = (await p.client.get("/v1/ops/intake/outbox/parked?status=released", headers=ops)).json()["items"]
        assert [row["event_id"] for row in history] == [parked[0]["event_id"]]
        assert history[0]["released_by"].startswith("ops:")


async def test_readyz_reports_a_relay_that_has_not_advanced_while_rows_wait(pg_database):
    async with running({"intake": await pg_database("intake")}) as p:
        outbox = p.runtimes["intake"].outbox
        outbox.stall_seconds = 0.5
        publish = p.bus.publish

        async def broker_away(envelope):
            raise ConnectionError("broker unreachable")

        p.bus.publish = broker_away
        try:
            await _post(p, case_body())
            await asyncio.sleep(1.0)
            answer = await p.client.get("/readyz")
            assert answer.status_code == 503
            assert "relay has not advanced" in answer.json()["failures"]["intake.outbox"]
        finally:
            p.bus.publish = publish
        await p.settle()
        assert (await p.client.get("/readyz")).status_code == 200
        async with p.runtimes["intake"].db.read() as session:  # a broker away parks nothing
            assert await session.scalar(select(func.count()).select_from(p.runtimes["intake"].tables.parked)) == 0


async def test_a_partner_cannot_plant_a_long_correlation_id_in_mediation(pg_database):
    """The issue's second route: `POST /v1/mediations/{own}/accept` with a 256-character id. The edge
    is the same for every service: the id is replaced before any route (or event) sees it."""
    async with running({"mediation": await pg_database("mediation")}) as p:
        answer = await p.client.post(f"/v1/mediations/{uuid.uuid4()}/accept",
                                     headers={**p.auth("partner", partner_id="P12"), "x-correlation-id": "y" * 256})
        assert answer.status_code in (404, 409)
        replaced = answer.headers["x-correlation-id"]
        assert replaced != "y" * 256 and is_valid_correlation_id(replaced)
        assert "y" * 256 not in answer.text
