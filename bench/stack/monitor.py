"""Sampled every second in the background while the platform runs: the queued work of each stage
(so the plot shows where cases wait) and the PostgreSQL connections each database holds (each
service's pool may grow to 30, and the server refuses clients beyond max_connections, for this
run's databases and anyone else's alike)."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field

import asyncpg

from bench.stack.backlog import queued
from bench.stack.broker import BrokerQueues


@dataclass
class Monitor:
    max_connections: int = 0
    server_peak: int = 0  # the most client connections the server held at once, all databases
    peaks: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # database -> most held
    queued: list[tuple[float, dict[str, int]]] = field(default_factory=list)  # (unix time, queued work)

    async def _connections(self, server: asyncpg.Pool) -> None:
        rows = await server.fetch("SELECT datname, count(*) AS n FROM pg_stat_activity "
                                  "WHERE backend_type = 'client backend' GROUP BY datname")
        self.server_peak = max(self.server_peak, sum(r["n"] for r in rows))
        for row in rows:
            if row["datname"]:
                self.peaks[row["datname"]] = max(self.peaks[row["datname"]], row["n"])

    async def run(self, databases: dict[str, asyncpg.Pool], broker: BrokerQueues, every_s: float = 1.0) -> None:
        """Until cancelled. `databases` has the server's "postgres" database and each service's."""
        self.max_connections = int(await databases["postgres"].fetchval("SHOW max_connections"))
        while True:
            started = time.time()
            await self._connections(databases["postgres"])
            self.queued.append((started, await queued(databases, broker)))
            await asyncio.sleep(max(0.0, every_s - (time.time() - started)))
