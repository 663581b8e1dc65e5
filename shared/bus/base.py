"""The one bus interface. Two adapters implement it: RabbitMQ (production) and in-process (embedded)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from shared.events import Envelope

Handler = Callable[[Envelope], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """A consumer: a named durable queue, the event types bound to it and the handler."""

    queue: str
    event_types: tuple[str, ...]
    handler: Handler


def retry_delays_ms(base_ms: int, max_attempts: int) -> list[int]:
    """Delay before each redelivery: base, 4x base, 16x base ... (max_attempts - 1 of them)."""
    return [base_ms * 4**i for i in range(max(0, max_attempts - 1))]


class Bus(ABC):
    """Publish confirmed events; deliver them at least once to every bound queue.

    A handler that raises is retried after a growing delay; after `max_attempts` the message goes
    to the queue's dead-letter queue (`<queue>.dlq`) instead of looping forever.
    """

    def __init__(self, *, max_attempts: int = 5, retry_delay_ms: int = 2000) -> None:
        self.max_attempts = max_attempts
        self.retry_delays = retry_delays_ms(retry_delay_ms, max_attempts)
        self.subscriptions: list[Subscription] = []

    def subscribe(self, queue: str, event_types: tuple[str, ...] | list[str], handler: Handler) -> None:
        self.subscriptions.append(Subscription(queue, tuple(event_types), handler))

    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def publish(self, envelope: Envelope) -> None:
        """Return only once the bus has taken responsibility for the message (publisher confirm)."""

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    def health(self) -> tuple[bool, str]:
        """(ready, detail): connected, and every subscription has a consumer attached."""
