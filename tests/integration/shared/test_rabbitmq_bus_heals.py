"""The RabbitMQ adapter reopens channels that stay closed on an open connection: a robust channel
whose restore failed never comes back by itself (seen in the chaos drill, bench/chaos.py)."""

from __future__ import annotations

import asyncio

from shared.bus.rabbitmq import RabbitMQBus
from shared.events import Envelope
from tests.support import infra


async def _wait(predicate, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_closed_channels_are_reopened_and_events_flow_again(rabbit_vhost):
    bus = RabbitMQBus(infra.amqp_url(rabbit_vhost))
    bus.WATCH_EVERY_S, bus.HEAL_AFTER_S = 0.2, 0.5
    received: list[str] = []

    async def handle(envelope: Envelope) -> None:
        received.append(envelope.case_id)

    bus.subscribe("heal.events", ("case.routed",), handle)
    await bus.start()
    try:
        await bus.publish(Envelope.new("case.routed", "before", "test"))
        await _wait(lambda: received == ["before"])
        # An explicit close is one a robust channel never undoes: the stuck state of the drill.
        await bus._publish_channel.close()
        await bus._consume_channel.close()
        assert bus.health() == (False, "RabbitMQ channel closed")
        await _wait(lambda: bus.health()[0])
        await bus.publish(Envelope.new("case.routed", "after", "test"))
        await _wait(lambda: received == ["before", "after"])
        assert await bus.consumers_attached()
    finally:
        await bus.close()

