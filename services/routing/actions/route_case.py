"""A case filed at the court (case.received): routing keeps what it needs of it, pins the policy
pack and ruleset in force on its filing date, and decides, unless the ruleset first gives the
parties a window to choose jointly (2021 Art 10)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.routing.actions import decide, joint_choice
from services.routing.domain import choice
from services.routing.store import routed_cases
from services.routing.store.models import RoutedCase
from shared.clock import beijing_date

# Personal data routing does not need to keep: contacts stay with intake (and notify, for notices).
_DROPPED_PARTY_KEYS = {"phone", "email", "address"}


async def route_filed_case(session: AsyncSession, rt, case_id: str, filed: dict, filed_at: datetime) -> None:
    now = rt.clock.now()
    version, rules = await rt.rulesets.read(session)
    # The ruleset's schedule names the pack by the case's filing date (its Beijing date).
    pack = rules.pack_for(beijing_date(filed_at))
    routed = RoutedCase(case_id=case_id, facts=_facts(filed), policy_pack=pack.code, ruleset_version=version,
                        attempt=0, declined=[], holder_partner_id=None, closed=False, received_at=now,
                        choice_closes_at=None, choice_calendar_provisional=False)
    # Inserted as Core, not added to the session: no SELECT to learn whether routing knows the case,
    # and what deciding changes in it is written by one UPDATE rather than the ORM's flush.
    if not await routed_cases.keep_new(session, rt.db, routed):
        return  # known already: routed, or withdrawn before routing saw it
    case = decide.routing_case(routed)
    if choice.opens_window(case, rules, pack):
        await joint_choice.open_window(session, rt, routed, rules, now)
    else:
        await decide.route(session, rt, routed, rules, kept_now=True)
    await routed_cases.store_progress(session, routed)


def _facts(filed: dict) -> dict:
    facts = {k: v for k, v in filed.items() if k != "parties"}
    facts["parties"] = [{k: v for k, v in p.items() if k not in _DROPPED_PARTY_KEYS}
                        for p in filed.get("parties", [])]
    return facts
