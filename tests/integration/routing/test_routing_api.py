"""The routing API: partners, rules, decisions and simulation; auth, validation and scoping."""

from __future__ import annotations

from tests.integration.routing.helpers import DOCKETED, counts, deliver, received, routing_service
from tests.support.cases import case_body


async def test_partners_list_filters_paginate_and_mask_conflict_id_numbers_for_non_ops(pg_database):
    async with routing_service(pg_database) as p:
        clerk, ops = p.auth("clerk", court_code="370202"), p.auth("ops")
        seen, cursor = [], None
        while True:
            page = (await p.client.get("/v1/partners", params={"limit": 10, **({"cursor": cursor} if cursor else {})},
                                       headers=clerk)).json()
            seen += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        serving = (await p.client.get("/v1/partners", params={"category": "property_service", "district": "370202",
                                                              "mode": "delegation", "active": "true"},
                                      headers=clerk)).json()
        bad = await p.client.get("/v1/partners", params={"category": "spaceships", "mode": "postal"}, headers=clerk)
        masked = (await p.client.get("/v1/partners/P18", headers=clerk)).json()
        shown = (await p.client.get("/v1/partners/P18", headers=ops)).json()
        p12 = (await p.client.get("/v1/partners/P12", headers=p.auth("partner", partner_id="P12"))).json()
        missing = await p.client.get("/v1/partners/P99", headers=clerk)
        anonymous = await p.client.get("/v1/partners")
    assert seen == [f"P{n:02d}" for n in range(1, 36)]
    assert [item["id"] for item in serving["items"]] == ["P01", "P24", "P35"]
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"category", "mode"}
    assert masked["conflicts"]["id_numbers"] == ["370211********3028"]
    assert shown["conflicts"]["id_numbers"] == ["370211198707153028"]
    assert p12["name"]["zh"] == "青岛市律师协会律师调解中心" and p12["citywide"] is True
    assert {"capacity", "open_cases", "active", "modes", "categories", "claim_range", "kind"} <= p12.keys()
    assert p12["mediators"][0]["conflicts"]["law_firms"] == ["某律师事务所"] and p12["mediators"][0]["specialties"]
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    assert anonymous.status_code == 401


async def test_patch_partner_is_ops_only_and_accepts_capacity_and_active_only(pg_database):
    async with routing_service(pg_database) as p:
        ops = p.auth("ops")
        as_partner = await p.client.patch("/v1/partners/P24", json={"capacity": 5},
                                          headers=p.auth("partner", partner_id="P24"))
        no_token = await p.client.patch("/v1/partners/P24", json={"capacity": 5})
        renamed = await p.client.patch("/v1/partners/P24", json={"name_en": "x", "capacity": -1}, headers=ops)
        typed = await p.client.patch("/v1/partners/P24", json={"capacity": "5", "active": "yes"}, headers=ops)
        empty = await p.client.patch("/v1/partners/P24", json={}, headers=ops)
        unknown = await p.client.patch("/v1/partners/P99", json={"capacity": 5}, headers=ops)
        unchanged = (await p.client.get("/v1/partners/P24", headers=ops)).json()
        changed = await p.client.patch("/v1/partners/P24", json={"capacity": 0, "active": False}, headers=ops)
        listed = (await p.client.get("/v1/partners", params={"active": "false"}, headers=ops)).json()
    assert (as_partner.status_code, no_token.status_code) == (403, 401)
    assert renamed.status_code == 422 and {e["field"] for e in renamed.json()["errors"]} == {"name_en", "capacity"}
    assert typed.status_code == 422 and {e["field"] for e in typed.json()["errors"]} == {"capacity", "active"}
    assert empty.status_code == 422 and unknown.status_code == 404
    assert (unchanged["capacity"], unchanged["active"]) == (60, True)
    assert changed.status_code == 200 and (changed.json()["capacity"], changed.json()["active"]) == (0, False)
    assert [item["id"] for item in listed["items"]] == ["P24"]


