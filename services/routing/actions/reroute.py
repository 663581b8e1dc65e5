"""The partner declined the offer, or let it lapse (mediation.declined): its place is given back,
it is excluded from this case, and the case is decided again among the others."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.routing.actions import decide
from services.routing.store import routed_cases


async def reroute_after_decline(session: AsyncSession, rt, case_id: str, partner_id: str | None,
                                attempt: int) -> None:
    routed = await routed_cases.locked(session, case_id)
    if routed is None or routed.closed or (attempt and attempt != routed.attempt):
        return  # a stale decline of an earlier round
    if partner_id and routed.holder_partner_id and partner_id != routed.holder_partner_id:
        return  # a decline without its attempt, from a partner that no longer holds the case
    await decide.release_holder(session, routed)
    if partner_id and partner_id not in routed.declined:
        routed.declined = [*routed.declined, partner_id]
    await decide.route(session, rt, routed)
