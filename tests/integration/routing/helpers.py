"""Driving the routing service as the bus does: case.received with the data intake sends, and
mediation's declines and outcomes; reading back what routing stored and queued to send."""

from __future__ import annotations

import asyncio
import json
import uuid
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from sqlalchemy import func, select

from services.routing.domain.policy import DEFAULT_PACK_CODE, PACKS
from services.routing.domain.ruleset import validate_ruleset
from services.routing.store import rulesets as rulesets_store
from services.routing.store.models import MESSAGING, DecisionRow, PartnerRow
from shared.events import Envelope
from shared.vocabulary import MODE_BY_STAGE
from tests.support.cases import case_body
from tests.support.platform import Platform, running

DOCKETED = {"court_case_number": "(2026)鲁0202民初100号"}


def received_data(body: dict[str, Any]) -> dict[str, Any]:
    """The data of intake's case.received (services/intake/store/cases.py received_event_data)."""
    return {
        "case_number": "(2026)鲁0202民诉前调1号" if body["stage"] == "pre_filing" else None,
        "court_code": body["court_code"], "external_ref": body.get("external_ref"), "stage": body["stage"],
        "mode": MODE_BY_STAGE[body["stage"]], "procedure": body.get("procedure"),
        "court_case_number": body.get("court_case_number"), "category": body["category"],
        "district": body["district"], "claim_amount": body.get("claim_amount"),
        "preferred_partner_id": body.get("preferred_partner_id"), "partner_id": body.get("partner_id"),
        "summary": body.get("summary", ""),
        "parties": [{"party_id": str(uuid.uuid4()), "role": p["role"], "kind": p["kind"], "name": p["name"],
                     "id_number": p["id_number"], "phone": p.get("phone"), "email": None,
                     "consents_to_mediation": p["consents_to_mediation"], "represented_by": p.get("represented_by"),
                     "law_firm": (p.get("represented_by") or {}).get("law_firm")}
                    for p in body["parties"]],
    }


def received(**changes: Any) -> Envelope:
    return Envelope.new("case.received", str(uuid.uuid4()), "intake", received_data(case_body(**changes)))


def declined(case_id: str, partner_id: str, attempt: int) -> Envelope:
    return Envelope.new("mediation.declined", case_id, "mediation",
                        {"partner_id": partner_id, "attempt": attempt, "reason": "no mediator free"})


@asynccontextmanager
async def routing_service(pg_database, policy_pack: str = "spc-2016") -> AsyncIterator[Platform]:
    """Routing alone on a fresh PostgreSQL database, seeded with the roster; a pack other than the
    default is switched on as ops would, by a ruleset whose schedule names it from its first day."""
    url = await pg_database("routing")
    async with running({"routing": url}) as p:
        if policy_pack != DEFAULT_PACK_CODE:
            await install_ruleset(p, policy_packs=[{"pack": policy_pack,
                                                    "applies_from": PACKS[policy_pack].valid_from.isoformat()}])
        yield p


async def install_ruleset(p: Platform, **changes: Any) -> int:
    """Install the next ruleset version: the one in force with `changes`, as PUT /v1/routing/rules does."""
    rt = p.runtimes["routing"]
    async with rt.db.unit_of_work() as session:
        version, rules = await rt.rulesets.read(session)
        ruleset = validate_ruleset({**rules.to_document(), **changes, "version": version + 1})
        await rulesets_store.install(session, ruleset, "test", rt.clock.now())
    return ruleset.version


async def deliver(p: Platform, *envelopes: Envelope, timeout: float = 10.0) -> None:
    """Publish and wait until routing committed its handling of each envelope. Platform.settle()
    alone can return while a handler is still running (InMemoryBus.drain watches queue sizes, and
    the message being handled has already left its queue), so wait for the inbox rows too."""
    for envelope in envelopes:
        await p.bus.publish(envelope)
    inbox = MESSAGING.inbox
    wanted = {e.event_id for e in envelopes}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        await p.settle()
        async with p.runtimes["routing"].db.read() as session:
            done = set((await session.execute(select(inbox.c.event_id)
                                              .where(inbox.c.event_id.in_(wanted)))).scalars())
        if done == wanted:
            await p.settle()
            return
        if loop.time() > deadline:
            raise TimeoutError(f"routing did not handle {sorted(wanted - done)}")
        await asyncio.sleep(0.02)


async def sent(p: Platform, case_id: str) -> list[tuple[str, dict]]:
    """(type, data) of what routing queued in its outbox for the case, oldest first."""
    outbox = MESSAGING.outbox
    async with p.runtimes["routing"].db.read() as session:
        rows = await session.execute(select(outbox.c.type, outbox.c.payload)
                                     .where(outbox.c.case_id == case_id).order_by(outbox.c.id))
        return [(kind, json.loads(payload)["data"]) for kind, payload in rows.all()]


async def decisions(p: Platform, case_id: str) -> list[DecisionRow]:
    async with p.runtimes["routing"].db.read() as session:
        rows = await session.execute(select(DecisionRow).where(DecisionRow.case_id == case_id)
                                     .order_by(DecisionRow.attempt))
        return list(rows.scalars())


async def counts(p: Platform) -> tuple[int, int]:
    """(decision rows, outbox rows) in routing's database."""
    async with p.runtimes["routing"].db.read() as session:
        n_decisions = await session.scalar(select(func.count()).select_from(DecisionRow))
        n_outbox = await session.scalar(select(func.count()).select_from(MESSAGING.outbox))
    return n_decisions, n_outbox


async def open_cases(p: Platform, partner_id: str) -> int:
    async with p.runtimes["routing"].db.read() as session:
        return (await session.get(PartnerRow, partner_id)).open_cases
