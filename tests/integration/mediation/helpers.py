"""Building mediation states for tests: case.routed envelopes as routing sends them, rows put
straight into the database, and reads of the audit trail and the outbox."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from services.mediation.store.models import MESSAGING, AuditEntry, Mediation
from services.routing.actions.decide import extension_rule
from services.routing.domain.policy import PACKS
from shared.events import Envelope
from tests.support.platform import Platform

APPLICANT = "a0000000-0000-4000-8000-000000000001"
RESPONDENT = "a0000000-0000-4000-8000-000000000002"
PARTIES = [APPLICANT, RESPONDENT]
CONFLICTED_FIRM = "某律师事务所"  # P12-M01 declares it in the roster


def case_facts(mode: str = "delegation", **changes: Any) -> dict[str, Any]:
    stage = {"delegation": "pre_filing", "entrustment": "post_filing", "invitation": "in_litigation",
             "self": "direct"}[mode]
    facts = {
        "court_code": "370202", "stage": stage, "mode": mode,
        "procedure": None if mode in ("delegation", "self") else "ordinary",
        "category": "commercial_contract", "district": "370202", "claim_amount": "12500.00",
        "case_number": "(2026)鲁0202民诉前调1号" if mode == "delegation" else None,
        "court_case_number": None if mode in ("delegation", "self") else "(2026)鲁0202民初1号",
        "parties": [
            {"party_id": APPLICANT, "role": "applicant", "kind": "person", "name": "张三",
             "id_number": "370202198001011232", "law_firm": None, "consents_to_mediation": True},
            {"party_id": RESPONDENT, "role": "respondent", "kind": "organization", "name": "青岛某物业服务有限公司",
             "id_number": "91370200MA3C00000K", "law_firm": CONFLICTED_FIRM, "consents_to_mediation": True},
        ],
    }
    facts.update(changes)
    return facts


def mediators(partner_id: str = "P12") -> list[dict[str, Any]]:
    return [
        {"id": f"{partner_id}-M01", "name": "曹丹丹", "specialties": ["commercial_contract"],
         # as routing sends it: which party a declaration ties to, never the declaration itself
         "conflicts": [{"kind": "law_firm", "party_id": RESPONDENT}]},
        {"id": f"{partner_id}-M02", "name": "彭庆丰", "specialties": ["private_lending"],
         "conflicts": []},
    ]


def routed(case_id: str, *, partner_id: str = "P12", mode: str = "delegation", attempt: int = 1,
           at: datetime, period_days: int | None = 30, policy_pack: str = "spc-2016") -> Envelope:
    data = {"attempt": attempt, "partner_id": partner_id, "partner_name": f"{partner_id} 调解中心", "mode": mode,
            "period_days": period_days, "policy_pack": policy_pack, "ruleset_version": 1,
            "extension_rule": extension_rule(PACKS[policy_pack]),
            "case": case_facts(mode), "mediators": mediators(partner_id)}
    return Envelope.new("case.routed", case_id, "routing", data, occurred_at=at)


async def deliver(p: Platform, *envelopes: Envelope) -> None:
    for envelope in envelopes:
        await p.bus.publish(envelope)
    await p.settle()


def new_id() -> str:
    return str(uuid.uuid4())


async def put(p: Platform, **fields: Any) -> Mediation:
    """A mediation row in exactly the state given (the transition table builds every status so)."""
    return (await put_many(p, [fields]))[0]


async def put_many(p: Platform, states: list[dict[str, Any]]) -> list[Mediation]:
    rt = p.runtimes["mediation"]
    rows = [Mediation(**_row_fields(rt.clock.now(), fields)) for fields in states]
    async with rt.db.unit_of_work() as session:
        session.add_all(rows)
    return rows


def _row_fields(now: datetime, fields: dict[str, Any]) -> dict[str, Any]:
    defaults: dict[str, Any] = dict(
        case_id=new_id(), status="offered", partner_id="P12", partner_name="P12", mode="delegation", attempt=1,
        policy_pack="spc-2016", extension_rule=extension_rule(PACKS["spc-2016"]), case_snapshot=case_facts(), mediators=mediators(), court_code="370202",
        category="commercial_contract", district="370202", case_number="(2026)鲁0202民诉前调1号",
        offered_at=now - timedelta(hours=1), offer_closes_at=now + timedelta(days=3), period_days=30,
        pauses=[], extension_days=[], routed_at=now - timedelta(hours=1), updated_at=now - timedelta(hours=1),
        version=1)
    defaults.update(fields)
    return defaults


async def row(p: Platform, case_id: str) -> Mediation:
    rt = p.runtimes["mediation"]
    async with rt.db.read() as session:
        return await session.get(Mediation, case_id)


async def audit_actions(p: Platform, case_id: str) -> list[str]:
    rt = p.runtimes["mediation"]
    async with rt.db.read() as session:
        return list((await session.scalars(select(AuditEntry.action).where(AuditEntry.case_id == case_id)
                                           .order_by(AuditEntry.id))).all())


async def audit_count(p: Platform) -> int:
    rt = p.runtimes["mediation"]
    async with rt.db.read() as session:
        return (await session.execute(select(func.count()).select_from(AuditEntry))).scalar_one()


async def emitted(p: Platform, case_id: str | None = None, type: str | None = None) -> list[dict[str, Any]]:
    """The events mediation wrote to its outbox, oldest first, as envelopes (dicts)."""
    rt = p.runtimes["mediation"]
    table = MESSAGING.outbox
    query = select(table.c.payload).order_by(table.c.id)
    if case_id is not None:
        query = query.where(table.c.case_id == case_id)
    if type is not None:
        query = query.where(table.c.type == type)
    async with rt.db.read() as session:
        return [json.loads(payload) for payload in (await session.scalars(query)).all()]


async def snapshot(p: Platform) -> tuple[dict[str, Mediation], dict[str, int], dict[str, int]]:
    """Every row, and per case the number of audit entries and of emitted events."""
    rt = p.runtimes["mediation"]
    table = MESSAGING.outbox
    async with rt.db.read() as session:
        rows = {m.case_id: m for m in (await session.scalars(select(Mediation))).all()}
        audits = dict((await session.execute(select(AuditEntry.case_id, func.count())
                                             .group_by(AuditEntry.case_id))).all())
        events = dict((await session.execute(select(table.c.case_id, func.count())
                                             .group_by(table.c.case_id))).all())
    return rows, audits, events
