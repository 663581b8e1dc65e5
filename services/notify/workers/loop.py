"""The shape every notify worker shares: claim due rows, work them, sleep until woken or the poll."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta
from typing import TypeVar

from shared.logging import get_logger
from shared.polling import poll_forever

log = get_logger("notify.worker")
T = TypeVar("T")


async def bounded_gather(items: Iterable[T], work: Callable[[T], Awaitable[None]], limit: int,
                         timeout: float) -> None:
    """Work items side by side, at most `limit` at a time; one item's failure does not stop the others."""
    gate = asyncio.Semaphore(max(1, limit))

    async def one(item: T) -> None:
        async with gate:
            try:
                # Bounded well inside the claim's lease, so no other replica takes the row meanwhile.
                async with asyncio.timeout(timeout):
                    await work(item)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.error("worker item failed; it falls due again after its lease", exc_info=True)

    await asyncio.gather(*(one(item) for item in items))


class PollingWorker(ABC):
    """Claims due rows with its store's `claim_due` and works each with `attempt`."""

    name = "worker"
    # The store's claim function: (session, db, now, lease, limit) -> claims.
    claim_due: Callable[..., Awaitable[list]]

    def __init__(self, runtime) -> None:
        self.rt = runtime
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        """Claim one batch of due rows and work them; return how many."""
        rt, settings = self.rt, self.rt.settings
        async with rt.db.unit_of_work(wake=False) as session:
            claims = await type(self).claim_due(session, rt.db, rt.clock.now(),
                                                timedelta(seconds=settings.claim_lease_seconds),
                                                settings.worker_batch_size)
        await bounded_gather(claims, self.attempt, settings.worker_concurrency, settings.attempt_timeout_seconds)
        return len(claims)

    @abstractmethod
    async def attempt(self, claim) -> None:
        """One attempt at one claimed row, recording its result."""

    async def run(self) -> None:
        settings = self.rt.settings
        await poll_forever(self.run_once, wake=self._wake, poll_seconds=settings.worker_poll_seconds,
                           batch_size=settings.worker_batch_size, name=self.name)
