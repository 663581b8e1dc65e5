"""The message bus: one interface (`Bus`), a RabbitMQ adapter and an in-process adapter."""

from shared.bus.base import BatchHandler, Bus, Handler, Subscription
from shared.bus.memory import InMemoryBus


def create_bus(url: str, *, topology=(), max_attempts: int = 5, retry_delay_ms: int = 2000,
               max_batch: int = 100, linger_ms: int = 0) -> Bus:
    options = {"max_attempts": max_attempts, "retry_delay_ms": retry_delay_ms, "max_batch": max_batch,
               "linger_ms": linger_ms}
    if url.startswith("memory://"):
        return InMemoryBus(**options)
    if url.startswith(("amqp://", "amqps://")):
        from shared.bus.rabbitmq import RabbitMQBus

        return RabbitMQBus(url, topology=topology, **options)
    raise ValueError(f"unsupported bus URL scheme: {url.split(':', 1)[0]}")


__all__ = ["BatchHandler", "Bus", "Handler", "Subscription", "InMemoryBus", "create_bus"]
