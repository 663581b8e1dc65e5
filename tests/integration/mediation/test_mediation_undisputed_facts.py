"""2016 Art 22 / 2021 Art 18 on PostgreSQL: the facts every party signed as undisputed, recorded
during the mediation, reach the court with an expiry (2021 Art 25: the period ran out) or a failure
that records none itself; a fact one party did not sign is refused (422) and changes nothing."""

from __future__ import annotations

from datetime import timedelta

from services.notify.domain.handoff import build_handoff
from tests.integration.mediation.helpers import APPLICANT, PARTIES, audit_actions, emitted, put_many, row

FACT = "双方确认：申请人已于2026年2月1日交付房屋，被申请人欠付物业费12500元。"


async def test_facts_signed_by_both_parties_reach_the_court_with_an_expiry(platform, clock):
    p = platform
    now = clock.now()
    [case] = await put_many(p, [{"status": "in_mediation", "accepted_at": now - timedelta(days=29),
                                 "due_at": now + timedelta(hours=1), "mediator_id": "P12-M02"}])
    mediator = p.auth("mediator", partner_id="P12", mediator_id="P12-M02")
    half = await p.client.post(f"/v1/mediations/{case.case_id}/undisputed-facts", headers=mediator,
                               json={"facts": [{"text": FACT, "signed_by": [APPLICANT]}]})
    assert half.status_code == 422, half.text
    assert half.json()["errors"][0]["field"] == "facts[0].signed_by"
    assert (await row(p, case.case_id)).undisputed_facts is None
    other_partner = p.auth("partner", partner_id="P13")
    assert (await p.client.post(f"/v1/mediations/{case.case_id}/undisputed-facts", headers=other_partner,
                                json={"facts": [{"text": FACT, "signed_by": PARTIES}]})).status_code == 404

    kept = await p.client.post(f"/v1/mediations/{case.case_id}/undisputed-facts", headers=mediator,
                               json={"facts": [{"text": FACT, "signed_by": PARTIES}]})
    assert kept.status_code == 200, kept.text
    assert kept.json()["undisputed_facts"] == [{"text": FACT, "signed_by": sorted(PARTIES)}]
    assert "record_undisputed_facts" in await audit_actions(p, case.case_id)

    clock.advance(timedelta(hours=2))
    assert await p.runtimes["mediation"].deadline_sweeper.sweep() == 1
    [expired] = await emitted(p, case.case_id, "mediation.expired")
    assert expired["data"]["undisputed_facts"] == [{"text": FACT, "signed_by": sorted(PARTIES)}]
    handoff = build_handoff(expired["type"], expired)
    assert handoff.type.value == "docket" and handoff.undisputed_facts == (FACT,)


async def test_a_failure_without_facts_of_its_own_carries_those_recorded(platform, clock):
    p = platform
    now = clock.now()
    [case] = await put_many(p, [{"status": "in_mediation", "accepted_at": now - timedelta(days=3),
                                 "due_at": now + timedelta(days=20), "mediator_id": "P12-M02",
                                 "undisputed_facts": [{"text": FACT, "signed_by": sorted(PARTIES)}]}])
    mediator = p.auth("mediator", partner_id="P12", mediator_id="P12-M02")
    failed = await p.client.post(f"/v1/mediations/{case.case_id}/outcome", headers=mediator,
                                 json={"result": "failed", "ground": "positions_too_far_apart"})
    assert failed.status_code == 200, failed.text
    [event] = await emitted(p, case.case_id, "mediation.failed")
    assert [f["text"] for f in event["data"]["undisputed_facts"]] == [FACT]
    assert build_handoff(event["type"], event).undisputed_facts == (FACT,)
