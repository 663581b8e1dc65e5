"""The input boundary of every service (shared/boundary.py, shared/inputs.py), on PostgreSQL, which
refuses NUL in text: every bad input is a 4xx problem naming the field, and changes nothing."""

from __future__ import annotations

import base64
import json
import uuid

import jwt
import pytest

from shared.settings import DEV_JWT_SECRET
from tests.support.cases import case_body
from tests.support.platform import running

PROBLEM = "application/problem+json"
NUL = "\u0000"


def _fields(answer) -> list[str]:
    return [e["field"] for e in answer.json().get("errors", [])]


def assert_refused(answer, status: int, field: str | None = None) -> None:
    assert answer.status_code == status, (answer.status_code, answer.text)
    assert answer.headers["content-type"].startswith(PROBLEM)
    if field is not None:
        assert field in _fields(answer), answer.json()


@pytest.fixture
async def platform(pg_urls):
    async with running(pg_urls) as p:
        yield p


async def test_nul_and_control_characters_are_refused_in_every_kind_of_string(platform):
    p = platform
    clerk, ops = p.auth("clerk", court_code="370202"), p.auth("ops")
    partner = p.auth("partner", partner_id="P01")
    probes = [
        # query values
        ("GET", "/v1/cases", {"params": {"external": "x", "partner_id": f"P0{NUL}1"}, "headers": clerk}, "partner_id"),
        ("GET", "/v1/handoffs", {"params": {"case_id": f"a{NUL}b"}, "headers": ops}, "case_id"),
        ("GET", "/v1/deliveries", {"params": {"endpoint_id": f"e{NUL}"}, "headers": ops}, "endpoint_id"),
        ("GET", "/v1/partners", {"params": {"district": "\x7f"}, "headers": ops}, "district"),
        # path ids (PostgreSQL would have been asked for them)
        ("GET", "/v1/webhook-endpoints/a%00b", {"headers": ops}, "endpoint_id"),
        ("GET", "/v1/deliveries/a%01b", {"headers": ops}, "delivery_id"),
        ("GET", "/v1/handoffs/x%00", {"headers": ops}, "handoff_id"),
        ("GET", "/v1/partners/P%0012", {"headers": ops}, "partner_id"),
        ("GET", "/v1/routing/decisions/c%00", {"headers": ops}, "case_id"),
        # body strings, nested, and keys of free-form documents
        ("POST", "/v1/cases", {"json": case_body(summary=f"物业费{NUL}纠纷"),
                               "headers": {**clerk, "Idempotency-Key": "k-nul"}}, "summary"),
        ("POST", "/v1/cases/batch", {"json": {"items": [{"idempotency_key": "b1", "case": case_body(
            parties=[{**case_body()["parties"][0], "name": f"张{NUL}三"}, case_body()["parties"][1]])}]},
            "headers": clerk}, "items[0].case.parties[0].name"),
        ("PUT", "/v1/routing/rules", {"json": {"weights": {f"w{NUL}": 1}}, "headers": ops}, None),
        ("POST", "/v1/webhook-endpoints", {"json": {"url": f"http://127.0.0.1:9/{NUL}", "event_types": ["case.routed"]},
                                           "headers": partner}, "url"),
        ("POST", "/v1/deliveries/replay", {"json": {"since": "2026-01-01T00:00:00+08:00", "endpoint_id": f"{NUL}"},
                                           "headers": ops}, "endpoint_id"),
        ("POST", "/v1/routing/simulate", {"json": {**case_body(), "category": f"neighbour{NUL}"}, "headers": ops},
         "category"),
        # a header the services store
        ("POST", "/v1/cases", {"json": case_body(), "headers": {**clerk, "Idempotency-Key": "k\x01"}},
         "Idempotency-Key"),
        # a form field of the web client's sign-in
        ("POST", "/ui/login", {"data": {"mediator_id": f"P01-M01{NUL}", "password": "x"}}, "mediator_id"),
    ]
    for method, path, kwargs, field in probes:
        answer = await p.client.request(method, path, **kwargs)
        assert_refused(answer, 422, field)
        assert "control characters" in answer.text, (path, answer.text)
    # ... and nothing was filed by the refused creates
    listed = await p.client.get("/v1/cases", headers=clerk)
    assert listed.status_code == 200 and listed.json()["items"] == []


