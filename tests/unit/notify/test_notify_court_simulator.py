from datetime import datetime, timedelta, timezone

import httpx
import pytest

from services.notify.court_simulator import create_app
from services.notify.court_simulator.numbering import court_abbreviation
from services.notify.domain.handoff import build_handoff

CHINA = timezone(timedelta(hours=8))
AT = datetime(2026, 3, 20, 10, 0, tzinfo=CHINA)


@pytest.fixture
async def court():
    app = create_app(clock=lambda: AT)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://court") as client:
        yield client


def handoff(kind: str, hid: str = "h-1", **extra) -> dict:
    return {"id": hid, "type": kind, "case_id": "c-1", "court_code": "370202",
            "case_number": "(2026)鲁0202民诉前调123号", **extra}


@pytest.mark.parametrize(("kind", "number"), [
    ("judicial_confirmation", "(2026)鲁0202民诉前调确1号"),
    ("mediation_document", "(2026)鲁0202民诉前调书1号"),
    ("agreement_filed", "(2026)鲁0202民诉前调备1号"),
    ("docket", "(2026)鲁0202民初1号"),
    ("resume_trial", "(2026)鲁0202民初1号"),
    ("withdrawal", "(2026)鲁0202民初1号"),
])
async def test_each_handoff_type_gets_its_court_number(court, kind, number):
    response = await court.post("/handoffs", json=handoff(kind))
    assert response.status_code == 201
    assert response.json() == {"handoff_id": "h-1", "court_case_number": number,
                               "acknowledged_at": AT.isoformat()}


async def test_same_handoff_id_gets_the_same_number(court):
    first = await court.post("/handoffs", json=handoff("judicial_confirmation"))
    again = await court.post("/handoffs", json=handoff("judicial_confirmation"))
    other = await court.post("/handoffs", json=handoff("judicial_confirmation", hid="h-2"))
    assert again.status_code == 200 and again.json() == first.json()
    assert other.json()["court_case_number"] == "(2026)鲁0202民诉前调确2号"
    items = (await court.get("/handoffs")).json()["items"]
    assert [(i["id"], i["deliveries"]) for i in items] == [("h-1", 2), ("h-2", 1)]


async def test_resume_trial_keeps_the_existing_court_number(court):
    response = await court.post("/handoffs", json=handoff("resume_trial", court_case_number="(2026)鲁0202民初77号"))
    assert response.json()["court_case_number"] == "(2026)鲁0202民初77号"


async def test_sequences_are_per_court_and_type(court):
    await court.post("/handoffs", json=handoff("docket", hid="a"))
    response = await court.post("/handoffs", json=handoff("docket", hid="b") | {"court_code": "370211"})
    assert response.json()["court_case_number"] == "(2026)鲁0211民初1号"


async def test_fail_next_n_requests_then_recover(court):
    await court.post("/_control/fail", json={"count": 2, "status": 503, "retry_after": "7"})
    first = await court.post("/handoffs", json=handoff("docket"))
    second = await court.post("/handoffs", json=handoff("docket"))
    third = await court.post("/handoffs", json=handoff("docket"))
    assert [first.status_code, second.status_code, third.status_code] == [503, 503, 201]
    assert first.headers["retry-after"] == "7"
    assert first.headers["content-type"].startswith("application/problem+json")
    assert third.json()["court_case_number"] == "(2026)鲁0202民初1号"


async def test_invalid_handoff_is_refused(court):
    assert (await court.post("/handoffs", json={"id": "x", "type": "party", "case_id": "c",
                                                  "court_code": "370202"})).status_code == 422
    assert (await court.post("/handoffs", json={"type": "docket"})).status_code == 422
    assert (await court.post("/handoffs", content=b"not json")).status_code == 422
    assert (await court.get("/handoffs")).json()["items"] == []


async def test_accepts_the_handoff_built_by_the_domain(court):
    built = build_handoff("mediation.settled", {
        "case_id": "c-7", "court_code": "370202", "mode": "delegation", "stage": "pre_filing",
        "agreement": {"terms": "支付5000元"}})
    response = await court.post("/handoffs", json=built.to_json())
    assert response.status_code == 201
    assert response.json()["court_case_number"] == "(2026)鲁0202民诉前调确1号"
    [item] = (await court.get("/handoffs")).json()["items"]
    assert item["agreement"] == {"terms": "支付5000元"} and item["id"] == built.id


async def test_reset_forgets_everything(court):
    await court.post("/handoffs", json=handoff("docket"))
    await court.post("/_control/reset")
    assert (await court.get("/handoffs")).json()["items"] == []


def test_court_abbreviations():
    assert court_abbreviation("370202") == "鲁0202"
    assert court_abbreviation("370200") == "鲁02"
    assert court_abbreviation("鲁0285") == "鲁0285"
