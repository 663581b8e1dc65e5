"""Assigning a mediator of the partner, with recusal (2016 Art 15; 2021 Art 13): a mediator with a
declared conflict touching a party or an agent is refused unless every party waived that conflict
after disclosure; the waivers are recorded per party and per conflict with the assignment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.actions.core import Actor, Runtime, check, transition
from services.mediation.domain.recusal import (
    AssignmentRefused,
    CaseParty,
    Conflict,
    ConflictKind,
    Mediator,
    Waiver,
    check_assignment,
    conflict_hits,
)
from services.mediation.domain.states import Action
from services.mediation.store.models import Mediation, RecusalWaiver


class UnknownMediator(Exception):
    """The id names no mediator of the partner holding the case."""


@dataclass(frozen=True)
class WaiverIn:
    party_id: str
    disclosed_at: datetime


def mediator_of(mediation: Mediation, mediator_id: str) -> Mediator:
    for entry in mediation.mediators or []:
        if entry.get("id") == mediator_id:
            return Mediator(mediator_id=mediator_id, partner_id=mediation.partner_id,
                            conflicts=frozenset(_declared(entry.get("conflicts"), case_parties(mediation))),
                            active=entry.get("active", True))
    raise UnknownMediator(mediator_id)


def _declared(ties: Any, parties: tuple[CaseParty, ...]) -> set[Conflict]:
    """The mediator's conflicts that touch this case. Routing sends only which party each one ties
    to (a declaration names people who are not parties and never leaves routing); the conflict's
    value is that party's own id number or agent's law firm."""
    if isinstance(ties, dict):  # offers opened before routing stopped sending declarations
        declared = {Conflict(ConflictKind.PARTY_ID_NUMBER, v) for v in ties.get("id_numbers") or []}
        return declared | {Conflict(ConflictKind.LAW_FIRM, v) for v in ties.get("law_firms") or []}
    by_id = {p.party_id: p for p in parties}
    declared = set()
    for tie in ties or []:
        party = by_id.get(str(tie.get("party_id")))
        if party is None:
            raise AssignmentRefused("the case's parties are not known yet; try again shortly")
        if tie.get("kind") == ConflictKind.LAW_FIRM.value and party.agent_law_firm:
            declared.add(Conflict(ConflictKind.LAW_FIRM, party.agent_law_firm))
        elif tie.get("kind") == ConflictKind.PARTY_ID_NUMBER.value:
            declared.add(Conflict(ConflictKind.PARTY_ID_NUMBER, party.id_number))
    return declared


def case_parties(mediation: Mediation) -> tuple[CaseParty, ...]:
    parties = (mediation.case_snapshot or {}).get("parties") or []
    out = []
    for p in parties:
        firm = p.get("law_firm") or (p.get("represented_by") or {}).get("law_firm")
        out.append(CaseParty(party_id=str(p.get("party_id")), id_number=str(p.get("id_number") or ""),
                             agent_law_firm=firm))
    return tuple(out)


async def recorded_waivers(session: AsyncSession, case_id: str, mediator_id: str) -> list[Waiver]:
    rows = (await session.scalars(select(RecusalWaiver).where(RecusalWaiver.case_id == case_id,
                                                              RecusalWaiver.mediator_id == mediator_id))).all()
    return [Waiver(party_id=r.party_id, conflict=Conflict(ConflictKind(r.conflict_kind), r.conflict_value),
                   disclosed_at=r.disclosed_at, waived_at=r.waived_at) for r in rows]


async def assign_mediator(session: AsyncSession, rt: Runtime, mediation: Mediation, actor: Actor,
                          mediator_id: str, waivers: list[WaiverIn]) -> list[dict[str, Any]]:
    """Assign; answers the conflicts that were waived (for the audit and the answer)."""
    check(mediation, Action.ASSIGN_MEDIATOR, actor)
    now = rt.clock.now()
    mediator = mediator_of(mediation, mediator_id)
    parties = case_parties(mediation)
    known = {p.party_id for p in parties}
    strangers = sorted({w.party_id for w in waivers} - known)
    if strangers:
        raise AssignmentRefused(f"waivers from non-parties: {', '.join(strangers)}")
    # a waiver covers every conflict disclosed to that party for this mediator at disclosed_at
    hits = conflict_hits(mediator, parties)
    offered = [Waiver(party_id=w.party_id, conflict=hit.conflict, disclosed_at=w.disclosed_at, waived_at=now)
               for w in waivers for hit in hits]
    earlier = await recorded_waivers(session, mediation.case_id, mediator_id)
    waived = check_assignment(mediator, mediation.partner_id, parties, [*earlier, *offered])
    for waiver in offered:
        if waiver.disclosed_at <= now:
            session.add(RecusalWaiver(case_id=mediation.case_id, mediator_id=mediator_id, party_id=waiver.party_id,
                                      conflict_kind=waiver.conflict.kind.value, conflict_value=waiver.conflict.value,
                                      disclosed_at=waiver.disclosed_at, waived_at=waiver.waived_at))
    summary = [{"kind": h.conflict.kind.value, "party_ids": list(h.party_ids), "waived_by": list(h.waived_by)}
               for h in waived]
    previous = mediation.mediator_id
    mediation.mediator_id = mediator_id
    reason = "conflict waived by every party after disclosure" if waived else None
    await transition(session, rt, mediation, Action.ASSIGN_MEDIATOR, actor, reason=reason, now=now,
                     data={"mediator_id": mediator_id, "replaces": previous, "waived_conflicts": summary})
    return summary
