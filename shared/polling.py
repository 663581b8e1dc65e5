"""The background loops' shared parts: the shutdown signal they stop at, and the loop every worker
shares (do a pass, and unless it filled a batch, sleep until woken or until the interval ends)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from shared.logging import get_logger

log = get_logger("polling")


class Shutdown:
    """A runtime's request to its loops to stop between passes, never inside one.

    Cancelling a loop in the middle of a transaction is what shutdown did before: on SQLite the
    cancelled connection could keep the write lock while the pool tried to close it, and stopping
    hung. Loops check `requested` between passes and sleep with `nap`, which the request ends."""

    def __init__(self) -> None:
        self.requested = False
        self._napping: set[asyncio.Event] = set()

    def request(self) -> None:
        self.requested = True
        for event in list(self._napping):
            event.set()

    async def nap(self, seconds: float, wake: asyncio.Event | None = None) -> None:
        """Sleep `seconds`, or less if `wake` is set or shutdown is requested."""
        if self.requested:
            return
        event = wake if wake is not None else asyncio.Event()
        self._napping.add(event)
        try:
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation that arrives
            # as the wait ends, and the loop would never stop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconds):
                    await event.wait()
        finally:
            self._napping.discard(event)


async def poll_forever(one_pass: Callable[[], Awaitable[int]], *, poll_seconds: float, name: str,
                       shutdown: Shutdown, wake: asyncio.Event | None = None, batch_size: int | None = None,
                       wait_first: bool = False, linger_seconds: float = 0.0) -> None:
    """Passes until shutdown is requested: every background loop of the platform (the outbox relay,
    notify's workers, the sweepers, the calendar refresh). A pass that filled a batch (`batch_size`)
    is followed at once by the next; otherwise the loop sleeps `poll_seconds`, or until `wake` is set.
    A failed pass is logged and tried again after the sleep. `wait_first`: sleep before the first pass
    (replicas starting together do not all sweep at once). `linger_seconds`: once woken, wait that long
    before the pass, so that the commits close behind the one that woke it go in the same pass."""
    wake = wake if wake is not None else asyncio.Event()
    if wait_first:
        await shutdown.nap(poll_seconds, wake)
    while not shutdown.requested:
        # Cleared before the pass, not after: a commit during the pass must wake the next one.
        wake.clear()
        try:
            done = await one_pass()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("background pass failed; will try again", loop=name, exc_info=True)
            done = 0
        if batch_size is None or done < batch_size:
            await shutdown.nap(poll_seconds, wake)
            if linger_seconds > 0 and wake.is_set():
                await shutdown.nap(linger_seconds)


async def refresh_forever(refresh: Callable[[], Awaitable[object]], *, poll_seconds: float, name: str,
                          shutdown: Shutdown) -> None:
    """What a process caches from its table (the holiday calendar) read again every `poll_seconds`,
    for what another replica changed; the first time after one interval, start-up having read it."""
    async def one_pass() -> int:
        await refresh()
        return 0

    await poll_forever(one_pass, poll_seconds=poll_seconds, name=name, shutdown=shutdown, wait_first=True)
