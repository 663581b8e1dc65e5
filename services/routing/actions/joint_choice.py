"""The parties' joint choice (2021 Art 10): when the ruleset gives a window, the case waits for the
parties to choose a partner (and a mediator there) before the rules designate one. The choice,
recorded within the window, is followed when the partner is eligible, and the decision says why not
otherwise (2016 Art 12); a window that closes without one leaves the designation to the rules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.routing.actions import decide
from services.routing.actions.calendar import calendar_of
from services.routing.domain import choice
from services.routing.domain.engine import RoutingDecision
from services.routing.domain.ruleset import Ruleset
from services.routing.store import routed_cases
from services.routing.store.models import RoutedCase
from shared.events import Envelope
from shared.logging import get_logger

log = get_logger("routing.joint_choice")


class NoWindow(Exception):
    """The ruleset gave the case no window: the rules decided."""


class AlreadyDecided(Exception):
    """The case has a decision; a choice can no longer be recorded."""


class WindowClosed(Exception):
    def __init__(self, closes_at: datetime) -> None:
        super().__init__(closes_at.isoformat())
        self.closes_at = closes_at


class UnknownPartner(Exception):
    """The chosen partner is not on the roster."""


class MediatorNotAtPartner(Exception):
    def __init__(self, partner_id: str) -> None:
        super().__init__(partner_id)
        self.partner_id = partner_id


async def open_window(session: AsyncSession, rt, routed: RoutedCase, rules: Ruleset, now: datetime) -> None:
    """The case waits; the timeline shows until when. A window that reaches a provisional year is
    counted again when that year's arrangement arrives (actions/calendar.py)."""
    window = choice.window(now, rules, calendar_of(session, rt))
    routed.choice_closes_at = window.closes_at
    routed.choice_calendar_provisional = window.calendar_provisional
    await rt.outbox.add(session, Envelope.new("case.choice_window_opened", routed.case_id, decide.SOURCE,
                                              choice.window_data(window, policy_pack=routed.policy_pack,
                                                                 ruleset_version=routed.ruleset_version),
                                              occurred_at=now))
    log.info("joint choice window opened", case_id=routed.case_id, closes_at=window.closes_at.isoformat())


async def record_choice(session: AsyncSession, rt, routed: RoutedCase, partner_id: str, mediator_id: str | None,
                        recorded_by: str) -> RoutingDecision:
    """`routed` is locked by the caller, who also checked it may see the case."""
    now = rt.clock.now()
    if routed.choice_closes_at is None:
        raise NoWindow
    if routed.closed or routed.attempt > 0:
        raise AlreadyDecided
    if now >= routed.choice_closes_at:
        raise WindowClosed(routed.choice_closes_at)
    partner = (await rt.roster.index(session)).get(partner_id)
    if partner is None:
        raise UnknownPartner(partner_id)
    if mediator_id is not None and mediator_id not in {m.id for m in partner.mediators}:
        raise MediatorNotAtPartner(partner.id)
    routed.facts = {**routed.facts, "preferred_partner_id": partner.id, "preferred_mediator_id": mediator_id}
    await rt.outbox.add(session, Envelope.new("case.jointly_chosen", routed.case_id, decide.SOURCE, {
        "partner_id": partner.id, "mediator_id": mediator_id, "recorded_by": recorded_by,
        "chosen_at": now.isoformat()}, occurred_at=now))
    decision = await decide.route(session, rt, routed)
    if decision is None:
        raise AlreadyDecided
    return decision


async def designate_closed_windows(session: AsyncSession, rt, now: datetime, limit: int) -> int:
    """Up to `limit` cases whose window closed without a choice, designated by the rules; how many.

    Safe with replicas: on PostgreSQL the cases are claimed FOR UPDATE SKIP LOCKED, and the row lock
    orders this against a choice recorded at the same moment (the later one finds the case decided)."""
    due = await routed_cases.windows_closed(session, now, limit, skip_locked=not rt.db.is_sqlite)
    for routed in due:
        log.info("joint choice window closed without a choice", case_id=routed.case_id)
        await decide.route(session, rt, routed)
    return len(due)
