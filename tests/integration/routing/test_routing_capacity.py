"""Re-routing on a decline and capacity that follows case.routed, declines and outcomes."""

from __future__ import annotations

from shared.events import Envelope
from tests.integration.routing.helpers import (decisions, declined, deliver, open_cases, received,
                                               routing_service, sent)


async def test_art12_2021_decline_reroutes_to_a_different_partner_once_per_attempt(pg_database):
    async with routing_service(pg_database) as p:
        case = received()
        await deliver(p, case)
        assert await open_cases(p, "P24") == 1
        decline = declined(case.case_id, "P24", attempt=1)
        await deliver(p, decline)
        await deliver(p, decline)  # the bus delivers at least once
        await deliver(p, declined(case.case_id, "P24", attempt=1))  # a second decline of the same round
        rows = await decisions(p, case.case_id)
        events = await sent(p, case.case_id)
        assert (await open_cases(p, "P24"), await open_cases(p, "P01")) == (0, 1)
    assert [(r.attempt, r.partner_id) for r in rows] == [(1, "P24"), (2, "P01")]
    assert [(kind, data["attempt"], data["partner_id"]) for kind, data in events] == [
        ("case.routed", 1, "P24"), ("case.routed", 2, "P01")]
    excluded = {e["partner_id"]: e["reason"] for e in rows[1].document["excluded"]}
    assert excluded == {"P24": "declined_before"}


async def test_capacity_follows_routing_declines_and_outcomes_after_ops_lowers_it(pg_database):
    async with routing_service(pg_database) as p:
        answer = await p.client.patch("/v1/partners/P24", json={"capacity": 1}, headers=p.auth("ops"))
        assert answer.status_code == 200, answer.text
        first, second = received(), received()
        await deliver(p, first)
        await deliver(p, second)
        assert [r.partner_id for r in await decisions(p, first.case_id)] == ["P24"]
        [row] = await decisions(p, second.case_id)
        assert row.partner_id == "P01"
        assert {"partner_id": "P24", "reason": "capacity"}.items() <= row.document["excluded"][0].items()

        await deliver(p, Envelope.new("mediation.settled", first.case_id, "mediation", {"partner_id": "P24"}))
        assert await open_cases(p, "P24") == 0
        third = received()
        await deliver(p, third)
        assert [r.partner_id for r in await decisions(p, third.case_id)] == ["P24"]
        await deliver(p, Envelope.new("case.withdrawn", third.case_id, "intake", {}))
        assert (await open_cases(p, "P24"), await open_cases(p, "P01")) == (0, 1)

        view = (await p.client.get("/v1/partners/P01", headers=p.auth("partner", partner_id="P01"))).json()
        assert (view["open_cases"], view["capacity"]) == (1, 80)


async def test_inactive_partner_is_skipped_and_ruleset_version_is_pinned_on_reroute(pg_database):
    async with routing_service(pg_database) as p:
        ops = p.auth("ops")
        pinned = received()
        await deliver(p, pinned)
        rules = (await p.client.get("/v1/routing/rules", headers=ops)).json()
        rules["weights"]["locality"] = 3.5
        answer = await p.client.put("/v1/routing/rules", json=rules, headers=ops)
        assert answer.status_code == 200, answer.text
        assert answer.json()["version"] == 2
        await deliver(p, declined(pinned.case_id, "P24", attempt=1))
        assert [r.document["ruleset_version"] for r in await decisions(p, pinned.case_id)] == [1, 1]

        assert (await p.client.patch("/v1/partners/P24", json={"active": False}, headers=ops)).status_code == 200
        fresh = received()
        await deliver(p, fresh)
        [row] = await decisions(p, fresh.case_id)
    assert row.document["ruleset_version"] == 2
    assert row.partner_id == "P01"
    assert {"partner_id": "P24", "reason": "inactive"}.items() <= row.document["excluded"][0].items()
