"""The one bus interface. Two adapters implement it: RabbitMQ (production) and in-process (embedded)."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from shared.events import Envelope
from shared.metrics import BUS_BATCH_SIZE

Handler = Callable[[Envelope], Awaitable[None]]
# Takes a batch, answers one outcome per message in the same order: None (done, acknowledge it) or
# the exception that message failed with (retry it later, or dead-letter it after the last attempt).
BatchHandler = Callable[[Sequence[Envelope]], Awaitable[Sequence[BaseException | None]]]


@dataclass(frozen=True)
class Subscription:
    """A consumer: a named durable queue, the event types bound to it and the batch handler."""

    queue: str
    event_types: tuple[str, ...]
    handler: BatchHandler


def one_by_one(handler: Handler) -> BatchHandler:
    """A batch handler that runs a per-message handler on each message of the batch in turn."""

    async def handle(envelopes: Sequence[Envelope]) -> list[BaseException | None]:
        outcomes: list[BaseException | None] = []
        for envelope in envelopes:
            try:
                await handler(envelope)
                outcomes.append(None)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                outcomes.append(exc)
        return outcomes

    return handle


async def run_batch(sub: Subscription, envelopes: Sequence[Envelope]) -> Sequence[BaseException | None]:
    """The subscription's outcomes for a batch; a handler that raised instead of answering (it broke
    its contract) fails the whole batch, so every message is retried rather than left unsettled."""
    BUS_BATCH_SIZE.labels(queue=sub.queue).observe(len(envelopes))
    try:
        return await sub.handler(envelopes)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        return [exc] * len(envelopes)


async def take_batch(queue: asyncio.Queue, max_batch: int, linger_s: float = 0.0) -> list:
    """Wait for one item, then for `linger_s` more unless a whole batch is there already, then take
    whatever has arrived, up to `max_batch`. Without the linger a process that keeps up takes its
    events one transaction each; a few milliseconds put the events of several cases in one, which
    under load saves more CPU (one BEGIN, inbox claim, COMMIT and ack round per batch) than it costs
    in latency."""
    batch = [await queue.get()]
    if linger_s > 0 and queue.qsize() + 1 < max_batch:
        await asyncio.sleep(linger_s)
    while len(batch) < max_batch and not queue.empty():
        batch.append(queue.get_nowait())
    return batch


# A relay pass (200 rows) goes out as one wave: in a process busy serving requests, every further
# wave of confirms waits its turn behind them, and the outbox grew while intake was under load.
PUBLISHES_IN_FLIGHT = 256


class NotAttempted(Exception):
    """Not published because an earlier event of the same case failed first."""


class Unpublishable(Exception):
    """The bus can never take this message (too large, a property it cannot encode): unlike a broker
    that is away, trying again will not help. The outbox parks such a row instead of retrying it."""


def retry_delays_ms(base_ms: int, max_attempts: int) -> list[int]:
    """Delay before each redelivery: base, 4x base, 16x base ... (max_attempts - 1 of them)."""
    return [base_ms * 4**i for i in range(max(0, max_attempts - 1))]


class Bus(ABC):
    """Publish confirmed events; deliver them at least once to every bound queue.

    Messages reach handlers in batches of what has arrived; each message of a batch succeeds or fails
    on its own. A message that failed is retried after a growing delay; after `max_attempts` the message goes
    to the queue's dead-letter queue (`<queue>.dlq`) instead of looping forever.
    """

    def __init__(self, *, max_attempts: int = 5, retry_delay_ms: int = 2000, max_batch: int = 100,
                 linger_ms: int = 0) -> None:
        self.max_attempts = max_attempts
        self.retry_delays = retry_delays_ms(retry_delay_ms, max_attempts)
        self.max_batch = max_batch
        self.linger_s = linger_ms / 1000
        self.subscriptions: list[Subscription] = []

    def subscribe(self, queue: str, event_types: Sequence[str], handler: Handler) -> None:
        """Deliver each message to `handler(envelope)`."""
        self.subscribe_batch(queue, event_types, one_by_one(handler))

    def subscribe_batch(self, queue: str, event_types: Sequence[str], handler: BatchHandler) -> None:
        """Deliver messages in batches of up to `max_batch` (what has arrived within `linger_ms` of the first)."""
        self.subscriptions.append(Subscription(queue, tuple(event_types), handler))

    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def publish(self, envelope: Envelope) -> None:
        """Return only once the bus has taken responsibility for the message (publisher confirm)."""

    async def publish_many(self, envelopes: Sequence[Envelope]) -> list[BaseException | None]:
        """Publish a batch; the outcome of each, in order. The cases go side by side (their confirms
        overlap), each case's events one after the other, and a case stops at its first failure so
        its later events are not sent ahead of it (they answer `NotAttempted`)."""
        outcomes: list[BaseException | None] = [NotAttempted()] * len(envelopes)
        by_case: dict[str, list[int]] = {}
        for position, envelope in enumerate(envelopes):
            by_case.setdefault(envelope.case_id, []).append(position)

        # Bounded, so each publish's time-out measures the broker's confirm, not a queue of our own.
        in_flight = asyncio.Semaphore(PUBLISHES_IN_FLIGHT)

        async def publish_case(positions: list[int]) -> None:
            for position in positions:
                try:
                    async with in_flight:
                        await self.publish(envelopes[position])
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    outcomes[position] = exc
                    return
                outcomes[position] = None

        await asyncio.gather(*(publish_case(positions) for positions in by_case.values()))
        return outcomes

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    def health(self) -> tuple[bool, str]:
        """(ready, detail): connected, and every subscription has a consumer attached."""
