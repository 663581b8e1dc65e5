"""The RabbitMQ adapter (aio-pika): durable topic exchange, quorum queues, publisher confirms,
per-queue delayed retry queues and a dead-letter queue.

Every process declares the whole topology (all services' queues) before it publishes, so an event
published before its consumer ever started still lands in that consumer's durable queue.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Iterable, Sequence

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue, AbstractRobustConnection
from aio_pika.exceptions import ChannelInvalidStateError

from shared.bus.base import Bus, Subscription, Unpublishable, run_batch, take_batch
from shared.events import Envelope
from shared.logging import get_logger
from shared.metrics import BUS_CONSUMED, BUS_PUBLISHED

log = get_logger("bus.rabbitmq")

EXCHANGE = "courtmed.events"
PUBLISH_TIMEOUT_S = 10.0
# Each step of close() is bounded: a worker cancelled in the middle of forwarding a message (its
# confirm still due) could leave the connection's close waiting on the broker for ever, and the
# process (or a test's teardown) with it. What is not acked by then RabbitMQ redelivers.
CLOSE_STEP_S = 5.0
# A message redelivered this often without an ack (the consumer crashes on it) is dead-lettered
# by RabbitMQ itself: the guard against a poison message that kills the process.
DELIVERY_LIMIT = 20
# RabbitMQ 4's default max_message_size (3.x took up to 128 MiB): a larger message is refused by
# the broker and closes the channel, so it is refused here first, as a message that cannot be sent.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
# What encoding a message's properties raises (pamqp: a short string over 255 bytes is a TypeError):
# the message's own fault, never the broker's, so it will fail the same way every time.
_ENCODING_ERRORS = (TypeError, ValueError, OverflowError, UnicodeError, struct.error)
# How long the answer of the last consumer check stands while the next one is still running.
CONSUMER_ANSWER_S = 10.0


def _main_queue_arguments(queue: str) -> dict:
    return {
        "x-queue-type": "quorum",
        "x-delivery-limit": DELIVERY_LIMIT,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": f"{queue}.dlq",
    }


class SettledThrough:
    """The delivery tag of the consume channel up to which every delivery is settled.

    A batch whose tags continue it exactly (the next ones, on the same channel) can be acknowledged
    with one multiple ack of its last tag: the ack then covers that batch and nothing else, one frame
    to write and one settle command for the quorum queue instead of one per message. Whatever breaks
    the sequence (a batch of two channels, a gap, a batch whose settling failed) loses the channel's
    watermark for good, and its messages are acknowledged one by one from then on; a new channel
    (after a reconnect) numbers its deliveries from 1 and starts afresh."""

    def __init__(self) -> None:
        self._channel: object | None = None
        self._through: int | None = 0

    def continued_by(self, messages: Sequence[AbstractIncomingMessage]) -> bool:
        try:
            channels = [message.channel for message in messages]
        except ChannelInvalidStateError:  # closed: its deliveries are the broker's again anyway
            self._through = None
            return False
        if channels[0] is not self._channel:
            self._channel, self._through = channels[0], 0
        start, tags = self._through, [message.delivery_tag for message in messages]
        if start is None or any(c is not channels[0] for c in channels) or \
                tags != list(range(start + 1, start + 1 + len(tags))):
            self._through = None
            return False
        return True

    def settled(self, messages: Sequence[AbstractIncomingMessage]) -> None:
        """Every message of a batch that continued_by() accepted is settled."""
        if self._through is not None:
            self._through = messages[-1].delivery_tag


class RabbitMQBus(Bus):
    def __init__(self, url: str, *, topology: Iterable[tuple[str, tuple[str, ...]]] = (),
                 prefetch: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.url = url
        self.max_message_bytes = MAX_MESSAGE_BYTES
        self.topology = list(topology)
        # Enough unacknowledged messages to fill the next batch while one is being handled.
        self.prefetch = prefetch or 2 * self.max_batch
        self._workers: list[asyncio.Task] = []
        self._connection: AbstractRobustConnection | None = None
        self._publish_channel: AbstractChannel | None = None
        self._consume_channel: AbstractChannel | None = None
        self._exchange: aio_pika.abc.AbstractExchange | None = None
        # Robust channels restore only objects still referenced (aio-pika #536): keep them all.
        self._queues: dict[str, AbstractQueue] = {}
        self._arrived: dict[str, asyncio.Queue] = {}
        self._declared: dict[str, tuple[str, ...]] = {}
        self._consumer_check: asyncio.Future | None = None
        self._consumers_seen: tuple[bool, float] | None = None  # the last check's answer, and when
        self._watchdog: asyncio.Task | None = None
        self._broken_since: float | None = None
        self._settled = SettledThrough()

    async def start(self) -> None:
        self._connection = await aio_pika.connect_robust(self.url, client_properties={"connection_name": "courtmed"})
        self._publish_channel = await self._connection.channel(publisher_confirms=True)
        self._consume_channel = await self._connection.channel(publisher_confirms=True)
        await self._consume_channel.set_qos(prefetch_count=self.prefetch)
        self._exchange = await self._publish_channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC,
                                                                      durable=True)
        declared = {q: types for q, types in self.topology}
        for sub in self.subscriptions:
            declared[sub.queue] = tuple(sorted(set(declared.get(sub.queue, ())) | set(sub.event_types)))
        for queue, types in declared.items():
            await self._declare(queue, types)
        self._declared = declared
        for sub in self.subscriptions:
            arrived: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
            self._arrived[sub.queue] = arrived
            await self._queues[sub.queue].consume(arrived.put)
            self._workers.append(asyncio.create_task(self._work(sub, arrived), name=f"bus:{sub.queue}"))
        self._watchdog = asyncio.create_task(self._watch(), name="bus:watchdog")
        log.info("rabbitmq bus started", queues=sorted(declared), consuming=[s.queue for s in self.subscriptions])

    # A robust connection that came back can leave a channel closed for good: when the broker closed
    # the connection while a channel was being reopened, the channel's restore callback fails
    # ("RobustChannel._on_close ... error: ... closed") and nothing tries again. The relay then fails
    # every publish and the consumers get nothing, while the connection itself is fine. Seen in the
    # chaos drill; the watchdog reopens what stays closed.
    WATCH_EVERY_S = 2.0
    HEAL_AFTER_S = 6.0

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.WATCH_EVERY_S)
            conn = self._connection
            broken = conn is not None and not conn.is_closed and self._channels_closed()
            if not broken:
                self._broken_since = None
                continue
            self._broken_since = self._broken_since or loop.time()
            if loop.time() - self._broken_since >= self.HEAL_AFTER_S:
                try:
                    await self._reopen_channels()
                    self._broken_since = None
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.warning("could not reopen RabbitMQ channels; will try again", exc_info=True)

    def _channels_closed(self) -> bool:
        return any(c is None or c.is_closed for c in (self._publish_channel, self._consume_channel))

    async def _reopen_channels(self) -> None:
        """New channels on the open connection, the topology declared on them and the consumers
        attached again, feeding the same workers (what the old channel delivered and did not settle,
        the broker redelivers)."""
        conn = self._started()
        if self._publish_channel is None or self._publish_channel.is_closed:
            channel = await conn.channel(publisher_confirms=True)
            self._exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
            self._publish_channel = channel
            log.warning("RabbitMQ publish channel reopened")
        if self._consume_channel is None or self._consume_channel.is_closed:
            self._consume_channel = await conn.channel(publisher_confirms=True)
            await self._consume_channel.set_qos(prefetch_count=self.prefetch)
            for queue, types in self._declared.items():
                await self._declare(queue, types)
            for sub in self.subscriptions:
                await self._queues[sub.queue].consume(self._arrived[sub.queue].put)
            log.warning("RabbitMQ consume channel reopened", consuming=[s.queue for s in self.subscriptions])

    def _started(self) -> AbstractRobustConnection:
        if self._connection is None:
            raise RuntimeError("the RabbitMQ bus is not started (or already closed)")
        return self._connection

    def _consuming(self) -> AbstractChannel:
        if self._consume_channel is None:
            raise RuntimeError("the RabbitMQ bus is not started (or already closed)")
        return self._consume_channel

    async def _declare(self, queue: str, event_types: tuple[str, ...]) -> None:
        channel = self._consuming()
        exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        main = await channel.declare_queue(queue, durable=True, arguments=_main_queue_arguments(queue))
        for event_type in event_types:
            await main.bind(exchange, routing_key=event_type)
        await channel.declare_queue(f"{queue}.dlq", durable=True, arguments={"x-queue-type": "quorum"})
        for delay in self.retry_delays:
            # Messages wait out their delay here, then dead-letter straight back to the work queue.
            await channel.declare_queue(self._retry_queue(queue, delay), durable=True, arguments={
                "x-message-ttl": delay,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": queue,
            })
        self._queues[queue] = main

    @staticmethod
    def _retry_queue(queue: str, delay_ms: int) -> str:
        return f"{queue}.retry.{delay_ms}ms"

    async def _work(self, sub: Subscription, arrived: asyncio.Queue) -> None:
        """Hand what has arrived to the handler as one batch, then settle each message on its own.
        One batch at a time per queue and process: the handler's transaction then never waits on a
        lock that its own process's other batch holds."""
        while True:
            messages = await take_batch(arrived, self.max_batch, self.linger_s)
            try:
                await self._handle(sub, messages)
            except asyncio.CancelledError:
                raise
            except Exception:
                # Settling failed (the channel went away): RabbitMQ redelivers what was not acked.
                log.warning("could not settle a batch; the broker redelivers it", queue=sub.queue, exc_info=True)

    async def _handle(self, sub: Subscription, messages: list[AbstractIncomingMessage]) -> None:
        # With a second queue on the consume channel the two queues' deliveries interleave there, so
        # a process consuming more than one queue acknowledges one by one.
        together = len(self.subscriptions) == 1 and self._settled.continued_by(messages)
        batch: list[tuple[AbstractIncomingMessage, Envelope]] = []
        for message in messages:
            try:
                batch.append((message, Envelope.from_json(message.body)))
            except Exception:
                log.error("malformed message dead-lettered", queue=sub.queue, message_id=message.message_id)
                await self._forward(message, f"{sub.queue}.dlq", self._attempt(message))
        if batch:
            await self._settle(sub, batch, await run_batch(sub, [envelope for _, envelope in batch]), together)
        if together:
            self._settled.settled(messages)

    async def _settle(self, sub: Subscription, batch: list[tuple[AbstractIncomingMessage, Envelope]],
                      outcomes: Sequence[BaseException | None], together: bool) -> None:
        if together and all(failure is None for failure in outcomes):
            await batch[-1][0].ack(multiple=True)
            BUS_CONSUMED.labels(queue=sub.queue, outcome="ok").inc(len(batch))
            return
        for (message, envelope), failure in zip(batch, outcomes, strict=True):
            if failure is None:
                await message.ack()
                BUS_CONSUMED.labels(queue=sub.queue, outcome="ok").inc()
            else:
                await self._after_failure(sub, message, envelope, self._attempt(message), failure)

    @staticmethod
    def _attempt(message: AbstractIncomingMessage) -> int:
        attempt = (message.headers or {}).get("x-attempt", 1)  # written by _forward, always an int
        return attempt if isinstance(attempt, int) else 1

    async def _after_failure(self, sub: Subscription, message: AbstractIncomingMessage,
                             envelope: Envelope, attempt: int, failure: BaseException) -> None:
        if attempt >= self.max_attempts:
            log.error("message dead-lettered after retries", queue=sub.queue, event_id=envelope.event_id,
                      event_type=envelope.type, attempt=attempt, exc_info=failure)
            BUS_CONSUMED.labels(queue=sub.queue, outcome="dead_letter").inc()
            await self._forward(message, f"{sub.queue}.dlq", attempt)
            return
        delay = self.retry_delays[attempt - 1]
        log.warning("handler failed, will retry", queue=sub.queue, event_id=envelope.event_id,
                    attempt=attempt, delay_ms=delay, exc_info=failure)
        BUS_CONSUMED.labels(queue=sub.queue, outcome="retry").inc()
        await self._forward(message, self._retry_queue(sub.queue, delay), attempt + 1)

    async def _forward(self, message: AbstractIncomingMessage, queue: str, attempt: int) -> None:
        """Move a message to another queue: publish (confirmed) first, then ack the original."""
        try:
            copy = aio_pika.Message(
                message.body,
                headers={**(message.headers or {}), "x-attempt": attempt},
                message_id=message.message_id,
                correlation_id=message.correlation_id,
                content_type=message.content_type,
                type=message.type,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            )
            await asyncio.wait_for(self._consuming().default_exchange.publish(copy, routing_key=queue),
                                   PUBLISH_TIMEOUT_S)
        except Exception:
            # Could not park it: leave it to RabbitMQ to redeliver (the delivery limit still applies).
            log.warning("could not forward message, requeueing", queue=queue, exc_info=True)
            await message.nack(requeue=True)
            return
        await message.ack()

    async def publish(self, envelope: Envelope) -> None:
        if self._exchange is None:
            raise RuntimeError("bus not started")
        body = envelope.to_json()
        if len(body) > self.max_message_bytes:
            raise Unpublishable(f"message of {len(body)} bytes is larger than the broker takes "
                                f"({self.max_message_bytes})")
        try:
            message = aio_pika.Message(
                body,
                message_id=envelope.event_id,
                correlation_id=envelope.correlation_id,
                content_type="application/json",
                type=envelope.type,
                headers={"x-attempt": 1, **({"traceparent": envelope.traceparent} if envelope.traceparent else {})},
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            )
            # asyncio.timeout, not wait_for: wait_for ran each publish as a task of its own, one more
            # turn of a busy event loop per event relayed.
            async with asyncio.timeout(PUBLISH_TIMEOUT_S):
                await self._exchange.publish(message, routing_key=envelope.type)
        except _ENCODING_ERRORS as exc:
            raise Unpublishable(f"message cannot be encoded: {exc}") from exc
        BUS_PUBLISHED.labels(type=envelope.type).inc()

    async def close(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            await asyncio.gather(self._watchdog, return_exceptions=True)
            self._watchdog = None
        for worker in self._workers:
            worker.cancel()
        if self._workers:
            _, stuck = await asyncio.wait(self._workers, timeout=CLOSE_STEP_S)
            if stuck:
                log.warning("consumer workers did not stop in time", workers=len(stuck))
        self._workers.clear()
        if self._connection is not None:
            try:
                await asyncio.wait_for(self._connection.close(), CLOSE_STEP_S)
            except TimeoutError:
                log.warning("RabbitMQ connection did not close in time; the broker redelivers what was not acked")
            self._connection = None

    def health(self) -> tuple[bool, str]:
        conn = self._connection
        if conn is None or conn.is_closed:
            return False, "not connected to RabbitMQ"
        for channel in (self._publish_channel, self._consume_channel):
            if channel is None or channel.is_closed:
                return False, "RabbitMQ channel closed"
        if any(worker.done() for worker in self._workers):
            return False, "a consumer worker stopped"
        return True, "connected"

    async def consumers_attached(self) -> bool:
        """Whether each subscribed queue has a consumer (a robust reconnect can come back without one,
        aio-pika #231).

        /readyz waits for this with a time-out. A time-out that cancelled the check mid-RPC made aiormq
        close the channel out of turn, the broker answered with a connection-level CHANNEL_ERROR and
        the whole connection went down with it (chaos drill, under load): so the check runs as a task
        of its own that a caller's time-out cannot cancel, and concurrent callers share it."""
        if not self.subscriptions:
            return True
        loop = asyncio.get_running_loop()
        if self._consumer_check is None or self._consumer_check.done():
            self._consumer_check = asyncio.ensure_future(self._check_consumers())
            self._consumer_check.add_done_callback(self._remember_consumers)
        # A process busy serving requests can take seconds over the check: while one runs, a recent
        # answer stands, so a probe does not flap the pod out of service for being busy.
        if self._consumers_seen is not None and loop.time() - self._consumers_seen[1] < CONSUMER_ANSWER_S:
            return self._consumers_seen[0]
        return await asyncio.shield(self._consumer_check)

    def _remember_consumers(self, check: asyncio.Future) -> None:
        # Retrieved here too, so a check whose caller gave up does not log "exception never retrieved".
        if check.cancelled() or check.exception() is not None:
            self._consumers_seen = None
        else:
            self._consumers_seen = (check.result(), asyncio.get_running_loop().time())

    async def _check_consumers(self) -> bool:
        channel = await self._started().channel()
        try:
            for sub in self.subscriptions:
                declared = await channel.declare_queue(sub.queue, passive=True)
                # pamqp types the frame's counts optional; the broker's answer always has them
                if (declared.declaration_result.consumer_count or 0) < 1:
                    return False
            return True
        finally:
            await channel.close()

    async def queue_depths(self) -> dict[str, tuple[int, int]]:
        """(consumers, messages waiting) of every work queue of the topology and its dead-letter
        queue, as the broker counts them across all processes."""
        if self._connection is None or self._connection.is_closed:
            return {}
        queues = {q for q, _ in self.topology} | {s.queue for s in self.subscriptions}
        depths: dict[str, tuple[int, int]] = {}
        channel = await self._connection.channel()
        try:
            for name in sorted(queues):
                for queue in (name, f"{name}.dlq"):
                    declared = await channel.declare_queue(queue, passive=True)
                    result = declared.declaration_result
                    depths[queue] = (result.consumer_count or 0, result.message_count or 0)
        finally:
            await channel.close()
        return depths
