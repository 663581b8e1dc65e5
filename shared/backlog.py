"""Backlog gauges: what waits (outbox rows, queue messages, deliveries, hand-offs, overdue cases),
read from the database and the broker by one loop per process every `METRICS_SAMPLE_SECONDS`.

A scrape then costs no query, and a database that is away leaves the last values in place (the
sampler logs it; the `up` and readiness alerts say the rest). Each service adds its own samples
(`ServiceRuntime.backlog_samples`); the outbox's and the broker's are every service's."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from sqlalchemy import func, select

from shared.bus import Bus
from shared.db import Database
from shared.logging import get_logger
from shared.messaging import MessagingTables
from shared.metrics import BUS_QUEUE_CONSUMERS, BUS_QUEUE_MESSAGES, OUTBOX_OLDEST_AGE
from shared.polling import Shutdown

log = get_logger("backlog")

Sample = Callable[[], Awaitable[None]]


def age_seconds(oldest: datetime | None, now: datetime) -> float:
    """Seconds since `oldest`, 0 when nothing waits."""
    return max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0


def outbox_sample(service: str, db: Database, tables: MessagingTables, now: Callable[[], datetime]) -> Sample:
    async def sample() -> None:
        outbox = tables.outbox
        async with db.read() as session:
            oldest = (await session.execute(select(func.min(outbox.c.created_at))
                                            .where(outbox.c.published_at.is_(None)))).scalar_one()
        OUTBOX_OLDEST_AGE.labels(service=service).set(age_seconds(oldest, now()))
    return sample


def queue_sample(bus: Bus) -> Sample:
    async def sample() -> None:
        depths = getattr(bus, "queue_depths", None)
        if depths is None:
            return
        for queue, (consumers, messages) in (await depths()).items():
            BUS_QUEUE_CONSUMERS.labels(queue=queue).set(consumers)
            BUS_QUEUE_MESSAGES.labels(queue=queue).set(messages)
    return sample


class BacklogSampler:
    def __init__(self, service: str, samples: Sequence[Sample], interval_seconds: float,
                 shutdown: Shutdown) -> None:
        self.service, self.samples, self.interval = service, list(samples), interval_seconds
        self.shutdown = shutdown

    async def sample_once(self) -> None:
        for sample in self.samples:
            try:
                await asyncio.wait_for(sample(), max(1.0, self.interval))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # One sample that cannot be read must not stop the others.
                log.warning("backlog sample failed", service=self.service,
                            sample=getattr(sample, "__qualname__", "?"), error=type(exc).__name__)

    async def run(self) -> None:
        while not self.shutdown.requested:
            await self.sample_once()
            await self.shutdown.nap(self.interval)
