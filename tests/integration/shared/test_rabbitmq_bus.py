"""The RabbitMQ adapter on the real broker: confirmed publishing, bindings, delayed retry, dead letters."""

from __future__ import annotations

import asyncio

import aio_pika

from shared.bus.rabbitmq import RabbitMQBus
from shared.events import Envelope
from tests.support import infra


async def _wait(predicate, timeout: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_published_events_reach_bound_queues_even_before_their_consumer_starts(rabbit_vhost):
    url = infra.amqp_url(rabbit_vhost)
    publisher = RabbitMQBus(url, topology=[("late.events", ("case.routed",))])
    await publisher.start()
    await publisher.publish(Envelope.new("case.routed", "c1", "test"))
    await publisher.close()

    received: list[str] = []
    consumer = RabbitMQBus(url)

    async def handle(envelope: Envelope) -> None:
        received.append(envelope.case_id)

    consumer.subscribe("late.events", ("case.routed",), handle)
    await consumer.start()
    try:
        await _wait(lambda: received == ["c1"])
        assert consumer.health()[0] and await consumer.consumers_attached()
    finally:
        await consumer.close()


async def test_failing_handler_is_retried_with_delay_then_dead_lettered(rabbit_vhost):
    url = infra.amqp_url(rabbit_vhost)
    bus = RabbitMQBus(url, max_attempts=3, retry_delay_ms=100)
    attempts: dict[str, int] = {}
    tried_at: dict[str, list[float]] = {}

    async def handle(envelope: Envelope) -> None:
        attempts[envelope.case_id] = attempts.get(envelope.case_id, 0) + 1
        tried_at.setdefault(envelope.case_id, []).append(asyncio.get_running_loop().time())
        if envelope.case_id == "poison" or attempts[envelope.case_id] < 2:
            raise RuntimeError("handler failed")

    bus.subscribe("work.events", ("case.received",), handle)
    await bus.start()
    try:
        await bus.publish(Envelope.new("case.received", "flaky", "test"))
        await bus.publish(Envelope.new("case.received", "poison", "test"))
        await _wait(lambda: attempts.get("flaky") == 2 and attempts.get("poison") == 3)
        connection = await aio_pika.connect(url)
        try:
            channel = await connection.channel()
            for _ in range(50):
                dlq = await channel.declare_queue("work.events.dlq", passive=True)
                if dlq.declaration_result.message_count == 1:
                    break
                await asyncio.sleep(0.1)
            assert dlq.declaration_result.message_count == 1
            message = await dlq.get(timeout=5)
            assert Envelope.from_json(message.body).case_id == "poison"
        finally:
            await connection.close()
        await asyncio.sleep(0.5)
        assert attempts == {"flaky": 2, "poison": 3}
        # The delays are the retry queues' TTLs (100 ms, then 400 ms): never shorter; and the message
        # waited in a retry queue, not in a redelivery loop (well under the next delay's length more).
        assert bus.retry_delays == [100, 400]
        poison = tried_at["poison"]
        gaps = [later - earlier for earlier, later in zip(poison, poison[1:])]
        assert 0.1 <= gaps[0] < 0.1 + 1.0 and 0.4 <= gaps[1] < 0.4 + 1.0, gaps
        assert tried_at["flaky"][1] - tried_at["flaky"][0] >= 0.1
    finally:
        await bus.close()
