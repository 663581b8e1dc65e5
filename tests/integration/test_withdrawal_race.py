"""Withdrawal wins every race (issue #10 item 10): a case the court withdraws while its offer is being
declined is not offered again to the next partner, whichever of the two each service hears first.

Real PostgreSQL for routing and mediation: the handlers run concurrently in transactions of their
own, as two consumers (or two replicas) would, so the row locks decide the order, not the test."""

from __future__ import annotations

import asyncio
import random

from sqlalchemy import func, select

from services.mediation.store.models import AuditEntry, Mediation
from services.routing.store.models import DecisionRow, PartnerRow, RoutedCase
from shared.events import Envelope
from shared.handler_table import bound
from tests.integration.mediation.helpers import put, routed
from tests.integration.routing.helpers import deliver as deliver_to_routing
from tests.integration.routing.helpers import received, sent
from tests.support.platform import running

ROUNDS = 8


def withdrawn(case_id: str) -> Envelope:
    return Envelope.new("case.withdrawn", case_id, "intake", {"reason": "the applicant withdrew at the court"})


def declined(case_id: str, partner_id: str, attempt: int) -> Envelope:
    return Envelope.new("mediation.declined", case_id, "mediation",
                        {"partner_id": partner_id, "attempt": attempt, "reason": "no mediator free"})


async def race(rt, handlers: dict, *envelopes: Envelope) -> None:
    """Each envelope handled in its own transaction, all at once, started in a random order."""
    async def one(envelope: Envelope) -> None:
        await asyncio.sleep(random.random() / 1000)
        async with rt.db.unit_of_work() as session:
            await handlers[envelope.type](session, envelope)

    await asyncio.gather(*(one(e) for e in envelopes))


async def test_mediation_a_declined_case_withdrawn_opens_no_offer_at_the_next_partner(pg_database):
    async with running({"mediation": await pg_database("mediation")}) as p:
        rt = p.runtimes["mediation"]
        handlers = bound(rt.handler_table, rt)
        for _ in range(ROUNDS):
            row = await put(p, status="declined", partner_id="P12", attempt=1)
            await race(rt, handlers, withdrawn(row.case_id),
                       routed(row.case_id, partner_id="P24", attempt=2, at=rt.clock.now()))
            async with rt.db.read() as session:
                mediation = await session.get(Mediation, row.case_id)
                trail = (await session.scalars(select(AuditEntry).where(AuditEntry.case_id == row.case_id)
                                               .order_by(AuditEntry.id))).all()
            # the court itself withdrew: nothing to hand off, so the case also closes at the partner
            assert mediation.status == "closed" and mediation.outcome == "withdrawn"
            steps = [(e.action, e.attempt) for e in trail]
            if steps[0] == ("withdraw_by_court", 1):
                # heard first: the next round found the case withdrawn and opened nothing
                assert (mediation.partner_id, mediation.attempt) == ("P12", 1)
                assert ("open_offer", 2) not in steps
                assert mediation.outcome_detail["while"] == "declined"
            else:
                # the round came first (routing had not heard of the withdrawal yet): the new offer
                # is withdrawn at once, the partner never gets to accept it
                assert steps[0] == ("open_offer", 2) and steps[1] == ("withdraw_by_court", 2)
                assert mediation.outcome_detail["while"] == "offered"


async def test_routing_a_decline_racing_the_withdrawal_routes_nothing_after_it_and_frees_capacity(pg_database):
    async with running({"routing": await pg_database("routing")}) as p:
        rt = p.runtimes["routing"]
        handlers = bound(rt.handler_table, rt)
        for _ in range(ROUNDS):
            case = received()
            await deliver_to_routing(p, case)
            [(_, first)] = await sent(p, case.case_id)
            await race(rt, handlers, withdrawn(case.case_id), declined(case.case_id, first["partner_id"], 1))
            async with rt.db.read() as session:
                routed_case = await session.get(RoutedCase, case.case_id)
                attempts = (await session.scalars(select(DecisionRow.attempt)
                                                  .where(DecisionRow.case_id == case.case_id))).all()
                busy = await session.scalar(select(func.sum(PartnerRow.open_cases)))
            assert routed_case.closed and routed_case.holder_partner_id is None
            assert busy == 0  # whoever held it last, the place is free again
            assert sorted(attempts) in ([1], [1, 2])


async def test_the_whole_chain_decline_and_withdrawal_at_once_end_withdrawn_with_no_open_offer(pg_database, bus_url):
    urls = {"routing": await pg_database("routing"), "mediation": await pg_database("mediation")}
    async with running(urls, bus_url=bus_url, redeliver_first=True) as p:
        partner_of: dict[str, str] = {}
        cases = [received() for _ in range(ROUNDS)]
        for case in cases:
            await p.bus.publish(case)
        await p.settle()
        mediation_rt = p.runtimes["mediation"]
        async with mediation_rt.db.read() as session:
            for row in (await session.scalars(select(Mediation))).all():
                partner_of[row.case_id] = row.partner_id
        assert set(partner_of) == {c.case_id for c in cases}

        async def decline(case_id: str) -> None:
            headers = p.auth("partner", partner_id=partner_of[case_id])
            answer = await p.client.post(f"/v1/mediations/{case_id}/decline", json={"reason": "no mediator free"},
                                         headers=headers)
            assert answer.status_code in (200, 409), answer.text  # 409: the withdrawal got there first

        await asyncio.gather(*(coro for c in cases for coro in (decline(c.case_id),
                                                                 p.bus.publish(withdrawn(c.case_id)))))
        await p.settle()
        await p.settle()
        async with mediation_rt.db.read() as session:
            statuses = {m.case_id: m.status for m in (await session.scalars(select(Mediation))).all()}
        async with p.runtimes["routing"].db.read() as session:
            closed = (await session.scalars(select(RoutedCase.closed))).all()
            busy = await session.scalar(select(func.sum(PartnerRow.open_cases)))
    assert set(statuses.values()) <= {"withdrawn", "closed"}, statuses
    assert all(closed) and busy == 0
