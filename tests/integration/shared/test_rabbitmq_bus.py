"""The RabbitMQ adapter on the real broker: confirmed publishing, bindings, delayed retry, dead letters."""

from __future__ import annotations

import asyncio

import aio_pika
import aiormq

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


async def test_a_batch_is_acknowledged_with_one_frame_that_covers_only_that_batch(rabbit_vhost, monkeypatch):
    url = infra.amqp_url(rabbit_vhost)
    publisher = RabbitMQBus(url, topology=[("acked.events", ("case.received",))])
    await publisher.start()
    for n in range(12):
        await publisher.publish(Envelope.new("case.received", f"c{n}", "test"))
    await publisher.close()

    acks: list[tuple[int, bool]] = []
    basic_ack = aiormq.Channel.basic_ack

    async def observed_ack(channel, delivery_tag, multiple=False, **kwargs):
        acks.append((delivery_tag, multiple))
        return await basic_ack(channel, delivery_tag, multiple=multiple, **kwargs)

    monkeypatch.setattr(aiormq.Channel, "basic_ack", observed_ack)
    handled: list[list[str]] = []
    stuck = asyncio.Event()

    async def handle(envelopes):
        handled.append([e.case_id for e in envelopes])
        if len(handled) == 2:  # the second batch never finishes: its messages stay unacknowledged
            stuck.set()
            await asyncio.Event().wait()
        return [None] * len(envelopes)

    first = RabbitMQBus(url, max_batch=5, linger_ms=300)
    first.subscribe_batch("acked.events", ("case.received",), handle)
    await first.start()
    try:
        await asyncio.wait_for(stuck.wait(), 15)
    finally:
        await first.close()
    assert handled == [[f"c{n}" for n in range(5)], [f"c{n}" for n in range(5, 10)]]
    assert acks == [(5, True)]

    again: list[str] = []
    second = RabbitMQBus(url, max_batch=5)

    async def record(envelope: Envelope) -> None:
        again.append(envelope.case_id)

    second.subscribe("acked.events", ("case.received",), record)
    await second.start()
    try:
        await _wait(lambda: len(again) >= 7)
        await asyncio.sleep(0.3)
    finally:
        await second.close()
    assert sorted(again, key=lambda case: int(case[1:])) == [f"c{n}" for n in range(5, 12)]
