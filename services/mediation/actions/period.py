"""The statutory period: pause and resume for an appraisal (2021 Art 26), extension by every
party's consent within the pack's limit (2016 Art 27), and expiry by the sweeper."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.actions.clock import deadline_of, store_deadline
from services.mediation.actions.core import SYSTEM, Actor, Runtime, check, party_ids, rfc3339, transition
from services.mediation.actions.outcomes import after_ending
from services.mediation.domain.deadline import ExtensionLimit, ExtensionRequest, grant_extension
from services.mediation.domain.handoff import Ending, handoff_content
from services.mediation.domain.outcome import EndingGround
from services.mediation.domain.states import Action
from services.mediation.store.models import Extension, ExtensionConsent, Mediation
from shared.vocabulary import Mode


async def pause(session: AsyncSession, rt: Runtime, mediation: Mediation, actor: Actor, reason: str | None) -> None:
    check(mediation, Action.PAUSE, actor)
    now = rt.clock.now()
    deadline = deadline_of(mediation, rt.calendar)
    due_before = deadline.due_at(now)
    store_deadline(mediation, deadline.pause(now), now)  # InvalidPause once the period ended
    # the clock stops: no deadline while paused (the one the period had is said, for the record)
    await transition(session, rt, mediation, Action.PAUSE, actor, reason=reason or "appraisal", now=now,
                     data={"paused_at": rfc3339(now), "reason": reason or "appraisal", "deadline": None,
                           "deadline_before": rfc3339(due_before)})


async def resume(session: AsyncSession, rt: Runtime, mediation: Mediation, actor: Actor, reason: str | None) -> None:
    check(mediation, Action.RESUME, actor)
    now = rt.clock.now()
    resumed = deadline_of(mediation, rt.calendar).resume(now)
    store_deadline(mediation, resumed, now)
    due = resumed.due(now)
    paused = resumed.pauses[-1]
    await transition(session, rt, mediation, Action.RESUME, actor, reason=reason, now=now, data={
        "resumed_at": rfc3339(now), "paused_at": rfc3339(paused.paused_at),
        "paused_seconds": int(paused.length(now).total_seconds()),
        "deadline": rfc3339(due.at), "calendar_provisional": due.provisional})


async def extend(session: AsyncSession, rt: Runtime, mediation: Mediation, actor: Actor, *, days: int,
                 consents: list[str]) -> tuple[Extension, datetime]:
    """Grant the extension (ExtensionRefused says why not); answers it and the new deadline."""
    check(mediation, Action.EXTEND, actor)
    now = rt.clock.now()
    extended = grant_extension(deadline_of(mediation, rt.calendar), ExtensionRequest(days, frozenset(consents)),
                               party_ids(mediation), ExtensionLimit.from_rule(mediation.extension_rule), now)
    store_deadline(mediation, extended, now)
    due = extended.due_at(now)
    row = Extension(id=str(uuid.uuid4()), case_id=mediation.case_id, days=days, granted_at=now,
                    granted_by=actor.actor_id or actor.role.value, new_due_at=due)
    session.add(row)
    for party_id in sorted(set(consents)):
        session.add(ExtensionConsent(extension_id=row.id, party_id=party_id, case_id=mediation.case_id,
                                     recorded_at=now))
    await transition(session, rt, mediation, Action.EXTEND, actor, reason=f"extended by {days} days", now=now,
                     data={"deadline": rfc3339(due), "days": days, "extension_id": row.id,
                           "consents": sorted(set(consents)), "paused": extended.is_paused})
    return row, due


async def expire(session: AsyncSession, rt: Runtime, mediation: Mediation, now: datetime) -> None:
    """The period ran out without extension (2021 Art 25): the hand-off is the mode's unresolved one."""
    content = handoff_content(Mode(mediation.mode), None, Ending.EXPIRED)
    handoff = None if content.handoff_type.value == "none" else content.handoff_type.value
    mediation.outcome, mediation.outcome_at = "expired", now
    # the facts the parties signed as undisputed during the mediation still reach the court (2016 Art 22)
    facts = list(mediation.undisputed_facts or []) if handoff is not None else []
    mediation.outcome_detail = {"result": "expired", "ground": EndingGround.PERIOD_EXPIRED.value,
                                "due_at": rfc3339(mediation.due_at), "undisputed_facts": facts}
    mediation.handoff_type = content.handoff_type.value
    await transition(session, rt, mediation, Action.EXPIRE, SYSTEM, reason=EndingGround.PERIOD_EXPIRED.value,
                     now=now, data={"result": "expired", "ground": EndingGround.PERIOD_EXPIRED.value,
                                    "deadline": rfc3339(mediation.due_at), "handoff_type": handoff,
                                    "undisputed_facts": facts, "agreement": None})
    await after_ending(session, rt, mediation, now)

