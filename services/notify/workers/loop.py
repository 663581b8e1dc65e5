"""The shape every notify worker shares: claim due rows, attempt them side by side, record every
result of the pass in one transaction, sleep until woken or the poll."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.store.queued import queue_work
from shared.logging import correlation_scope, get_logger
from shared.polling import poll_forever

log = get_logger("notify.worker")
T = TypeVar("T")
R = TypeVar("R")


async def bounded_gather(items: Iterable[T], work: Callable[[T], Awaitable[R]], limit: int,
                         timeout: float) -> list[tuple[T, R]]:
    """Work items side by side, at most `limit` at a time; the (item, result) of those that finished.
    One item's failure does not stop the others."""
    gate = asyncio.Semaphore(max(1, limit))
    finished: list[tuple[T, R]] = []

    async def one(item: T) -> None:
        async with gate:
            try:
                # Bounded well inside the claim's lease, so no other replica takes the row meanwhile.
                async with asyncio.timeout(timeout):
                    finished.append((item, await work(item)))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.error("worker item failed; it falls due again after its lease", exc_info=True)

    await asyncio.gather(*(one(item) for item in items))
    return finished


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
        """Claim one batch of due rows, attempt them and record the results; return how many."""
        rt, settings = self.rt, self.rt.settings
        async with rt.db.unit_of_work(wake=False) as session:
            claims = await type(self).claim_due(session, rt.db, rt.clock.now(),
                                                timedelta(seconds=settings.claim_lease_seconds),
                                                settings.worker_batch_size)
        if claims:
            finished = await bounded_gather(claims, self._attempt_in_scope, settings.worker_concurrency,
                                            settings.attempt_timeout_seconds)
            await self.record_all(finished)
        return len(claims)

    async def _attempt_in_scope(self, claim) -> Any:
        # The row's own correlation id: the worker runs outside the request and the event that
        # queued it, and the id goes out as a header and on the attempt's log lines.
        with correlation_scope(getattr(claim, "correlation_id", None), getattr(claim, "traceparent", None)):
            return await self.attempt(claim)

    async def record_all(self, finished: list[tuple[Any, Any]]) -> None:
        """Record the pass in one transaction; should that fail, each result in its own, so one bad
        row does not lose the others' results (an unrecorded row falls due again after its lease)."""
        if not finished:
            return
        try:
            async with self.rt.db.unit_of_work() as session:
                # a retry may be due at once, and the case's next delivery waits for this one (order
                # per case): this worker looks again after the commit; the others have no news
                queue_work(session, self.name)
                records = await self.lock_rows(session, [claim for claim, _ in finished])
                for claim, result in finished:
                    with correlation_scope(getattr(claim, "correlation_id", None),
                                           getattr(claim, "traceparent", None)):
                        self.record(records, claim, result)
                await records.write(session)
            return
        except Exception:
            if len(finished) == 1:
                log.error("could not record an attempt; it falls due again after its lease", exc_info=True)
                return
            log.warning("recording a pass failed; recording its results one by one", exc_info=True)
        for pair in finished:
            await self.record_all([pair])

    @abstractmethod
    async def lock_rows(self, session: AsyncSession, claims: list) -> PassRecords:
        """Lock and read every row the pass will record, in one statement per table and in key order,
        so two passes never wait on each other."""

    @abstractmethod
    async def attempt(self, claim) -> Any:
        """One attempt at one claimed row (no database work): its result, for `record`."""

    @abstractmethod
    def record(self, records: Any, claim, result) -> None:
        """Record one attempt's result in the pass's records (in memory: they are written together)."""

    async def run(self) -> None:
        settings = self.rt.settings
        await poll_forever(self.run_once, wake=self._wake, poll_seconds=settings.worker_poll_seconds,
                           batch_size=settings.worker_batch_size, name=self.name, shutdown=self.rt.shutdown)


class PassRecords(Protocol):
    """The rows one pass records: read under lock at its start, changed in memory by each result in
    the order they came, written at its end in a few statements (not one per row)."""

    async def write(self, session: AsyncSession) -> None: ...
