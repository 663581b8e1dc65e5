"""Work the platform still has queued: unpublished outbox rows in every service, events waiting in
each service's RabbitMQ queue, and notify's pending deliveries, notices and hand-offs (table names
from each service's store/models.py). Idle CPU is only idle once this is zero; before that it
measures the tail of the load."""

from __future__ import annotations

import asyncpg

from bench.stack.broker import BrokerQueues
from bench.stack.waiting import poll_until

# Only what is due now: a retry scheduled for later, or a reminder days ahead, is not load.
QUEUED = {
    "outbox": "SELECT count(*) FROM outbox WHERE published_at IS NULL",
    "deliveries": "SELECT count(*) FROM deliveries WHERE status = 'pending' "
                  "AND coalesce(next_attempt_at, now()) <= now()",
    "notices": "SELECT count(*) FROM notices WHERE status = 'pending' AND due_at <= now()",
    "handoffs": "SELECT count(*) FROM handoffs WHERE status = 'pending' "
                "AND coalesce(next_attempt_at, now()) <= now()",
}
TABLES_OF = {"intake": ("outbox",), "routing": ("outbox",), "mediation": ("outbox",),
             "notify": ("outbox", "deliveries", "notices", "handoffs")}


async def queued(connections: dict[str, asyncpg.Pool], broker: BrokerQueues) -> dict[str, int]:
    """{"intake outbox": n, "routing.events (RabbitMQ)": n, "notify notices": n, ...}; a table the
    schema no longer has is left out."""
    found = await broker.ready()
    for service, tables in TABLES_OF.items():
        for table in tables:
            try:
                found[f"{service} {table}"] = int(await connections[service].fetchval(QUEUED[table]))
            except asyncpg.PostgresError:
                continue
    return found


async def wait_until_quiet(connections: dict[str, asyncpg.Pool], broker: BrokerQueues,
                           bound_s: float) -> tuple[float, dict[str, int]]:
    """Seconds waited, and what was still queued when the wait ended (all zero unless bound_s ran out)."""
    return await poll_until(lambda: queued(connections, broker), lambda left: not any(left.values()), bound_s)