async def test_deep_json_is_refused_not_crashed(platform):
    p = platform
    deep = "[" * 5000 + "]" * 5000
    answer = await p.client.put("/v1/routing/rules", content=deep, headers={**p.auth("ops"),
                                                                             "content-type": "application/json"})
    assert_refused(answer, 422)
    assert "nested" in answer.text


TIMES_OUT_OF_RANGE = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00Z",
                      "1899-12-31T23:59:59Z", "2026-01-01T00:00:00"]


async def test_times_beyond_what_the_database_holds_are_refused(platform):
    p = platform
    ops = p.auth("ops")
    for value in TIMES_OUT_OF_RANGE:
        assert_refused(await p.client.get("/v1/cases", params={"created_after": value}, headers=ops), 422,
                       "created_after")
        assert_refused(await p.client.get("/v1/stats", params={"from": value}, headers=ops), 422, "from")
        assert_refused(await p.client.get("/v1/stats", params={"to": value}, headers=ops), 422, "to")
        assert_refused(await p.client.post("/v1/deliveries/replay", json={"since": value}, headers=ops), 422,
                       "since")
    # the edges that are allowed still work
    ok = await p.client.get("/v1/cases", params={"created_after": "1900-01-01T00:00:00+00:00"}, headers=ops)
    assert ok.status_code == 200


async def test_forged_and_mangled_cursors_are_refused_on_every_list(platform):
    p = platform
    ops = p.auth("ops")
    # what a forger writes: the old unsigned format, a year the database cannot hold, a NUL id
    unsigned = base64.urlsafe_b64encode(json.dumps(["2026-01-01T00:00:00+00:00", str(uuid.uuid4())]).encode())
    extreme = base64.urlsafe_b64encode(json.dumps(["9999-12-31T23:59:59-14:00", "x"]).encode())
    nul_id = base64.urlsafe_b64encode(json.dumps(["2026-01-01T00:00:00+00:00", "a\u0000"]).encode())
    forged = [unsigned.decode(), extreme.decode(), nul_id.decode(), "bm90IGEgY3Vyc29y", "a.b", "!!!"]
    for path in ("/v1/cases", "/v1/mediations", "/v1/webhook-endpoints", "/v1/deliveries", "/v1/handoffs",
                 "/v1/partners"):
        for cursor in forged:
            assert_refused(await p.client.get(path, params={"cursor": cursor}, headers=ops), 422, "cursor")
    # a cursor the API gave still pages, and one edited by a byte is refused
    first = (await p.client.get("/v1/partners", params={"limit": 10}, headers=ops)).json()
    cursor = first["next_cursor"]
    second = await p.client.get("/v1/partners", params={"limit": 10, "cursor": cursor}, headers=ops)
    assert second.status_code == 200 and second.json()["items"][0]["id"] == "P11"
    payload, _, mac = cursor.partition(".")
    tampered = base64.urlsafe_b64encode(b'["P20"]').decode().rstrip("=") + "." + mac
    assert_refused(await p.client.get("/v1/partners", params={"cursor": tampered}, headers=ops), 422, "cursor")


async def test_list_filters_are_checked_against_their_values(platform):
    p = platform
    clerk = p.auth("clerk", court_code="370202")
    answer = await p.client.get("/v1/cases", params={"status": "nonsense", "category": "x", "partner_id": "Q1"},
                                headers=clerk)
    assert_refused(answer, 422)
    assert {"status", "category", "partner_id"} <= set(_fields(answer))
    assert_refused(await p.client.get("/v1/mediations", params={"status": "x"}, headers=p.auth("ops")), 422, "status")
    assert_refused(await p.client.get("/v1/deliveries", params={"status": "x"}, headers=p.auth("ops")), 422, "status")
    assert_refused(await p.client.get("/v1/stats", params={"group_by": "x"}, headers=p.auth("ops")), 422, "group_by")


