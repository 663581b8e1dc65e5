"""A service's handler table: event type -> what the service does with it, `action(session, rt, envelope)`.

The table is data at module level (in the service's `consumers/events.py`, named on its Runtime as
`handler_table`), so a reader, the docs and the tests see it without building a runtime; the
runtime binds it to itself when it subscribes its queue."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import Envelope
from shared.messaging import ConsumerHandler

EventAction = Callable[[AsyncSession, Any, Envelope], Awaitable[None]]
HandlerTable = Mapping[str, EventAction]


def bound(table: HandlerTable, runtime: Any) -> dict[str, ConsumerHandler]:
    """The table as the idempotent consumer calls it, `handler(session, envelope)`."""
    return {event_type: _bind(action, runtime) for event_type, action in table.items()}


def _bind(action: EventAction, runtime: Any) -> ConsumerHandler:
    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        await action(session, runtime, envelope)

    # named after the action, so profiles and tracebacks say what ran
    handle.__name__ = handle.__qualname__ = action.__name__
    return handle
