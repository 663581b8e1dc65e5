"""A case withdrawn a moment after filing: its events can be handled out of order (consumers run
several messages at once), and a case.withdrawn that overtakes the routing must still win. On both
buses, every event delivered twice (the first delivery fails after its handler ran)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from services.mediation.store.models import Mediation
from services.routing.store.models import DecisionRow, PartnerRow
from shared.events import Envelope
from tests.support.platform import running


def _received(case_id: str) -> Envelope:
    party = {"role": "applicant", "kind": "person", "name": "张三", "id_number": "370202198001011232",
             "consents_to_mediation": True, "party_id": str(uuid.uuid4())}
    other = {**party, "role": "respondent", "party_id": str(uuid.uuid4()), "id_number": "91370200MA3C00000K",
             "kind": "organization"}
    return Envelope.new("case.received", case_id, "intake", {
        "court_code": "370202", "stage": "pre_filing", "mode": "delegation", "category": "property_service",
        "district": "370202", "claim_amount": "12500.00", "parties": [party, other]})


async def test_withdrawal_that_overtakes_the_routing_routes_nothing_and_takes_no_capacity(sqlite_urls, bus_url):
    case_id = str(uuid.uuid4())
    async with running({"routing": sqlite_urls["routing"], "mediation": sqlite_urls["mediation"]},
                       bus_url=bus_url, redeliver_first=True) as p:
        await p.bus.publish(Envelope.new("case.withdrawn", case_id, "intake", {"reason": "撤回"}))
        await p.settle()
        await p.bus.publish(_received(case_id))
        control = str(uuid.uuid4())  # the same case, not withdrawn: proves routing runs here at all
        await p.bus.publish(_received(control))
        await p.settle()
        async with p.runtimes["routing"].db.read() as session:
            decided = (await session.execute(select(DecisionRow.case_id, DecisionRow.outcome))).all()
            assert [(c, o) for c, o in decided] == [(control, "routed")]
            assert await session.scalar(select(func.sum(PartnerRow.open_cases))) == 1


async def test_withdrawal_that_overtakes_the_offer_opens_no_offer(sqlite_urls, bus_url):
    case_id = str(uuid.uuid4())
    async with running({"mediation": sqlite_urls["mediation"]}, bus_url=bus_url, redeliver_first=True) as p:
        await p.bus.publish(Envelope.new("case.withdrawn", case_id, "intake", {"reason": "撤回"}))
        await p.settle()
        await p.bus.publish(Envelope.new("case.routed", case_id, "routing", {
            "attempt": 1, "partner_id": "P24", "mode": "delegation", "period_days": 30,
            "case": _received(case_id).data, "mediators": []}))
        await p.bus.publish(_received(case_id))
        control = str(uuid.uuid4())  # routed and not withdrawn: it does open an offer
        await p.bus.publish(Envelope.new("case.routed", control, "routing", {
            "attempt": 1, "partner_id": "P24", "mode": "delegation", "period_days": 30,
            "case": _received(control).data, "mediators": []}))
        await p.bus.publish(_received(control))
        await p.settle()
        async with p.runtimes["mediation"].db.read() as session:
            assert await session.get(Mediation, case_id) is None
            assert await session.get(Mediation, control) is not None