async def test_rules_put_validates_refuses_bad_versions_and_installs_the_next(pg_database):
    async with routing_service(pg_database) as p:
        ops = p.auth("ops")
        current = (await p.client.get("/v1/routing/rules", headers=p.auth("mediator", partner_id="P01",
                                                                          mediator_id="P01-M01"))).json()
        bad = {**current, "weights": {**current["weights"], "preferred_choice": 1.0},
               "filters": [f for f in current["filters"] if f != "conflict"]}
        refused = await p.client.put("/v1/routing/rules", json=bad, headers=ops)
        as_clerk = await p.client.put("/v1/routing/rules", json=current, headers=p.auth("clerk", court_code="370202"))
        no_token = await p.client.put("/v1/routing/rules", json=current)
        not_object = await p.client.put("/v1/routing/rules", json=[1], headers=ops)
        after_refusals = (await p.client.get("/v1/routing/rules", headers=ops)).json()
        good = {**current, "filters": [f for f in current["filters"] if f != "district"]}
        installed = await p.client.put("/v1/routing/rules", json=good, headers=ops)
        stale = await p.client.put("/v1/routing/rules", json=good, headers=ops)
        in_force = (await p.client.get("/v1/routing/rules", headers=ops)).json()
    assert current["version"] == 1 and current["installed_by"] == "seed"
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {"weights", "filters"}
    assert (as_clerk.status_code, no_token.status_code, not_object.status_code) == (403, 401, 422)
    assert after_refusals["version"] == 1
    assert installed.status_code == 200 and installed.json()["version"] == 2
    assert installed.json()["installed_by"].startswith("ops:")
    assert stale.status_code == 409  # based on version 1 while 2 is in force
    assert in_force["version"] == 2 and "district" not in in_force["filters"]


async def test_decisions_explain_every_exclusion_and_are_scoped_to_ops_the_court_and_the_partner(pg_database):
    case = received(stage="post_filing", procedure="ordinary", category="commercial_contract",
                    claim_amount="80000.00", **DOCKETED)
    async with routing_service(pg_database) as p:
        await deliver(p, case)
        url = f"/v1/routing/decisions/{case.case_id}"
        as_ops = await p.client.get(url, headers=p.auth("ops"))
        chosen = as_ops.json()["items"][0]["partner_id"]
        as_partner = await p.client.get(url, headers=p.auth("partner", partner_id=chosen))
        as_other_partner = await p.client.get(url, headers=p.auth("partner", partner_id="P27"))
        as_clerk = await p.client.get(url, headers=p.auth("clerk", court_code="370202"))
        as_other_court = await p.client.get(url, headers=p.auth("clerk", court_code="370203"))
        as_mediator = await p.client.get(url, headers=p.auth("mediator", partner_id=chosen, mediator_id="x"))
        unknown = await p.client.get("/v1/routing/decisions/no-such-case", headers=p.auth("ops"))
    assert as_ops.status_code == 200
    [decision] = as_ops.json()["items"]
    assert {"outcome", "mode", "partner_id", "reason", "policy_pack", "ruleset_version", "period_days",
            "candidates", "excluded", "decided_at", "explanation"} <= decision.keys()
    assert decision["explanation"].startswith(f"Routed to {chosen}")
    assert all(c["parts"] and c["partner_name"] for c in decision["candidates"])
    conflict = next(e for e in decision["excluded"] if e["partner_id"] == "P27")
    assert conflict["reason"] == "conflict"
    assert conflict["explanation"].startswith("P27 Qingdao") and "某律师事务所" in conflict["explanation"]
    assert "370202198001011232" not in as_ops.text  # no personal data in decisions
    assert as_partner.status_code == 200 and as_clerk.status_code == 200
    assert as_other_partner.status_code == 404 and as_other_court.status_code == 404
    assert as_mediator.status_code == 403 and unknown.status_code == 404


async def test_simulate_decides_without_storing_or_sending_and_validates_with_field_paths(pg_database):
    async with routing_service(pg_database) as p:
        ops = p.auth("ops")
        before = await counts(p)
        routed = await p.client.post("/v1/routing/simulate", json=case_body(), headers=ops)
        returned = await p.client.post("/v1/routing/simulate", params={"policy_pack": "spc-2025"},
                                       json=case_body(), headers=ops)
        broken = case_body(stage="post_filing", category="nonsense", claim_amount=12.5)
        broken["parties"][1]["id_number"] = "123"
        invalid = await p.client.post("/v1/routing/simulate", json=broken, headers=ops)
        no_respondent = case_body()
        no_respondent["parties"][1]["role"] = "third_party"
        missing_role = await p.client.post("/v1/routing/simulate", json=no_respondent, headers=ops)
        as_clerk = await p.client.post("/v1/routing/simulate", json=case_body(),
                                       headers=p.auth("clerk", court_code="370202"))
        after = await counts(p)
        loads = [item["open_cases"] for item in (await p.client.get("/v1/partners", headers=ops)).json()["items"]]
    assert routed.status_code == 200, routed.text
    assert (routed.json()["outcome"], routed.json()["partner_id"], routed.json()["simulated"]) == ("routed", "P24", True)
    assert (returned.json()["outcome"], returned.json()["return_to_court"]) == ("unroutable", "docket")
    assert invalid.status_code == 422
    assert {e["field"] for e in invalid.json()["errors"]} == {"category", "claim_amount", "parties[1].id_number"}
    assert missing_role.status_code == 422 and missing_role.json()["errors"][0]["field"] == "parties"
    assert as_clerk.status_code == 403
    assert before == after == (0, 0) and not any(loads)
