"""Messages waiting in each service's RabbitMQ queue (ready, not yet taken by its consumer): where
events queue between one service's outbox and the next one's handler. Read with a passive
queue declare over one AMQP connection, which costs the broker next to nothing (rabbitmqctl would
start an Erlang VM every second)."""

from __future__ import annotations

import aio_pika
from aio_pika.exceptions import AMQPError

from composition.topology import QUEUES


class BrokerQueues:
    def __init__(self, url: str) -> None:
        self.url = url
        self.connection: aio_pika.abc.AbstractConnection | None = None
        self.channel: aio_pika.abc.AbstractChannel | None = None

    async def open(self) -> None:
        self.connection = await aio_pika.connect(self.url)
        self.channel = await self.connection.channel()

    async def ready(self) -> dict[str, int]:
        found: dict[str, int] = {}
        if self.connection is None or self.channel is None:
            return found
        for name, _types in QUEUES:
            try:
                queue = await self.channel.declare_queue(name, passive=True)
                found[f"{name} (RabbitMQ)"] = queue.declaration_result.message_count or 0
            except AMQPError:
                self.channel = await self.connection.channel()  # a failed passive declare closes the channel
        return found

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()
            self.connection = self.channel = None
