"""Intake through its API on the real PostgreSQL (and SQLite where the embedded mode must hold too)."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from services.intake.store.models import IDEMPOTENCY_KEYS, Case, TimelineRow
from shared.events import Envelope
from tests.support.cases import case_body
from tests.support.platform import running
from tests.unit.intake.test_intake_schemas import BAD_BODIES

CLERK_A = {"court_code": "370202"}
CLERK_B = {"court_code": "370203"}


def headers(p, key: str | None = None, **claims) -> dict:
    h = p.auth("clerk", **(claims or CLERK_A))
    if key:
        h["Idempotency-Key"] = key
    return h


async def count(p, model) -> int:
    async with p.runtimes["intake"].db.read() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_bad_bodies_answer_422_with_the_field_and_store_nothing(pg_database):
    async with running({"intake": await pg_database("intake")}) as p:
        for name, body, expected in BAD_BODIES:
            answer = await p.client.post("/v1/cases", json=body, headers=headers(p, f"bad-{name}"))
            assert answer.status_code == 422, (name, answer.text)
            assert answer.headers["content-type"].startswith("application/problem+json")
            fields = {e["field"] for e in answer.json()["errors"]}
            assert expected in fields, (name, fields)
        assert len(BAD_BODIES) >= 40
        assert await count(p, Case) == 0
        assert await count(p, IDEMPOTENCY_KEYS.table) == 0
        async with p.runtimes["intake"].db.read() as session:
            outbox = p.runtimes["intake"].tables.outbox
            assert await session.scalar(select(func.count()).select_from(outbox)) == 0


async def test_idempotency_key_is_required_and_bound_to_the_body(pg_database):
    async with running({"intake": await pg_database("intake")}) as p:
        missing = await p.client.post("/v1/cases", json=case_body(), headers=headers(p))
        assert missing.status_code == 400
        assert missing.json()["errors"][0]["field"] == "Idempotency-Key"
        first = await p.client.post("/v1/cases", json=case_body(), headers=headers(p, "same"))
        again = await p.client.post("/v1/cases", json=case_body(), headers=headers(p, "same"))
        other = await p.client.post("/v1/cases", json=case_body(summary="另一件事"), headers=headers(p, "same"))
        assert first.status_code == again.status_code == 201
        assert first.json() == again.json()
        assert other.status_code == 409
        assert await count(p, Case) == 1


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
async def test_concurrent_creates_number_cases_gaplessly_per_court(backend, pg_database, tmp_path):
    url = await pg_database("intake") if backend == "postgresql" else f"sqlite+aiosqlite:///{tmp_path}/intake.db"
    async with running({"intake": url}) as p:
        async def create(i: int):
            claims = CLERK_A if i % 2 else CLERK_B
            body = case_body(court_code=claims["court_code"], district=claims["court_code"], external_ref=f"C-{i}")
            answer = await p.client.post("/v1/cases", json=body, headers=headers(p, f"k-{i}", **claims))
            assert answer.status_code == 201, answer.text
            return claims["court_code"], answer.json()["case_number"]

        created = await asyncio.gather(*(create(i) for i in range(100)))
    year = datetime.now(timezone.utc).year
    for court, short in (("370202", "0202"), ("370203", "0203")):
        numbers = sorted(int(re.fullmatch(rf"\({year}\)鲁{short}民诉前调(\d+)号", n).group(1))
                         for c, n in created if c == court)
        assert numbers == list(range(1, 51))


def sequence_of(case_number: str) -> int:
    return int(re.fullmatch(r"\(\d{4}\)鲁\d{4}民诉前调(\d+)号", case_number).group(1))


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
async def test_a_replayed_request_uses_up_no_case_number(backend, pg_database, tmp_path):
    """A replay (same key, same body; same key, another body; twenty at once) answers without taking a
    number: the next new case gets the next number, with no gap."""
    url = await pg_database("intake") if backend == "postgresql" else f"sqlite+aiosqlite:///{tmp_path}/intake.db"
    async with running({"intake": url}) as p:
        first = await p.client.post("/v1/cases", json=case_body(), headers=headers(p, "n-1"))
        assert first.status_code == 201 and sequence_of(first.json()["case_number"]) == 1
        again = await p.client.post("/v1/cases", json=case_body(), headers=headers(p, "n-1"))
        assert again.json()["case_number"] == first.json()["case_number"]
        other = await p.client.post("/v1/cases", json=case_body(summary="另一件事"), headers=headers(p, "n-1"))
        assert other.status_code == 409
        storm = await asyncio.gather(*(p.client.post("/v1/cases", json=case_body(), headers=headers(p, "n-1"))
                                       for _ in range(5)))
        assert {a.json()["case_number"] for a in storm} == {first.json()["case_number"]}
        second = await p.client.post("/v1/cases", json=case_body(external_ref="N-2"), headers=headers(p, "n-2"))
        assert second.status_code == 201
        assert sequence_of(second.json()["case_number"]) == 2
        assert await count(p, Case) == 2


async def test_concurrent_retries_of_one_key_create_one_case(pg_database):
    async with running({"intake": await pg_database("intake")}) as p:
        answers = await asyncio.gather(*(
            p.client.post("/v1/cases", json=case_body(), headers=headers(p, "retry-storm")) for _ in range(20)))
        assert {a.status_code for a in answers} == {201}
        assert len({a.json()["id"] for a in answers}) == 1
        assert await count(p, Case) == 1


async def test_clerk_sees_and_files_only_for_own_court(pg_database):
    async with running({"intake": await pg_database("intake")}) as p:
        created = await p.client.post("/v1/cases", json=case_body(), headers=headers(p, "a-1"))
        case_id = created.json()["id"]
        assert (await p.client.get(f"/v1/cases/{case_id}", headers=headers(p, **CLERK_B))).status_code == 404
        assert (await p.client.get(f"/v1/cases/{case_id}", headers=headers(p))).status_code == 200
        foreign = await p.client.post("/v1/cases", json=case_body(), headers=headers(p, "b-1", **CLERK_B))
        assert foreign.status_code == 403
        assert foreign.json()["errors"][0]["field"] == "court_code"
        listed = (await p.client.get("/v1/cases", headers=headers(p, **CLERK_B))).json()
        assert listed["items"] == []
        assert (await p.client.get("/v1/cases", headers=p.auth("partner", partner_id="P12"))).status_code == 403
        assert (await p.client.get("/v1/cases")).status_code == 401


async def test_timeline_keeps_every_event_once_in_order_despite_duplicates_and_reordering(pg_database, bus_url):
    async with running({"intake": await pg_database("intake")}, bus_url=bus_url, redeliver_first=True) as p:
        created = await p.client.post("/v1/cases", json=case_body(), headers=headers(p, "tl-1"))
        case_id = created.json()["id"]
        t0 = datetime.fromisoformat(created.json()["created_at"])
        at = lambda s: t0 + timedelta(seconds=s)  # noqa: E731
        events = [
            Envelope.new("case.routed", case_id, "routing", {"partner_id": "P24", "mode": "delegation",
                                                              "period_days": 30, "attempt": 1}, occurred_at=at(1)),
            Envelope.new("mediation.accepted", case_id, "mediation", {"partner_id": "P24",
                                                                       "deadline": at(30 * 86400).isoformat()}, occurred_at=at(2)),
            Envelope.new("mediation.mediator_assigned", case_id, "mediation", {"mediator_id": "P24-M01"}, occurred_at=at(3)),
            Envelope.new("mediation.settled", case_id, "mediation", {"handoff_type": "judicial_confirmation"}, occurred_at=at(4)),
        ]
        # Delivered backwards, each twice: the settled case must not fall back to routed.
        for envelope in [*reversed(events), *events]:
            await p.bus.publish(envelope)
        await p.settle()
        view = (await p.client.get(f"/v1/cases/{case_id}", headers=headers(p))).json()
        assert view["status"] == "settled"
        assert view["partner_id"] == "P24" and view["mediator_id"] == "P24-M01"
        assert [e["type"] for e in view["timeline"]] == ["case.received", "case.routed", "mediation.accepted",
                                                         "mediation.mediator_assigned", "mediation.settled"]
        assert await count(p, TimelineRow) == 5


async def test_list_filters_and_paginates(pg_database):
    async with running({"intake": await pg_database("intake")}) as p:
        for i in range(5):
            await p.client.post("/v1/cases", json=case_body(category="tenancy" if i < 3 else "neighbour"),
                                headers=headers(p, f"l-{i}"))
        page = (await p.client.get("/v1/cases?category=tenancy&limit=2", headers=headers(p))).json()
        assert len(page["items"]) == 2 and page["next_cursor"]
        rest = (await p.client.get(f"/v1/cases?category=tenancy&limit=2&cursor={page['next_cursor']}",
                                   headers=headers(p))).json()
        assert len(rest["items"]) == 1 and rest["next_cursor"] is None
        ids = {c["id"] for c in page["items"]} | {c["id"] for c in rest["items"]}
        assert len(ids) == 3
        assert all("*" in c["parties"][0]["id_number"] for c in page["items"])  # lists mask personal data
        bad = await p.client.get("/v1/cases?limit=500", headers=headers(p))
        assert bad.status_code == 422


async def test_withdraw_stops_the_case_and_emits_the_event(pg_database):
    async with running({"intake": await pg_database("intake")}) as p:
        case_id = (await p.client.post("/v1/cases", json=case_body(), headers=headers(p, "w-1"))).json()["id"]
        answer = await p.client.post(f"/v1/cases/{case_id}/withdraw", json={"reason": "申请人撤回"}, headers=headers(p))
        assert answer.status_code == 200 and answer.json()["status"] == "withdrawn"
        again = await p.client.post(f"/v1/cases/{case_id}/withdraw", headers=headers(p))
        assert again.status_code == 409
        async with p.runtimes["intake"].db.read() as session:
            outbox = p.runtimes["intake"].tables.outbox
            emitted = (await session.execute(select(outbox.c.type, outbox.c.payload)
                                             .where(outbox.c.case_id == case_id).order_by(outbox.c.id))).all()
        # the case.received beside it is the positive control: the query does find this case's events
        assert [t for t, _ in emitted] == ["case.received", "case.withdrawn"]
        assert Envelope.model_validate_json(emitted[1].payload).data["reason"] == "申请人撤回"


async def test_personal_data_never_reaches_the_logs(pg_database, caplog, capfd):
    id_number, phone = "370202198001011232", "13912345678"
    body = case_body()
    body["parties"][0].update(id_number=id_number, phone=phone)
    caplog.set_level(logging.DEBUG)
    async with running({"intake": await pg_database("intake")}) as p:
        ok = await p.client.post("/v1/cases", json=body, headers=headers(p, "pii-1"))
        assert ok.status_code == 201
        body["parties"][0]["phone"] = "12345"
        bad = await p.client.post("/v1/cases", json=body, headers=headers(p, "pii-2"))
        assert bad.status_code == 422
        await p.client.get(f"/v1/cases/{ok.json()['id']}", headers=headers(p))
        await p.settle()
    captured = capfd.readouterr()
    everything = captured.out + captured.err + "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert everything.strip(), "nothing was logged at all: the test would prove nothing"
    assert id_number not in everything
    assert phone not in everything
