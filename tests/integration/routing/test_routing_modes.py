"""Each mode under each policy pack, consent and recusal, through the running routing service:
case.received in, a stored decision and case.routed / case.unroutable out."""

from __future__ import annotations

import json
import re

from tests.integration.routing.helpers import DOCKETED, decisions, deliver, received, routing_service, sent


async def _route(p, envelope):
    await deliver(p, envelope)
    [(kind, data)] = await sent(p, envelope.case_id)
    [row] = await decisions(p, envelope.case_id)
    return kind, data, row


async def test_spc2016_art11_2016_delegation_entrustment_invitation_and_art24_2021_periods(pg_database):
    async with routing_service(pg_database, "spc-2016") as p:
        kind, data, row = await _route(p, received())
        assert (kind, data["mode"], data["partner_id"], data["period_days"]) == ("case.routed", "delegation", "P24", 30)
        assert row.document["policy_pack"] == "spc-2016" and row.document["ruleset_version"] == 1
        assert data["case"]["court_code"] == "370202" and data["mediators"]
        # the offer names no party: mediation and notify keep the parties from case.received
        assert "parties" not in data["case"] and not re.search(r"\d{17}[\dXx]", json.dumps(data))

        kind, data, _ = await _route(p, received(stage="post_filing", procedure="ordinary", **DOCKETED))
        assert (kind, data["mode"], data["partner_id"], data["period_days"]) == ("case.routed", "entrustment", "P24", 15)

        kind, data, row = await _route(p, received(stage="in_litigation", procedure="summary", category="family",
                                                   **DOCKETED))
        assert (kind, data["mode"], data["partner_id"], data["period_days"]) == ("case.routed", "invitation", "P25", 7)
        assert {"partner_id": "P01", "reason": "mode"}.items() <= row.document["excluded"][0].items()


async def test_spc2016_direct_self_mediation_stays_with_the_partner_the_party_went_to(pg_database):
    async with routing_service(pg_database, "spc-2016") as p:
        kind, data, _ = await _route(p, received(stage="direct", partner_id="P24"))
    assert (kind, data["mode"], data["partner_id"], data["period_days"]) == ("case.routed", "self", "P24", 30)


async def test_spc2025_pre_filing_is_returned_to_the_court_to_be_docketed_other_modes_still_route(pg_database):
    async with routing_service(pg_database, "spc-2025") as p:
        kind, data, row = await _route(p, received())
        assert kind == "case.unroutable"
        assert (data["reason"], data["return_to_court"], data["policy_pack"]) == ("mode_not_allowed", "docket", "spc-2025")
        assert "登记立案" in data["explanation"]
        assert row.outcome == "unroutable" and row.partner_id is None

        kind, data, _ = await _route(p, received(stage="post_filing", procedure="summary", **DOCKETED))
        assert (kind, data["mode"], data["partner_id"], data["period_days"]) == ("case.routed", "entrustment", "P24", 7)
        kind, data, _ = await _route(p, received(stage="in_litigation", procedure="ordinary", category="family",
                                                 **DOCKETED))
        assert (kind, data["mode"], data["partner_id"], data["period_days"]) == ("case.routed", "invitation", "P25", 15)
        kind, data, _ = await _route(p, received(stage="direct", partner_id="P24"))
        assert (kind, data["mode"], data["partner_id"]) == ("case.routed", "self", "P24")
        assert data["policy_pack"] == "spc-2025"


async def test_art11_2016_one_non_consenting_party_makes_the_case_unroutable_consent_refused(pg_database):
    envelope = received()
    envelope.data["parties"][1]["consents_to_mediation"] = False
    async with routing_service(pg_database) as p:
        kind, data, row = await _route(p, envelope)
        litigation = received(stage="in_litigation", procedure="ordinary", category="family", **DOCKETED)
        litigation.data["parties"][0]["consents_to_mediation"] = False
        kind_2, data_2, _ = await _route(p, litigation)
    assert kind == "case.unroutable" and row.outcome == "unroutable"
    assert (data["reason"], data["return_to_court"]) == ("consent_refused", "docket")
    assert "parties[1] (respondent)" in data["explanation"] and "2016 Art 11" in data["explanation"]
    assert (kind_2, data_2["reason"], data_2["return_to_court"]) == ("case.unroutable", "consent_refused", "resume_trial")


async def test_art15_2016_partner_declaring_the_law_firm_is_excluded_with_reason_conflict(pg_database):
    # The respondent's lawyers are 某律师事务所: P27 declared that firm; P12 has one mediator who did,
    # but its other mediators are free, so the body stays eligible.
    envelope = received(stage="post_filing", procedure="ordinary", category="commercial_contract",
                        claim_amount="80000.00", **DOCKETED)
    async with routing_service(pg_database) as p:
        kind, data, row = await _route(p, envelope)
    excluded = {e["partner_id"]: e for e in row.document["excluded"]}
    assert excluded["P27"]["reason"] == "conflict"
    assert "某律师事务所" in excluded["P27"]["detail"] and "2016 Art 15" in excluded["P27"]["detail"]
    assert "P12" in {c["partner_id"] for c in row.document["candidates"]}
    assert kind == "case.routed" and data["partner_id"] != "P27"
