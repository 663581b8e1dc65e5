"""The lifecycle through the consumers and the API: recusal, outcome events notify can hand off,
the court's withdrawal, hand-off and closure, redelivery, listing; and the whole platform on SQLite."""

from __future__ import annotations

from datetime import timedelta

from services.notify.domain.handoff import build_handoff
from shared.events import Envelope
from tests.integration.mediation.conftest import idle
from tests.integration.mediation.helpers import (APPLICANT, PARTIES, RESPONDENT, audit_actions, deliver, emitted,
                                                 new_id, routed, row)
from tests.support.cases import case_body
from tests.support.platform import running

PARTNER = {"partner_id": "P12"}


async def _accepted(p, clock, mode="delegation") -> str:
    case_id = new_id()
    await deliver(p, routed(case_id, at=clock.now(), mode=mode))
    answer = await p.client.post(f"/v1/mediations/{case_id}/accept", headers=p.auth("partner", **PARTNER))
    assert answer.status_code == 200, answer.text
    return case_id


async def test_recusal_needs_every_partys_waiver_recorded_per_party(platform, clock):
    p = platform
    case_id = await _accepted(p, clock)
    auth = p.auth("partner", **PARTNER)
    refused = await p.client.post(f"/v1/mediations/{case_id}/mediator", json={"mediator_id": "P12-M01"}, headers=auth)
    assert refused.status_code == 409
    [conflict] = refused.json()["conflicts"]
    assert conflict["kind"] == "law_firm" and conflict["party_ids"] == [RESPONDENT]
    assert conflict["not_waived_by"] == sorted(PARTIES)
    disclosed = (clock.now() - timedelta(hours=1)).isoformat()
    half = await p.client.post(f"/v1/mediations/{case_id}/mediator", headers=auth, json={
        "mediator_id": "P12-M01", "waivers": [{"party_id": APPLICANT, "disclosed_at": disclosed}]})
    assert half.status_code == 409 and half.json()["conflicts"][0]["not_waived_by"] == [RESPONDENT]
    assert (await row(p, case_id)).status == "accepted"
    unknown = await p.client.post(f"/v1/mediations/{case_id}/mediator", json={"mediator_id": "P13-M01"},
                                  headers=auth)
    assert unknown.status_code == 422
    waived = await p.client.post(f"/v1/mediations/{case_id}/mediator", headers=auth, json={
        "mediator_id": "P12-M01", "waivers": [{"party_id": pid, "disclosed_at": disclosed} for pid in PARTIES]})
    assert waived.status_code == 200, waived.text
    assert waived.json()["waived_conflicts"][0]["waived_by"] == sorted(PARTIES)
    [event] = await emitted(p, case_id, "mediation.mediator_assigned")
    assert event["data"]["mediator_id"] == "P12-M01"


async def test_a_settlement_event_carries_what_notify_hands_to_the_court(platform, clock):
    p = platform
    case_id = await _accepted(p, clock, mode="delegation")
    auth = p.auth("mediator", partner_id="P12", mediator_id="P12-M02")
    await p.client.post(f"/v1/mediations/{case_id}/mediator", json={"mediator_id": "P12-M02"}, headers=auth)
    session = await p.client.post(f"/v1/mediations/{case_id}/sessions", headers=auth, json={
        "scheduled_at": (clock.now() + timedelta(days=2)).isoformat(), "location": "市南区调解中心 3 号室"})
    assert session.status_code == 201
    [scheduled] = await emitted(p, case_id, "mediation.session_scheduled")
    assert scheduled["data"]["scheduled_at"] == (clock.now() + timedelta(days=2)).isoformat()
    invalid = await p.client.post(f"/v1/mediations/{case_id}/outcome", headers=auth,
                                  json={"result": "settled", "agreement": {"terms": [], "signed_by": [APPLICANT]}})
    assert invalid.status_code == 422
    assert {e["field"] for e in invalid.json()["errors"]} == {"agreement.terms", "agreement.signed_by"}
    settled = await p.client.post(f"/v1/mediations/{case_id}/outcome", headers=auth, json={
        "result": "settled", "note": "申请人最初要求 15000 元",
        "agreement": {"terms": ["被申请人支付 10000 元"], "signed_by": PARTIES,
                      "apply_for_judicial_confirmation": True}})
    assert settled.status_code == 200, settled.text
    [event] = await emitted(p, case_id, "mediation.settled")
    data = event["data"]
    assert data["handoff_type"] == "judicial_confirmation"
    assert "note" not in data and "15000" not in str(data)  # what was conceded stays at the partner
    handoff = build_handoff(event["type"], event)
    assert handoff.type.value == "judicial_confirmation"
    assert handoff.case_number == "(2026)鲁0202民诉前调1号" and handoff.agreement["terms"] == ["被申请人支付 10000 元"]

    # notify reports the hand-off, then the court's acknowledgement; a redelivery changes nothing
    sent = Envelope.new("handoff.sent", case_id, "notify", {"type": "judicial_confirmation"})
    await deliver(p, sent, sent)
    assert (await row(p, case_id)).status == "handed_off"
    await deliver(p, Envelope.new("handoff.acknowledged", case_id, "notify", {"court_case_number": "X"}))
    assert (await row(p, case_id)).status == "closed"
    actions = await audit_actions(p, case_id)
    assert actions == ["open_offer", "accept", "assign_mediator", "schedule_session", "record_settled",
                       "hand_off", "close"]