WRONGLY_TYPED_CLAIMS = [
    {"role": "clerk", "court_code": 370202},
    {"role": "partner", "partner_id": ["P12"]},
    {"role": "mediator", "partner_id": "P12", "mediator_id": {"id": 1}},
    {"role": ["ops"]},
    {"role": "clerk", "court_code": "370202\u0000"},
    {"role": "ops", "sub": 42},
]


async def test_signed_tokens_with_claims_of_the_wrong_type_are_401(platform):
    p = platform
    for claims in WRONGLY_TYPED_CLAIMS:
        token = jwt.encode({"sub": "someone", "iss": "courtmed", "exp": 4102444800, **claims}, DEV_JWT_SECRET,
                           algorithm="HS256")
        for path in ("/v1/cases", "/v1/partners", "/v1/mediations", "/v1/webhook-endpoints"):
            answer = await p.client.get(path, headers={"Authorization": f"Bearer {token}"})
            assert_refused(answer, 401)


async def test_bodies_over_the_limit_are_413_and_the_batch_has_its_own(platform):
    p = platform
    ops, clerk = p.auth("ops"), p.auth("clerk", court_code="370202")
    big = case_body(summary="纠" * (4 * 1024 * 1024))
    answer = await p.client.post("/v1/routing/simulate", json=big, headers=ops)
    assert_refused(answer, 413, "body")
    # without a Content-Length (chunked): counted as it arrives
    async def chunks():
        for _ in range(20):
            yield b" " * 100_000
    answer = await p.client.post("/v1/webhook-endpoints", content=chunks(),
                                 headers={**p.auth("partner", partner_id="P01"), "content-type": "application/json"})
    assert_refused(answer, 413)
    # a 500-case batch is over 1 MB and still accepted
    items = [{"idempotency_key": f"batch-{i}", "case": case_body(external_ref=f"SN-{i}", summary="物业费纠纷" * 200)}
             for i in range(500)]
    assert len(json.dumps(items, ensure_ascii=False).encode()) > 1_048_576
    answer = await p.client.post("/v1/cases/batch", json={"items": items}, headers=clerk)
    assert answer.status_code == 200, answer.text[:500]
    assert answer.json()["counts"]["created"] == 500
    # but not without bound
    huge = [{"idempotency_key": f"h-{i}", "case": case_body(summary="纠" * 4000)} for i in range(900)]
    assert_refused(await p.client.post("/v1/cases/batch", json={"items": huge}, headers=clerk), 413)


NOT_IN_A_LINE = ["\u202e", "\u2028", "\u2029", "\u200b", "\u200d", "\ufeff", "\u2066", "\u200f", "\t", "\n"]


async def test_single_line_fields_refuse_bidi_zero_width_and_line_breaks(platform):
    for char in NOT_IN_A_LINE:
        await _refused_in_single_line_fields(platform, char)


async def _refused_in_single_line_fields(p, char: str) -> None:
    clerk = p.auth("clerk", court_code="370202")
    parties = case_body()["parties"]
    probes = {
        "parties[0].name": case_body(parties=[{**parties[0], "name": f"张{char}三"}, parties[1]]),
        "parties[1].represented_by.law_firm": case_body(parties=[parties[0], {
            **parties[1], "represented_by": {"name": "李四", "law_firm": f"某{char}律师事务所"}}]),
        "external_ref": case_body(external_ref=f"SN{char}-1"),
    }
    for index, (field, body) in enumerate(probes.items()):
        answer = await p.client.post("/v1/cases", json=body,
                                     headers={**clerk, "Idempotency-Key": f"bidi-{ord(char)}-{index}"})
        assert_refused(answer, 422, field)
    # multi-line text keeps its line breaks
    summary = await p.client.post("/v1/cases", json=case_body(summary="第一行\n第二行\t完"),
                                  headers={**clerk, "Idempotency-Key": f"text-{ord(char)}"})
    assert summary.status_code == 201, summary.text
