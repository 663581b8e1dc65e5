"""The shape every notify worker shares: claim due rows, work them, sleep until woken or the poll."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Database
from shared.logging import get_logger
from shared.polling import poll_forever

log = get_logger("notify.worker")
T = TypeVar("T")


@asynccontextmanager
async def quiet_transaction(db: Database) -> AsyncIterator[AsyncSession]:
    """A transaction whose commit does not run the database's on-commit callbacks.

    Claiming work is not new work: if claims woke the workers, each worker's claim would wake the
    others, and they would spin.
    """
    async with db.sessions() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


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
    """Subclasses implement `run_once() -> number of rows worked`."""

    name = "worker"

    def __init__(self, runtime) -> None:
        self.rt = runtime
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    @abstractmethod
    async def run_once(self) -> int:
        """Claim and work one batch of due rows; return how many."""

    async def run(self) -> None:
        settings = self.rt.settings
        await poll_forever(self.run_once, wake=self._wake, poll_seconds=settings.worker_poll_seconds,
                           batch_size=settings.worker_batch_size, name=self.name)
