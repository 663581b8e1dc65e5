"""The in-process bus of the embedded mode: one asyncio queue and worker per subscription, handing
the worker what has arrived as one batch, as the RabbitMQ adapter does."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from shared.bus.base import Bus, Subscription, run_batch, take_batch
from shared.events import Envelope
from shared.logging import get_logger
from shared.metrics import BUS_CONSUMED, BUS_PUBLISHED

log = get_logger("bus.memory")


@dataclass
class _Delivery:
    envelope: Envelope
    attempt: int = 1


class InMemoryBus(Bus):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._queues: dict[str, asyncio.Queue[_Delivery]] = {}
        self._workers: list[asyncio.Task] = []
        self._handlers: dict[str, list[Subscription]] = {}
        self.dead_letters: list[tuple[str, Envelope]] = []
        self._started = False
        # Deliveries published and not yet handled or dead-lettered, including those waiting to retry.
        self._unfinished = 0

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        for sub in self.subscriptions:
            self._queues[sub.queue] = asyncio.Queue()
            self._workers.append(asyncio.create_task(self._work(sub), name=f"bus:{sub.queue}"))

    async def publish(self, envelope: Envelope) -> None:
        for sub in self.subscriptions:
            if envelope.type in sub.event_types:
                self._unfinished += 1
                self._queues[sub.queue].put_nowait(_Delivery(envelope))
        BUS_PUBLISHED.labels(type=envelope.type).inc()

    async def _work(self, sub: Subscription) -> None:
        queue = self._queues[sub.queue]
        while True:
            deliveries = await take_batch(queue, self.max_batch, self.linger_s)
            outcomes = await run_batch(sub, [d.envelope for d in deliveries])
            for delivery, failure in zip(deliveries, outcomes, strict=True):
                if failure is None:
                    BUS_CONSUMED.labels(queue=sub.queue, outcome="ok").inc()
                    self._unfinished -= 1
                else:
                    self._retry_later(sub, delivery, failure)

    def _retry_later(self, sub: Subscription, delivery: _Delivery, failure: BaseException) -> None:
        if delivery.attempt >= self.max_attempts:
            BUS_CONSUMED.labels(queue=sub.queue, outcome="dead_letter").inc()
            log.error("message dead-lettered", queue=sub.queue, event_id=delivery.envelope.event_id,
                      event_type=delivery.envelope.type, exc_info=failure)
            self.dead_letters.append((sub.queue, delivery.envelope))
            self._unfinished -= 1
            return
        BUS_CONSUMED.labels(queue=sub.queue, outcome="retry").inc()
        delay = self.retry_delays[delivery.attempt - 1] / 1000
        log.warning("handler failed, will retry", queue=sub.queue, event_id=delivery.envelope.event_id,
                    attempt=delivery.attempt, delay_s=delay, exc_info=failure)
        retry = _Delivery(delivery.envelope, delivery.attempt + 1)
        asyncio.get_running_loop().call_later(delay, self._queues[sub.queue].put_nowait, retry)

    async def close(self) -> None:
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers.clear()
        self._started = False

    def health(self) -> tuple[bool, str]:
        alive = all(not w.done() for w in self._workers)
        return (self._started and alive, "in-process bus" if alive else "a bus worker stopped")

    async def queue_depths(self) -> dict[str, tuple[int, int]]:
        """(consumers, messages waiting) per queue and its dead letters, as RabbitMQBus reports them."""
        depths: dict[str, tuple[int, int]] = {}
        for sub in self.subscriptions:
            queue = self._queues.get(sub.queue)
            depths[sub.queue] = (int(self._started), queue.qsize() if queue else 0)
            depths[f"{sub.queue}.dlq"] = (0, sum(1 for q, _ in self.dead_letters if q == sub.queue))
        return depths

    @property
    def idle(self) -> bool:
        return self._unfinished == 0

    async def drain(self, timeout: float = 5.0) -> None:
        """Wait until every published delivery has been handled or dead-lettered (tests use it)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._unfinished and loop.time() < deadline:
            await asyncio.sleep(0.01)
