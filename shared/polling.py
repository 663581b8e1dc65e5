"""The loop every background worker shares: do a pass, and unless it filled a batch, sleep until
woken (a commit that made new work) or until the poll interval ends."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from shared.logging import get_logger

log = get_logger("polling")


async def poll_forever(one_pass: Callable[[], Awaitable[int]], *, wake: asyncio.Event, poll_seconds: float,
                       batch_size: int, name: str) -> None:
    while True:
        # Cleared before the pass, not after: a commit during the pass must wake the next one.
        wake.clear()
        try:
            done = await one_pass()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("background pass failed; will try again", loop=name, exc_info=True)
            done = 0
        if done < batch_size:
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation that arrives
            # as the wait ends, and the loop would never stop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(poll_seconds):
                    await wake.wait()
