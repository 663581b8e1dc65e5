"""The three sweepers, each a loop running one action on what its query finds due: offers nobody
answered in time (offers.lapse: a decline, routing re-routes), mediations past their deadline
(period.expire) and mediations whose first-contact window closed without contact
(contacts.end_unreachable: failed on party_unreachable, 2021 Art 15).

Durable: every pass reads the database, nothing is kept in memory between passes. Safe with several
replicas: on PostgreSQL a pass claims its rows with SELECT ... FOR UPDATE SKIP LOCKED (another
replica skips them, and re-checks the WHERE after the holder commits), on SQLite the unit of work
holds the write lock from BEGIN; the row's version column makes any other interleaving fail
instead of transitioning twice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.actions import contacts, offers, period
from services.mediation.metrics import SWEEPER_TRANSITIONS
from services.mediation.store import due
from services.mediation.store.models import Mediation
from shared.logging import correlation_scope, get_logger
from shared.polling import poll_forever

log = get_logger("mediation.sweepers")

# the action a sweeper runs on each mediation its query finds due: action(session, rt, mediation, now)
Step = Callable[[AsyncSession, Any, Mediation, datetime], Awaitable[None]]


class Sweeper:
    def __init__(self, runtime, name: str, query: Callable[[datetime], Select], step: Step) -> None:
        self.rt, self.name, self.query, self.step = runtime, name, query, step

    async def sweep(self) -> int:
        """One pass over everything due now, in batches; answers how many cases it moved."""
        total = 0
        while True:
            moved = await self._batch()
            total += moved
            if moved < self.rt.settings.sweep_batch_size:
                return total

    async def _batch(self) -> int:
        now = self.rt.clock.now()
        async with self.rt.db.unit_of_work() as session:
            query = self.query(now).limit(self.rt.settings.sweep_batch_size)
            if not self.rt.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            rows = (await session.scalars(query)).all()
            moved = 0
            for mediation in rows:
                # One savepoint per case: a case that cannot move must not hold back every other one.
                try:
                    # the case's own correlation id, on the events the step emits and its log lines
                    with correlation_scope(mediation.correlation_id):
                        async with session.begin_nested():
                            await self.step(session, self.rt, mediation, now)
                    moved += 1
                except Exception:
                    log.error("sweeper could not move a case; it stays due", sweeper=self.name,
                              case_id=mediation.case_id, exc_info=True)
        if moved:
            SWEEPER_TRANSITIONS.labels(sweeper=self.name).inc(moved)
            log.info("sweeper moved cases", sweeper=self.name, count=moved)
        # Fewer than a full batch moved (all done, or some stuck): this pass ends; stuck cases are
        # tried again next interval instead of spinning on them.
        return moved if moved == len(rows) else 0

    async def run(self) -> None:
        # the first pass waits one interval too: replicas starting together do not all sweep at once,
        # and nothing is lost by it, since what is due stays due in the database
        await poll_forever(self.sweep, poll_seconds=self.rt.settings.sweep_interval_seconds,
                           name=f"mediation.{self.name}_sweeper", shutdown=self.rt.shutdown, wait_first=True)


def offer_sweeper(runtime) -> Sweeper:
    return Sweeper(runtime, "offer", due.lapsed_offers, offers.lapse)


def deadline_sweeper(runtime) -> Sweeper:
    return Sweeper(runtime, "deadline", due.overdue_mediations, period.expire)


def contact_sweeper(runtime) -> Sweeper:
    return Sweeper(runtime, "contact", due.uncontacted_mediations, contacts.end_unreachable)
