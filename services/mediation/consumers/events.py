"""Mediation's consumer: case.received (for the statistics), case.routed (open the offer),
case.unroutable (for the statistics), case.withdrawn (stop the clock), handoff.sent (handed off)
and handoff.acknowledged (closed).

Runs inside the idempotent wrapper (one effect per event_id). Events that no longer apply (a stale
routing round, a hand-off of a case already closed) are acknowledged without effect: raising would
only make the bus redeliver something that can never succeed."""

from __future__ import annotations

from sqlalchemy import JSON, bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.actions import offers, outcomes
from services.mediation.actions.core import SYSTEM, check
from services.mediation.domain.machine import TransitionRefused
from services.mediation.domain.states import Action
from services.mediation.store.models import Mediation, Receipt
from shared.events import Envelope
from shared.messaging import ConsumerHandler
from shared.logging import get_logger

log = get_logger("mediation.consumer")

_MEDIATIONS = Mediation.__table__
# case.routed overtook case.received: the offer was opened on routing's party-less facts.
_SNAPSHOT_LATE = (update(_MEDIATIONS).where(_MEDIATIONS.c.case_id == bindparam("the_case"))
                  .values(case_snapshot=bindparam("the_snapshot", type_=JSON)))


class EventConsumer:
    def __init__(self, runtime) -> None:
        self.rt = runtime

    def handlers(self) -> dict[str, ConsumerHandler]:
        """Mediation's handler table: the events it acts on, and what it does with each."""
        return {
            "case.received": self.on_received,
            "case.routed": self.on_routed,
            "case.unroutable": self.on_unroutable,
            "case.withdrawn": self.on_withdrawn,
            "handoff.sent": self.on_handoff_sent,
            "handoff.acknowledged": self.on_handoff_acknowledged,
        }

    async def on_received(self, session: AsyncSession, envelope: Envelope) -> None:
        """One upsert: a new receipt, or the facts filled into the bare receipt a withdrawal that got
        here first left (its withdrawn_at stays). An offer opened before this event arrived gets the
        case's parties now."""
        data = envelope.data
        facts = {"received_at": envelope.occurred_at, "court_code": data.get("court_code"),
                 "category": data.get("category"), "district": data.get("district"), "mode": data.get("mode"),
                 "case_snapshot": data}
        table = Receipt.__table__
        upsert = self.rt.db.insert(table).values(case_id=envelope.case_id, **facts)
        await session.execute(upsert.on_conflict_do_update(
            index_elements=["case_id"], set_={key: upsert.excluded[key] for key in facts},
            where=table.c.court_code.is_(None)))
        await session.execute(_SNAPSHOT_LATE, {"the_case": envelope.case_id, "the_snapshot": data})

    async def on_routed(self, session: AsyncSession, envelope: Envelope) -> None:
        if not envelope.data.get("partner_id"):
            return
        receipt = await session.get(Receipt, envelope.case_id)
        if receipt is not None and receipt.withdrawn_at is not None:
            log.info("routing of a withdrawn case ignored", case_id=envelope.case_id)
            return
        mediation = await session.get(Mediation, envelope.case_id, with_for_update=True)
        received = receipt.case_snapshot if receipt is not None else None
        opened = offers.open_offer(session, mediation, envelope.case_id, envelope.data, envelope.occurred_at,
                                   received, calendar=self.rt.calendar)
        if opened is not None:
            opened.correlation_id = envelope.correlation_id
            log.info("offer opened", case_id=envelope.case_id, partner_id=opened.partner_id,
                     attempt=opened.attempt, closes_at=opened.offer_closes_at.isoformat())

    async def on_unroutable(self, session: AsyncSession, envelope: Envelope) -> None:
        """No partner could take the case (at once, or after every eligible one declined): the
        statistics count it, and the court it went back to. A receipt that case.received has not
        made yet is made bare (court_code empty), so that event still fills it in."""
        data = envelope.data
        case = data.get("case") or {}
        table = Receipt.__table__
        upsert = self.rt.db.insert(table).values(
            case_id=envelope.case_id, received_at=envelope.occurred_at, court_code=None,
            category=case.get("category"), district=case.get("district"), mode=data.get("mode") or case.get("mode"),
            unroutable_at=envelope.occurred_at, return_to_court=data.get("return_to_court"))
        await session.execute(upsert.on_conflict_do_update(
            index_elements=["case_id"], set_={"unroutable_at": upsert.excluded.unroutable_at,
                                              "return_to_court": upsert.excluded.return_to_court}))

    async def on_withdrawn(self, session: AsyncSession, envelope: Envelope) -> None:
        if await session.get(Mediation, envelope.case_id) is None:
            # Withdrawn before any offer: events of one case are handled concurrently, so remember
            # it, and a case.routed that comes later opens nothing.
            receipt = await session.get(Receipt, envelope.case_id, with_for_update=True)
            if receipt is None:
                receipt = Receipt(case_id=envelope.case_id, received_at=envelope.occurred_at)
                session.add(receipt)
            receipt.withdrawn_at = envelope.occurred_at
            return
        mediation = await self._applicable(session, envelope, Action.WITHDRAW_BY_COURT)
        if mediation is not None:
            await outcomes.withdraw_by_court(session, self.rt, mediation, envelope.data.get("reason"),
                                             self.rt.clock.now())

    async def on_handoff_sent(self, session: AsyncSession, envelope: Envelope) -> None:
        mediation = await self._applicable(session, envelope, Action.HAND_OFF)
        if mediation is not None:
            await outcomes.hand_off(session, self.rt, mediation, self.rt.clock.now())

    async def on_handoff_acknowledged(self, session: AsyncSession, envelope: Envelope) -> None:
        # an acknowledgement overtaking its handoff.sent still closes the case (CLOSE is allowed from
        # every ended status); a later handoff.sent then finds it closed and is ignored
        mediation = await self._applicable(session, envelope, Action.CLOSE)
        if mediation is not None:
            await outcomes.close(session, self.rt, mediation, SYSTEM, "handoff.acknowledged", self.rt.clock.now())

    async def _applicable(self, session: AsyncSession, envelope: Envelope, action: Action) -> Mediation | None:
        mediation = await session.get(Mediation, envelope.case_id, with_for_update=True)
        if mediation is None:
            return None
        try:
            check(mediation, action, SYSTEM)
        except TransitionRefused:
            log.info("event does not apply to the case now", case_id=envelope.case_id, status=mediation.status,
                     event_type=envelope.type)
            return None
        return mediation
