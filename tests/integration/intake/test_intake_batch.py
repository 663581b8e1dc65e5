"""POST /v1/cases/batch on the real PostgreSQL (and SQLite where the embedded mode must hold too): item
by item answers in order, exactly-once keys, gapless numbers, and the single create's write path."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import event, select

from services.intake.store.models import IDEMPOTENCY_KEYS, Case, Party, TimelineRow
from tests.integration.intake.test_intake_api import CLERK_A, CLERK_B, count, headers
from tests.support.cases import case_body
from tests.support.platform import running
from shared.boundary import json_body_fault
from tests.unit.intake.test_intake_schemas import BAD_BODIES

BATCH = "/v1/cases/batch"


def item(key: str, **changes) -> dict:
    return {"idempotency_key": key, "case": case_body(external_ref=f"R-{key}", **changes)}


def sequence(case_number: str, court: str = "0202") -> int:
    year = datetime.now(timezone.utc).year
    return int(re.fullmatch(rf"\({year}\)鲁{court}民诉前调(\d+)号", case_number).group(1))


async def database_url(backend: str, pg_database, tmp_path) -> str:
    return await pg_database("intake") if backend == "postgresql" else f"sqlite+aiosqlite:///{tmp_path}/intake.db"


async def received_payloads(p) -> dict[str, dict]:
    """The case.received outbox rows by case id."""
    outbox = p.runtimes["intake"].tables.outbox
    async with p.runtimes["intake"].db.read() as session:
        rows = (await session.execute(select(outbox.c.case_id, outbox.c.payload)
                                      .where(outbox.c.type == "case.received"))).all()
    return {case_id: json.loads(payload) for case_id, payload in rows}


async def nothing_stored(p) -> bool:
    return (await count(p, Case), await count(p, IDEMPOTENCY_KEYS.table), len(await received_payloads(p))) == (0, 0, 0)


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
async def test_500_items_with_3_invalid_file_497_numbered_in_order(backend, pg_database, tmp_path):
    items = [item(f"b-{i}") for i in range(500)]
    bad_id = case_body()
    bad_id["parties"][0]["id_number"] = "370202198001011233"
    items[7]["case"] = bad_id
    items[250]["case"] = case_body(parties=case_body()["parties"][:1])
    items[499]["case"] = case_body(claim_amount=12500)
    invalid = {7: "parties[0].id_number", 250: "parties", 499: "claim_amount"}
    async with running({"intake": await database_url(backend, pg_database, tmp_path)}) as p:
        answer = await p.client.post(BATCH, json={"items": items}, headers=headers(p))
        assert answer.status_code == 200, answer.text[:500]
        results = answer.json()["items"]
        assert [r["index"] for r in results] == list(range(500))
        assert [r["idempotency_key"] for r in results] == [i["idempotency_key"] for i in items]
        for index, field in invalid.items():
            problem = results[index]["body"]
            assert results[index]["status"] == problem["status"] == 422
            assert problem["type"].startswith("https://") and problem["title"]
            assert [e["field"] for e in problem["errors"]] == [field]
        filed = [r for r in results if r["index"] not in invalid]
        assert {r["status"] for r in filed} == {201} and not any(r["replayed"] for r in filed)
        assert [sequence(r["body"]["case_number"]) for r in filed] == list(range(1, 498))
        assert answer.json()["counts"] == {"created": 497, "replayed": 0, "refused": 3}
        assert await count(p, Case) == 497 and await count(p, IDEMPOTENCY_KEYS.table) == 497
        assert await count(p, Party) == 2 * 497 and await count(p, TimelineRow) == 497
        payloads = await received_payloads(p)
        assert set(payloads) == {r["body"]["id"] for r in filed}
        for r in filed:
            assert payloads[r["body"]["id"]]["data"]["case_number"] == r["body"]["case_number"]
        view = (await p.client.get(f"/v1/cases/{filed[-1]['body']['id']}", headers=headers(p))).json()
        assert view["status"] == "received" and view["case_number"] == filed[-1]["body"]["case_number"]
        assert [e["type"] for e in view["timeline"]] == ["case.received"]
        assert view["timeline"][0]["data"]["case_number"] == view["case_number"]


async def test_a_replayed_batch_answers_the_same_items_and_files_nothing(pg_database):
    async with running({"intake": await pg_database("intake")}) as p:
        single = await p.client.post("/v1/cases", json=item("r-0")["case"], headers=headers(p, "r-0"))
        items = [item(f"r-{i}") for i in range(12)] + [item("r-bad", summary="")]
        first = (await p.client.post(BATCH, json={"items": items}, headers=headers(p))).json()
        before = (await count(p, Case), len(await received_payloads(p)), await count(p, TimelineRow))
        again = (await p.client.post(BATCH, json={"items": items}, headers=headers(p))).json()
        assert [r["status"] for r in first["items"]] == [201] * 12 + [422]
        assert first["items"][0] == {"index": 0, "idempotency_key": "r-0", "status": 201, "replayed": True,
                                     "body": single.json()}
        assert [r["body"] for r in again["items"]] == [r["body"] for r in first["items"]]
        assert [r["status"] for r in again["items"]] == [r["status"] for r in first["items"]]
        assert [r["replayed"] for r in again["items"]] == [True] * 12 + [False]
        assert again["counts"] == {"created": 0, "replayed": 12, "refused": 1}
        assert (await count(p, Case), len(await received_payloads(p)), await count(p, TimelineRow)) == before == (
            12, 12, 12)


async def test_a_reused_key_and_another_court_refuse_only_their_items(pg_database):
    async with running({"intake": await pg_database("intake")}) as p:
        await p.client.post("/v1/cases", json=case_body(), headers=headers(p, "used"))
        items = [item("x-0"), {"idempotency_key": "used", "case": case_body(summary="另一件事")},
                 item("foreign", court_code="370203", district="370203"), item("x-3")]
        answer = (await p.client.post(BATCH, json={"items": items}, headers=headers(p))).json()["items"]
        assert [r["status"] for r in answer] == [201, 409, 403, 201]
        assert answer[1]["body"]["errors"][0]["field"] == "Idempotency-Key"
        assert answer[2]["body"]["errors"][0]["field"] == "court_code"
        assert [sequence(answer[i]["body"]["case_number"]) for i in (0, 3)] == [2, 3]
        # The refused item took neither a key nor a number: filed by its own court, the key is fresh.
        own = await p.client.post(BATCH, json={"items": [items[2]]}, headers=headers(p, **CLERK_B))
        assert own.json()["items"][0]["status"] == 201 and not own.json()["items"][0]["replayed"]
        assert sequence(own.json()["items"][0]["body"]["case_number"], "0203") == 1
        assert await count(p, Case) == 4


@pytest.mark.parametrize("envelope,field", [
    ({"items": [item(f"o-{i}") for i in range(501)]}, "items"),
    ({"items": item("o-0")}, "items"),
    ({"items": []}, "items"),
    ({"items": [item("o-0"), item("o-1"), item("o-0")]}, "items[2].idempotency_key"),
    ({"items": [{"case": case_body()}]}, "items[0].idempotency_key"),
], ids=["501 items", "not a list", "empty", "a key twice", "no key"])
async def test_a_bad_envelope_is_one_problem_and_stores_nothing(pg_database, envelope, field):
    async with running({"intake": await pg_database("intake")}) as p:
        answer = await p.client.post(BATCH, json=envelope, headers=headers(p))
        assert answer.status_code == 422
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert field in {e["field"] for e in answer.json()["errors"]}
        assert await nothing_stored(p)


async def test_batch_items_answer_what_the_single_create_answers(pg_database):
    async with running({"intake": await pg_database("intake")}) as p:
        # A control character refuses the whole request at the input boundary, a batch's too
        # (test_control_characters_refuse_the_whole_batch); every other fault is the item's own.
        bad_bodies = [(name, body, _) for name, body, _ in BAD_BODIES if not json_body_fault(json.dumps(body).encode())]
        items = [{"idempotency_key": f"bad-{name}", "case": body} for name, body, _ in bad_bodies]
        batch = (await p.client.post(BATCH, json={"items": items}, headers=headers(p))).json()["items"]
        for (name, body, _), result in zip(bad_bodies, batch):
            single = await p.client.post("/v1/cases", json=body, headers=headers(p, f"bad-{name}"))
            assert (result["status"], result["body"]) == (single.status_code, single.json()), name
        assert await nothing_stored(p)


async def test_control_characters_refuse_the_whole_batch(pg_database):
    async with running({"intake": await pg_database("intake")}) as p:
        items = [item("clean"), item("nul", summary="物业费\u0000纠纷")]
        answer = await p.client.post(BATCH, json={"items": items}, headers=headers(p))
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["field"] == "items[1].case.summary"
        assert await nothing_stored(p)


async def test_a_batch_writes_what_the_single_create_writes(pg_database):
    async with running({"intake": await pg_database("intake")}) as p:
        single = (await p.client.post("/v1/cases", json=case_body(), headers=headers(p, "s"))).json()
        [batched] = (await p.client.post(BATCH, json={"items": [{"idempotency_key": "b", "case": case_body()}]},
                                         headers=headers(p))).json()["items"]
        payloads = await received_payloads(p)
        views = [(await p.client.get(f"/v1/cases/{i}", headers=headers(p))).json()
                 for i in (single["id"], batched["body"]["id"])]

    def without_ids(value):  # and without times and sequence numbers
        text = json.dumps(value, ensure_ascii=False)
        text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", text)
        text = re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+(\+00:00|Z)", "<time>", text)
        return json.loads(re.sub(r"民诉前调\d+号", "民诉前调N号", text))

    assert without_ids(batched["body"]) == without_ids(single)
    assert without_ids(payloads[single["id"]]["data"]) == without_ids(payloads[batched["body"]["id"]]["data"])
    assert payloads[single["id"]]["data"]["parties"][0]["id_number"] == case_body()["parties"][0]["id_number"]
    assert without_ids(views[0]) == without_ids(views[1])


async def test_gapless_numbers_under_concurrent_single_creates_and_batches(pg_database):
    # A dozen in flight at once: enough to contend for the counter and the keys, while staying well
    # within the connections a PostgreSQL shared with other test runs has left.
    gate = asyncio.Semaphore(12)
    async with running({"intake": await pg_database("intake")}) as p:
        async def single(i: int) -> list[dict]:
            async with gate:
                answer = await p.client.post("/v1/cases", json=case_body(external_ref=f"S-{i}"),
                                             headers=headers(p, f"s-{i}"))
            return [{"status": answer.status_code, "body": answer.json()}]

        async def batch(b: int, size: int = 30) -> list[dict]:
            items = [item(f"m-{b}-{i}") for i in range(size)]
            # Every other batch overlaps the next one's keys, so concurrent batches also contend for keys.
            items += [item(f"m-{b + 1}-{i}") for i in range(5)] if b % 2 == 0 else []
            async with gate:
                answer = await p.client.post(BATCH, json={"items": items}, headers=headers(p))
            assert answer.status_code == 200, answer.text[:300]
            return answer.json()["items"]

        # Interleaved, so batches are in flight while single creates come and go; each batch twice.
        calls = [call for b in range(6) for call in (batch(b), *(single(10 * b + i) for i in range(5)), batch(b),
                                                     *(single(10 * b + i) for i in range(5, 10)))]
        answers = await asyncio.gather(*calls)
        by_key: dict[str, set[str]] = {}
        for results in answers:
            for r in results:
                assert r["status"] == 201, r
                by_key.setdefault(r["body"]["external_ref"], set()).add(r["body"]["id"])
        assert all(len(ids) == 1 for ids in by_key.values())
        numbers = sorted(sequence(n) for (n,) in await _case_numbers(p))
        assert numbers == list(range(1, 60 + 6 * 30 + 1))
        assert len(await received_payloads(p)) == len(numbers)


async def _case_numbers(p):
    async with p.runtimes["intake"].db.read() as session:
        return (await session.execute(select(Case.case_number))).all()


async def test_concurrent_retries_of_one_batch_file_each_case_once(pg_database):
    async with running({"intake": await pg_database("intake")}) as p:
        items = [item(f"c-{i}") for i in range(40)]
        answers = await asyncio.gather(*(p.client.post(BATCH, json={"items": items}, headers=headers(p))
                                         for _ in range(8)))
        bodies = [[r["body"] for r in a.json()["items"]] for a in answers]
        assert all(b == bodies[0] for b in bodies)
        assert sum(r["replayed"] is False for a in answers for r in a.json()["items"]) == 40
        assert await count(p, Case) == 40
        assert sorted(sequence(b["case_number"]) for b in bodies[0]) == list(range(1, 41))


async def test_the_case_number_counter_is_taken_after_every_write_that_does_not_need_it(pg_database):
    async with running({"intake": await pg_database("intake")}) as p:
        statements: list[tuple[object, str]] = []
        engine = p.runtimes["intake"].db.engine.sync_engine

        def seen(conn, _cursor, statement, *_args) -> None:
            statements.append((conn, " ".join(statement.split()[:3])))

        def commit(conn) -> None:
            statements.append((conn, "COMMIT"))

        async def create(key: str) -> list[str]:
            statements.clear()
            assert (await p.client.post("/v1/cases", json=case_body(), headers=headers(p, key))).status_code == 201
            conn = next(c for c, text in statements if "case_number_counters" in text)
            return [text for c, text in statements if c is conn]

        event.listen(engine, "before_cursor_execute", seen)
        event.listen(engine, "commit", commit)
        first, second = await create("order-1"), await create("order-2")
        event.remove(engine, "before_cursor_execute", seen)
        event.remove(engine, "commit", commit)
    before = ["INSERT INTO idempotency_keys", "INSERT INTO cases", "INSERT INTO parties"]
    after = ["UPDATE cases SET", "INSERT INTO timeline", "INSERT INTO outbox", "UPDATE idempotency_keys SET", "COMMIT"]
    # The court's first case of the year also creates the counter row; later ones take it in one UPDATE.
    assert first == [*before, "UPDATE case_number_counters SET", "INSERT INTO case_number_counters",
                     "UPDATE case_number_counters SET", *after]
    assert second == [*before, "UPDATE case_number_counters SET", *after]


async def test_only_clerks_file_batches(pg_database):
    async with running({"intake": await pg_database("intake")}) as p:
        envelope = {"items": [item("role-0")]}
        assert (await p.client.post(BATCH, json=envelope)).status_code == 401
        forged = {"Authorization": "Bearer not.a.token"}
        assert (await p.client.post(BATCH, json=envelope, headers=forged)).status_code == 401
        for role, claims in (("ops", {}), ("partner", {"partner_id": "P12"}),
                             ("mediator", {"partner_id": "P12", "mediator_id": "P12-M01"})):
            answer = await p.client.post(BATCH, json=envelope, headers=p.auth(role, **claims))
            assert answer.status_code == 403, role
            assert answer.headers["content-type"].startswith("application/problem+json")
        assert await nothing_stored(p)
        assert (await p.client.post(BATCH, json=envelope, headers=headers(p, **CLERK_A))).status_code == 200


async def test_a_batch_logs_no_personal_data(pg_database, caplog, capfd):
    id_number, phone = "370202198001011232", "13912345678"
    good, bad = case_body(), case_body()
    good["parties"][0].update(id_number=id_number, phone=phone)
    bad["parties"][0].update(id_number=id_number, phone="12345")
    caplog.set_level(logging.DEBUG)
    async with running({"intake": await pg_database("intake")}) as p:
        answer = await p.client.post(BATCH, json={"items": [{"idempotency_key": "pii-1", "case": good},
                                                            {"idempotency_key": "pii-2", "case": bad}]},
                                     headers=headers(p))
        assert [r["status"] for r in answer.json()["items"]] == [201, 422]
        assert phone not in json.dumps(answer.json()["items"][1])
        await p.settle()
    captured = capfd.readouterr()
    everything = captured.out + captured.err + "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert "case batch filed" in everything
    assert id_number not in everything and phone not in everything
