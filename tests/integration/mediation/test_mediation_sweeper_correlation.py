"""A sweeper moves a case outside any request or event: the events it emits and its log lines carry
the case's own correlation id, the one case.routed brought (#12: the id follows the case through
the sweepers)."""

from __future__ import annotations

from datetime import timedelta

from shared.events import Envelope
from tests.integration.mediation.helpers import emitted, mediators, put


async def test_a_lapsed_offer_and_an_expiry_carry_the_cases_correlation_id(platform, clock):
    p = platform
    rt = p.runtimes["mediation"]
    routed = Envelope.new("case.routed", "c0ffee00-0000-4000-8000-000000000001", "routing", {
        "attempt": 1, "mode": "delegation", "partner_id": "P12", "partner_name": "P12", "policy_pack": "spc-2016",
        "ruleset_version": 1, "period_days": 30, "mediators": mediators(),
        "case": {"court_code": "370202", "stage": "pre_filing", "category": "commercial_contract",
                 "district": "370202"}}, occurred_at=clock.now(), correlation_id="court-req-4711")
    await p.bus.publish(routed)
    await p.settle()
    # another case, opened before its correlation id was kept: a fresh id, as before
    old = await put(p, status="accepted", accepted_at=clock.now() - timedelta(days=40),
                    due_at=clock.now() - timedelta(days=9))

    clock.advance(timedelta(days=10))
    assert await rt.offer_sweeper.sweep() == 1
    assert await rt.deadline_sweeper.sweep() == 1

    [lapsed] = await emitted(p, routed.case_id, "mediation.declined")
    assert lapsed["correlation_id"] == "court-req-4711"
    [expired] = await emitted(p, old.case_id, "mediation.expired")
    assert expired["correlation_id"] and expired["correlation_id"] != "court-req-4711"
