"""case.routed names no party (2016 Art 15 declarations stay in routing): mediation keeps the parties
from case.received, whichever of the two events arrives first, and recusal still works on them."""

from __future__ import annotations

import pytest

from shared.events import Envelope
from tests.integration.mediation.helpers import (CONFLICTED_FIRM, RESPONDENT, case_facts, deliver, new_id, routed,
                                                 row)

PARTNER = {"partner_id": "P12"}


def _slim_routed(case_id: str, at):
    envelope = routed(case_id, at=at)
    envelope.data["case"] = {k: v for k, v in envelope.data["case"].items() if k != "parties"}
    return envelope


def _received(case_id: str, at) -> Envelope:
    return Envelope.new("case.received", case_id, "intake", case_facts(), occurred_at=at)


@pytest.mark.parametrize("received_first", [True, False], ids=["received-first", "routed-first"])
async def test_the_offer_gets_its_parties_from_case_received_in_either_order(platform, clock, received_first):
    p, case_id = platform, new_id()
    events = [_received(case_id, clock.now()), _slim_routed(case_id, clock.now())]
    for envelope in events if received_first else reversed(events):
        await deliver(p, envelope)
    mediation = await row(p, case_id)
    assert mediation.status == "offered"
    assert [party["party_id"] for party in mediation.case_snapshot["parties"]] == [
        party["party_id"] for party in case_facts()["parties"]]

    auth = p.auth("partner", **PARTNER)
    assert (await p.client.post(f"/v1/mediations/{case_id}/accept", headers=auth)).status_code == 200
    refused = await p.client.post(f"/v1/mediations/{case_id}/mediator", json={"mediator_id": "P12-M01"},
                                  headers=auth)
    # the tie routing sent names the respondent; its value is the respondent's own agent's firm
    assert refused.status_code == 409, refused.text
    [conflict] = refused.json()["conflicts"]
    assert conflict["kind"] == "law_firm" and conflict["party_ids"] == [RESPONDENT]
    assert CONFLICTED_FIRM not in str(mediation.mediators)
    free = await p.client.post(f"/v1/mediations/{case_id}/mediator", json={"mediator_id": "P12-M02"},
                               headers=auth)
    assert free.status_code == 200, free.text
