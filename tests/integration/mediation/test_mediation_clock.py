"""Acceptance 2: the calendar and the legal clock, through the consumer, the API and the sweeper
with a ManualClock. National Day 2025: holidays 1-8 October, make-up working days Sunday 28
September and Saturday 11 October."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.integration.mediation.helpers import APPLICANT, PARTIES, deliver, emitted, new_id, routed, row

SHANGHAI = timezone(timedelta(hours=8))


async def test_offer_on_the_last_working_day_before_national_day_lapses_after_the_third_working_day(platform,
                                                                                                   clock):
    p = platform
    rt = p.runtimes["mediation"]
    case_id = new_id()
    offered = datetime(2025, 9, 30, 16, 0, tzinfo=SHANGHAI)  # Tuesday, the last working day before the holiday
    clock.set(offered)
    await deliver(p, routed(case_id, at=offered))
    # working days after it: Thu 9 Oct, Fri 10 Oct, and the make-up Saturday 11 Oct, whose end closes it
    assert (await row(p, case_id)).offer_closes_at == datetime(2025, 10, 12, 0, 0, tzinfo=SHANGHAI)

    clock.set(datetime(2025, 10, 11, 23, 59, 59, tzinfo=SHANGHAI))
    assert await rt.offer_sweeper.sweep() == 0
    assert (await row(p, case_id)).status == "offered"

    clock.set(datetime(2025, 10, 12, 0, 0, tzinfo=SHANGHAI))
    late = await p.client.post(f"/v1/mediations/{case_id}/accept", headers=p.auth("partner", partner_id="P12"))
    assert late.status_code == 409 and (await row(p, case_id)).status == "offered"
    assert await rt.offer_sweeper.sweep() == 1
    assert await rt.offer_sweeper.sweep() == 0
    assert (await row(p, case_id)).status == "declined"
    [declined] = await emitted(p, case_id, "mediation.declined")
    assert declined["data"]["reason"] == "offer_lapsed"
    assert declined["data"]["partner_id"] == "P12" and declined["data"]["attempt"] == 1

    # routing answers with the next round: the offer re-opens for the new partner
    later = datetime(2025, 10, 12, 0, 5, tzinfo=SHANGHAI)
    await deliver(p, routed(case_id, partner_id="P22", attempt=2, at=later))
    reopened = await row(p, case_id)
    assert (reopened.status, reopened.partner_id, reopened.attempt) == ("offered", "P22", 2)
    # a replayed first round is stale
    await deliver(p, routed(case_id, partner_id="P12", attempt=1, at=later))
    assert (await row(p, case_id)).partner_id == "P22"


async def _in_mediation(p, clock, case_id: str) -> dict:
    await deliver(p, routed(case_id, at=clock.now()))
    auth = p.auth("partner", partner_id="P12")
    accepted = await p.client.post(f"/v1/mediations/{case_id}/accept", headers=auth)
    assert accepted.status_code == 200, accepted.text
    assigned = await p.client.post(f"/v1/mediations/{case_id}/mediator", json={"mediator_id": "P12-M02"},
                                   headers=auth)
    assert assigned.status_code == 200, assigned.text
    return assigned.json()


async def test_a_pause_of_ten_days_moves_a_thirty_day_deadline_by_ten_days(platform, clock):
    p = platform
    case_id = new_id()
    accepted_at = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
    clock.set(accepted_at)
    view = await _in_mediation(p, clock, case_id)
    # the day of acceptance does not count: 30 days end with 1 April, Shanghai time
    assert datetime.fromisoformat(view["deadline"]["due_at"]) == datetime(2026, 4, 2, tzinfo=SHANGHAI)
    [accepted] = await emitted(p, case_id, "mediation.accepted")
    assert datetime.fromisoformat(accepted["data"]["deadline"]) == datetime(2026, 4, 2, tzinfo=SHANGHAI)

    auth = p.auth("mediator", partner_id="P12", mediator_id="P12-M02")
    clock.advance(timedelta(days=5))
    paused = await p.client.post(f"/v1/mediations/{case_id}/pause", json={"reason": "鉴定评估"}, headers=auth)
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    assert (await row(p, case_id)).due_at is None  # stopped: the sweeper cannot expire it
    clock.advance(timedelta(days=10))
    resumed = await p.client.post(f"/v1/mediations/{case_id}/resume", headers=auth)
    assert resumed.status_code == 200, resumed.text
    # ten days later the last day is Saturday 11 April, a rest day: 民事诉讼法 Art 85 ends the
    # period with the next working day, Monday 13 April
    due = datetime(2026, 4, 14, tzinfo=SHANGHAI)
    assert datetime.fromisoformat(resumed.json()["deadline"]["due_at"]) == due
    assert (await row(p, case_id)).due_at == due
    assert [e["action"] for e in resumed.json()["audit"]][-2:] == ["pause", "resume"]


async def test_an_extension_needs_every_partys_consent(platform, clock):
    p = platform
    case_id = new_id()
    await _in_mediation(p, clock, case_id)
    auth = p.auth("mediator", partner_id="P12", mediator_id="P12-M02")
    before = (await row(p, case_id)).due_at
    refused = await p.client.post(f"/v1/mediations/{case_id}/extensions",
                                  json={"days": 15, "consents": [APPLICANT]}, headers=auth)
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["errors"][0]["field"] == "consents"
    assert problem["party_ids"] == [PARTIES[1]]
    assert (await row(p, case_id)).due_at == before
    assert await emitted(p, case_id, "mediation.extended") == []

    granted = await p.client.post(f"/v1/mediations/{case_id}/extensions",
                                  json={"days": 15, "consents": PARTIES}, headers=auth)
    assert granted.status_code == 201, granted.text
    new_deadline = datetime.fromisoformat(granted.json()["new_deadline"])
    assert new_deadline == before + timedelta(days=15)
    assert granted.json()["extensions"][0]["consents"] == sorted(PARTIES)
    [extended] = await emitted(p, case_id, "mediation.extended")
    assert datetime.fromisoformat(extended["data"]["deadline"]) == new_deadline


async def test_spc_2025_allows_one_extension_of_at_most_thirty_days(platform, clock):
    p = platform
    case_id = new_id()
    await deliver(p, routed(case_id, at=clock.now(), mode="entrustment", period_days=15, policy_pack="spc-2025"))
    auth = p.auth("partner", partner_id="P12")
    assert (await p.client.post(f"/v1/mediations/{case_id}/accept", headers=auth)).status_code == 200
    too_long = await p.client.post(f"/v1/mediations/{case_id}/extensions", json={"days": 31, "consents": PARTIES},
                                   headers=auth)
    assert too_long.status_code == 422
    ok = await p.client.post(f"/v1/mediations/{case_id}/extensions", json={"days": 30, "consents": PARTIES},
                             headers=auth)
    assert ok.status_code == 201
    again = await p.client.post(f"/v1/mediations/{case_id}/extensions", json={"days": 5, "consents": PARTIES},
                                headers=auth)
    assert again.status_code == 409