async def test_the_courts_withdrawal_stops_the_clock(platform, clock):
    p = platform
    case_id = await _accepted(p, clock, mode="entrustment")
    await deliver(p, Envelope.new("case.withdrawn", case_id, "intake", {"reason": "和解撤诉"}))
    after = await row(p, case_id)
    assert (after.status, after.outcome, after.due_at) == ("closed", "withdrawn", None)
    assert await emitted(p, case_id, "mediation.withdrawn") == []  # routing counts case.withdrawn itself
    clock.advance(timedelta(days=60))
    assert await p.runtimes["mediation"].deadline_sweeper.sweep() == 0


async def test_listing_filters_and_pages(platform, clock):
    p = platform
    ids = []
    for minute in range(5):
        case_id = new_id()
        ids.append(case_id)
        await deliver(p, routed(case_id, at=clock.now() + timedelta(minutes=minute)))
    await p.client.post(f"/v1/mediations/{ids[0]}/accept", headers=p.auth("partner", **PARTNER))
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await p.client.get("/v1/mediations", params=params, headers=p.auth("partner", **PARTNER))).json()
        seen += [item["case_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))
    assert page["items"][0]["parties"][0]["name"] == "张*"
    offered = (await p.client.get("/v1/mediations", params={"status": "offered"}, headers=p.auth("ops"))).json()
    assert len(offered["items"]) == 4
    detail = (await p.client.get(f"/v1/mediations/{ids[0]}", headers=p.auth("partner", **PARTNER))).json()
    assert detail["parties"][0]["id_number"] == "370202198001011232"  # the partner needs it for disclosure
    assert "assign_mediator" in detail["allowed_actions"] and detail["deadline"]["period_days"] == 30
    ops_view = (await p.client.get(f"/v1/mediations/{ids[0]}", headers=p.auth("ops"))).json()
    assert ops_view["parties"][0]["id_number"] != "370202198001011232"
    # An offer not yet accepted shows the names (to check for conflicts) but not the id numbers.
    offer = (await p.client.get(f"/v1/mediations/{ids[1]}", headers=p.auth("partner", **PARTNER))).json()
    assert offer["parties"][0]["name"] == "张三"
    assert offer["parties"][0]["id_number"] != "370202198001011232"


async def test_the_whole_platform_offers_and_the_partner_accepts(sqlite_urls, bus_url):
    # every service's consumers, on both buses, each event delivered twice
    async with running(sqlite_urls, bus_url=bus_url, redeliver_first=True) as p:
        answer = await p.client.post("/v1/cases", json=case_body(), headers={
            **p.auth("clerk", court_code="370202"), "Idempotency-Key": "mediation-flow-1"})
        case_id = answer.json()["id"]
        await p.settle()
        listed = (await p.client.get("/v1/mediations", headers=p.auth("ops"))).json()["items"]
        [mediation] = [m for m in listed if m["case_id"] == case_id]
        partner = mediation["partner_id"]
        accepted = await p.client.post(f"/v1/mediations/{case_id}/accept", headers=p.auth("partner", partner_id=partner))
        assert accepted.status_code == 200, accepted.text
        await p.settle()
        view = (await p.client.get(f"/v1/cases/{case_id}", headers=p.auth("clerk", court_code="370202"))).json()
        assert view["status"] == "accepted"
        stats = (await p.client.get("/v1/stats", headers=p.auth("ops"))).json()
        assert stats["total"]["received"] >= 1 and stats["total"]["accepted"] >= 1
        await idle(p)
