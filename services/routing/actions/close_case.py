"""The case ended (a mediation outcome) or the court withdrew it: the partner holding it gets its
place back and routing decides nothing more for it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.routing.actions import decide
from services.routing.store import routed_cases
from services.routing.store.models import RoutedCase
from shared.clock import beijing_date


async def close_case(session: AsyncSession, rt, case_id: str, *, withdrawn: bool) -> None:
    routed = await routed_cases.locked(session, case_id)
    if routed is None and withdrawn:
        # Withdrawn before routing saw it (events of one case are handled concurrently): keep a
        # closed record, so the case.received still to come routes nothing.
        now = rt.clock.now()
        _, rules = await rt.rulesets.read(session)
        session.add(RoutedCase(case_id=case_id, facts={"withdrawn_before_routing": True},
                               policy_pack=rules.pack_for(beijing_date(now)).code,
                               ruleset_version=0, attempt=0, declined=[], closed=True, received_at=now))
        return
    if routed is None or routed.closed:
        return
    await decide.release_holder(session, routed)
    routed.closed = True
