"""The joint-choice windows that closed without a choice (2021 Art 10): the rules designate.

Durable and safe with replicas, like mediation's sweepers: every pass reads the database; on
PostgreSQL it claims the due cases FOR UPDATE SKIP LOCKED, and the consumer's row lock on the
routed case orders a pass against a choice recorded at the same moment (the later one finds the
case decided and does nothing)."""

from __future__ import annotations


from sqlalchemy import select

from services.routing.consumers.decide import DecideConsumer
from services.routing.store.models import RoutedCase
from shared.logging import get_logger

log = get_logger("routing.joint_choice")
BATCH = 100


def due(now):
    return (select(RoutedCase).where(RoutedCase.choice_closes_at <= now, RoutedCase.attempt == 0,
                                     RoutedCase.closed.is_(False))
            .order_by(RoutedCase.choice_closes_at, RoutedCase.case_id))


class ChoiceSweeper:
    def __init__(self, runtime) -> None:
        self.rt = runtime
        self.decide = DecideConsumer(runtime)

    async def sweep(self) -> int:
        """One pass; answers how many cases it had designated."""
        total = 0
        while True:
            now = self.rt.clock.now()
            async with self.rt.db.unit_of_work() as session:
                query = due(now).limit(BATCH)
                if not self.rt.db.is_sqlite:
                    query = query.with_for_update(skip_locked=True)
                rows = (await session.scalars(query)).all()
                for routed in rows:
                    await self.decide.designate_after_window(session, routed)
            total += len(rows)
            if len(rows) < BATCH:
                return total

    async def run(self) -> None:
        while not self.rt.shutdown.requested:
            moved = await self.sweep()
            if moved:
                log.info("joint choice windows closed; partners designated", cases=moved)
            await self.rt.shutdown.nap(self.rt.settings.choice_sweep_seconds)
