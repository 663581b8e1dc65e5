"""What routing's record says, through the API (issue #10, acceptance 2): the ruleset names its policy
pack and the filing dates it applies from; a decision accounts for every partner of the category,
and `?partner_id=` explains one."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from shared.events import Envelope
from tests.integration.routing.helpers import decisions, deliver, received, routing_service

# The consumer-dispute bodies of the model roster (domain.md): the ten district centres, the
# consumers' association, the online dispute committee and the 12348 hotline.
CONSUMER_BODIES = {*(f"P{n:02d}" for n in range(1, 11)), "P15", "P26", "P35"}


def filed_at(envelope: Envelope, moment: datetime) -> Envelope:
    """The case as intake would have sent it had it been filed at `moment`."""
    return Envelope.new("case.received", envelope.case_id, "intake", envelope.data, occurred_at=moment)


async def test_the_ruleset_shows_its_pack_schedule_and_a_switch_applies_by_filing_date(pg_database):
    beijing = timezone(timedelta(hours=8))
    async with routing_service(pg_database) as p:
        ops = p.auth("ops")
        shown = (await p.client.get("/v1/routing/rules", headers=p.auth("clerk", court_code="370202"))).json()
        [default] = shown["policy_packs"]
        # out of order, an unknown pack, a date before the pack is in force: refused, naming each field
        bad = await p.client.put("/v1/routing/rules", headers=ops, json={**shown, "policy_packs": [
            default, {"pack": "spc-2025", "applies_from": "2024-12-01"}, {"pack": "spc-1999", "applies_from": "2030-01-01"},
        ]})
        unordered = await p.client.put("/v1/routing/rules", headers=ops, json={**shown, "policy_packs": [
            {"pack": "spc-2025", "applies_from": "2027-01-01"}, default]})
        unchanged = (await p.client.get("/v1/routing/rules", headers=ops)).json()
        switched = await p.client.put("/v1/routing/rules", headers=ops, json={**shown, "policy_packs": [
            default, {"pack": "spc-2025", "applies_from": "2027-01-01"}]})
        # filed at 23:59 on 31 December and at 00:30 on 1 January, Beijing time
        before = filed_at(received(), datetime(2026, 12, 31, 23, 59, tzinfo=beijing))
        after = filed_at(received(), datetime(2027, 1, 1, 0, 30, tzinfo=beijing))
        await deliver(p, before, after)
        [old] = await decisions(p, before.case_id)
        [new] = await decisions(p, after.case_id)
    assert default["pack"] == "spc-2016" and default["applies_from"] == "2016-07-01"
    assert "model the city built" in default["why"] and "spc-2025" in default["why"]
    assert shown["policy_pack_in_force"]["pack"] == "spc-2016"
    assert shown["policy_pack_in_force"]["applies_from"] == "2016-07-01"
    assert shown["policy_pack_in_force"]["applies_until"] is None
    assert {p["code"]: p["valid_from"] for p in shown["available_policy_packs"]} == {
        "spc-2016": "2016-07-01", "spc-2025": "2025-01-01"}
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"policy_packs.1", "policy_packs.2"}
    assert unordered.status_code == 422 and {e["field"] for e in unordered.json()["errors"]} == {"policy_packs"}
    assert unchanged["version"] == shown["version"]
    assert switched.status_code == 200
    in_force = switched.json()["policy_pack_in_force"]
    assert (in_force["pack"], in_force["applies_until"]) == ("spc-2016", "2027-01-01")
    assert [e["pack"] for e in switched.json()["policy_packs"]] == ["spc-2016", "spc-2025"]
    # the case filed on 31 December keeps spc-2016; the one filed on 1 January is refused delegation
    assert (old.outcome, old.document["policy_pack"]) == ("routed", "spc-2016")
    assert (new.outcome, new.document["policy_pack"], new.document["reason"]) == (
        "unroutable", "spc-2025", "mode_not_allowed")


async def test_a_decision_accounts_for_every_partner_of_the_category_and_explains_one(pg_database):
    async with routing_service(pg_database) as p:
        case = received(category="consumer", district="370202", claim_amount="3000.00")
        await deliver(p, case)
        url = f"/v1/routing/decisions/{case.case_id}"
        ops = p.auth("ops")
        [decision] = (await p.client.get(url, headers=ops)).json()["items"]
        chosen = decision["partner_id"]
        about = {pid: (await p.client.get(url, params={"partner_id": pid}, headers=ops)).json()
                 for pid in ("P07", "P13", chosen, "P15")}
        unknown = await p.client.get(url, params={"partner_id": "P99"}, headers=ops)
        bad = await p.client.get(url, params={"partner_id": "P0 7"}, headers=ops)
        as_partner = p.auth("partner", partner_id=chosen)
        own = await p.client.get(url, params={"partner_id": chosen}, headers=as_partner)
        other = await p.client.get(url, params={"partner_id": "P07"}, headers=as_partner)
    excluded = {e["partner_id"]: e for e in decision["excluded"]}
    accounted = {chosen} | {c["partner_id"] for c in decision["candidates"]} | set(excluded)
    assert accounted == CONSUMER_BODIES
    # the nine other district centres: outside the dispute's area, explained on request
    for pid in (f"P{n:02d}" for n in range(2, 11)):
        assert (excluded[pid]["reason"], excluded[pid]["evaluated"]) == ("area", "on_request"), pid
        assert "市南区" in excluded[pid]["detail"]
    assert all(e["evaluated"] == "at_decision" for pid, e in excluded.items() if pid in {"P01", "P15", "P26", "P35"})
    [p07] = about["P07"]["items"]
    assert (p07["status"], p07["reason"]) == ("excluded", "area")
    assert "即墨区" in p07["detail"] and about["P07"]["items"][0]["explanation"].startswith("P07 ")
    [p13] = about["P13"]["items"]
    assert (p13["status"], p13["reason"]) == ("excluded", "category")  # labour only
    [mine] = about[chosen]["items"]
    assert mine["status"] == "chosen" and mine["detail"].startswith(f"Routed to {chosen}")
    [p15] = about["P15"]["items"]
    if "P15" in {c["partner_id"] for c in decision["candidates"]}:
        assert p15["status"] == "eligible" and p15["rank"] >= 2 and "ranked" in p15["detail"]
    else:
        assert p15["status"] == "excluded" and p15["reason"] == excluded["P15"]["reason"]
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["field"] == "partner_id"
    assert bad.status_code == 422
    assert own.status_code == 200 and other.status_code == 404
