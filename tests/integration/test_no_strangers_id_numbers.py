"""Whose id numbers leave where (2016 Art 15 declarations; the masking rule): a mediator's declared
conflicts name people who are not parties and never leave routing; the parties' id numbers appear in
full only to the clerk of the court that filed the case, masked to ops and in partners' webhooks."""

from __future__ import annotations

import json
import re

from tests.integration.notify.support import FAST, PartnerReceiver, serve, wait_until
from tests.support.cases import case_body
from tests.support.platform import running

ID_NUMBER = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")  # resident id or USCC
STRANGER = "370202198506301120"  # declared by P16-M02 in the roster: no party of the case
PARTIES = {"370202198001011232", "91370200MA3C00000K"}
EVENTS = ["case.received", "case.routed", "mediation.accepted", "mediation.mediator_assigned"]


def _id_numbers(document) -> set[str]:
    return set(ID_NUMBER.findall(json.dumps(document, ensure_ascii=False)))


async def test_only_the_parties_id_numbers_appear_and_only_to_the_clerk(sqlite_urls):
    receiver = PartnerReceiver()
    async with serve(receiver.app()) as base, running(sqlite_urls, settings={"notify": FAST}) as p:
        for auth in (p.auth("partner", partner_id="P16"), p.auth("ops")):
            created = await p.client.post("/v1/webhook-endpoints", headers=auth,
                                          json={"url": f"{base}/hooks", "event_types": EVENTS})
            assert created.status_code == 201, created.text
        clerk = p.auth("clerk", court_code="370202")
        filed = await p.client.post("/v1/cases", json=case_body(category="medical", summary="医疗纠纷"),
                                    headers={**clerk, "Idempotency-Key": "strangers-1"})
        assert filed.status_code == 201, filed.text
        case_id = filed.json()["id"]
        await p.settle()
        partner = p.auth("partner", partner_id="P16")
        accepted = await p.client.post(f"/v1/mediations/{case_id}/accept", headers=partner)
        assert accepted.status_code == 200, accepted.text
        # P16-M02 declared the stranger: routing told mediation only that M02 ties to no party here
        assigned = await p.client.post(f"/v1/mediations/{case_id}/mediator", json={"mediator_id": "P16-M02"},
                                       headers=partner)
        assert assigned.status_code == 200, assigned.text
        await p.settle()
        # ops hears every event; the partner every one but case.received (not yet its case then)
        await wait_until(lambda: _delivered(receiver, 2 * len(EVENTS) - 1), what="every webhook delivered")

        clerk_view = (await p.client.get(f"/v1/cases/{case_id}", headers=clerk)).json()
        ops_view = (await p.client.get(f"/v1/cases/{case_id}", headers=p.auth("ops"))).json()
        partner_view = (await p.client.get(f"/v1/mediations/{case_id}", headers=partner)).json()

    assert clerk_view["partner_id"] == "P16" and clerk_view["timeline"]
    assert _id_numbers(clerk_view) == PARTIES  # the filing court's clerk sees its parties in full
    assert _id_numbers(ops_view) == set() and ops_view["timeline"]
    assert _id_numbers(partner_view) == PARTIES  # accepted: the partner contacts them
    bodies = [json.loads(r.body) for r in receiver.successes]
    assert {b["type"] for b in bodies} == set(EVENTS)
    for body in bodies:
        assert _id_numbers(body) == set(), body
    everything = json.dumps([clerk_view, ops_view, partner_view, bodies], ensure_ascii=False)
    assert STRANGER not in everything
    assert "370202********1232" in everything  # the positive control: masked where shown


async def _delivered(receiver: PartnerReceiver, count: int) -> bool:
    return len(receiver.successes) >= count
