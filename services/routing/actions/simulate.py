"""What routing would decide for a case now: the ruleset in force, the roster's current load and
the pack its schedule names for a case filed today (or the pack asked for, to try one before
installing it). Read-only: no decision row, no event, no capacity taken."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.routing.domain.case import RoutingCase
from services.routing.domain.engine import RoutingDecision, considered_partner_ids, decide
from services.routing.domain.policy import pack_in_force
from services.routing.store import roster as roster_store
from shared.clock import beijing_date


async def simulate(session: AsyncSession, rt, case: RoutingCase, policy_pack: str | None) -> RoutingDecision:
    """Raises PolicyPackNotInForce (domain) for a pack not in force today."""
    today = beijing_date(rt.clock.now())
    _, rules = await rt.rulesets.read(session)
    pack = pack_in_force(policy_pack, today) if policy_pack else rules.pack_for(today)
    index = await rt.roster.index(session)
    load = await roster_store.loads(session, set(considered_partner_ids(case, index, rules)))
    return decide(case, index, rules, pack, load)
