"""The thin slice of the whole flow on the embedded default: SQLite and the in-process bus."""

from tests.support.platform import running
from tests.support.cases import case_body


async def test_case_is_received_then_routed_with_timeline(sqlite_urls):
    async with running(sqlite_urls) as p:
        answer = await p.client.post("/v1/cases", json=case_body(), headers={
            **p.auth("clerk", court_code="370202"), "Idempotency-Key": "embedded-1"})
        assert answer.status_code == 201, answer.text
        case_id = answer.json()["id"]
        await p.settle()
        view = (await p.client.get(f"/v1/cases/{case_id}", headers=p.auth("clerk", court_code="370202"))).json()
    assert view["status"] == "routed"
    assert view["partner_id"]
    assert [e["type"] for e in view["timeline"]][:2] == ["case.received", "case.routed"]
