"""What the court's side tells a mediation: the case withdrawn at the court (case.withdrawn), the
hand-off delivered (handoff.sent) and acknowledged with the court's number (handoff.acknowledged).

These come as events that may no longer apply (a hand-off of a case already closed): they then
change nothing, since raising would only make the bus redeliver what can never succeed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.actions import outcomes, receipts
from services.mediation.actions.core import SYSTEM, Runtime, check
from services.mediation.domain.machine import TransitionRefused
from services.mediation.domain.states import Action
from services.mediation.store.models import Mediation
from shared.logging import get_logger

log = get_logger("mediation.court")


async def withdrawn_at_court(session: AsyncSession, rt: Runtime, case_id: str, reason: str | None,
                             at: datetime) -> None:
    if await session.get(Mediation, case_id) is None:
        await receipts.remember_withdrawal(session, case_id, at)
        return
    mediation = await _applicable(session, case_id, Action.WITHDRAW_BY_COURT)
    if mediation is not None:
        await outcomes.withdraw_by_court(session, rt, mediation, reason, rt.clock.now())


async def handed_off(session: AsyncSession, rt: Runtime, case_id: str) -> None:
    mediation = await _applicable(session, case_id, Action.HAND_OFF)
    if mediation is not None:
        await outcomes.hand_off(session, rt, mediation, rt.clock.now())


async def acknowledged_by_court(session: AsyncSession, rt: Runtime, case_id: str) -> None:
    # an acknowledgement overtaking its handoff.sent still closes the case (CLOSE is allowed from
    # every ended status); a later handoff.sent then finds it closed and is ignored
    mediation = await _applicable(session, case_id, Action.CLOSE)
    if mediation is not None:
        await outcomes.close(session, rt, mediation, SYSTEM, "handoff.acknowledged", rt.clock.now())


async def _applicable(session: AsyncSession, case_id: str, action: Action) -> Mediation | None:
    mediation = await session.get(Mediation, case_id, with_for_update=True)
    if mediation is None:
        return None
    try:
        check(mediation, action, SYSTEM)
    except TransitionRefused:
        log.info("event does not apply to the case now", case_id=case_id, status=mediation.status,
                 action=action.value)
        return None
    return mediation
