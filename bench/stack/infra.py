"""Fresh PostgreSQL databases and a fresh RabbitMQ virtual host for one run, removed afterwards, so
the figures never include the leftovers of an earlier run and a run leaves nothing behind."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from dataclasses import dataclass, field

import asyncpg

PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
AMQP_HOST = os.environ.get("BENCH_AMQP_HOST", "127.0.0.1")
AMQP_PORT = int(os.environ.get("BENCH_AMQP_PORT", "5672"))
LOOPBACK = ("127.0.0.1", "localhost", "::1")
if PG_HOST not in LOOPBACK or AMQP_HOST not in LOOPBACK:
    raise SystemExit("the benchmark only ever loads servers on this machine (loopback)")


def pg_url(database: str) -> str:
    return f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


def amqp_url(vhost: str) -> str:
    return f"amqp://guest:guest@{AMQP_HOST}:{AMQP_PORT}/{vhost}"


async def pg_connect(database: str = "postgres", patience_s: float = 60.0) -> asyncpg.Connection:
    """A connection, waiting while the server is full: it is shared (tests may be running beside
    the benchmark), and a moment later a connection is usually free again."""
    deadline = asyncio.get_running_loop().time() + patience_s
    while True:
        try:
            return await asyncpg.connect(user=PG_USER, host=PG_HOST, port=PG_PORT, database=database, timeout=10)
        except asyncpg.TooManyConnectionsError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.5)


async def pg_pool(database: str) -> asyncpg.Pool:
    """One connection, held open, that callers take turns on (a pool of one serialises them)."""
    return await asyncpg.create_pool(min_size=1, max_size=1, connect=lambda *_, **__: pg_connect(database))


def _rabbitmqctl(*args: str) -> None:
    result = subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {result.stderr.strip()}")


@dataclass
class Scratch:
    """Databases and a vhost named bench_<what>_<run id>, all dropped by cleanup()."""

    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    databases: dict[str, str] = field(default_factory=dict)
    vhost: str | None = None

    async def database(self, what: str) -> str:
        name = f"bench_{what}_{self.run_id}"
        conn = await pg_connect()
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        self.databases[what] = name
        return name

    async def virtual_host(self) -> str:
        name = f"bench_{self.run_id}"
        await asyncio.to_thread(_rabbitmqctl, "add_vhost", name)
        self.vhost = name
        await asyncio.to_thread(_rabbitmqctl, "set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        return name

    async def cleanup(self) -> list[str]:
        """Drop everything created; problems are returned, not raised, so the rest is still removed."""
        problems = []
        if self.databases:
            try:
                conn = await pg_connect()
                try:
                    for name in list(self.databases.values()):
                        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                finally:
                    await conn.close()
                self.databases.clear()
            except (OSError, asyncpg.PostgresError) as exc:
                problems.append(f"dropping databases {sorted(self.databases.values())}: {exc}")
        if self.vhost:
            try:
                await asyncio.to_thread(_rabbitmqctl, "delete_vhost", self.vhost)
                self.vhost = None
            except (OSError, RuntimeError, subprocess.TimeoutExpired) as exc:
                problems.append(f"deleting vhost {self.vhost}: {exc}")
        return problems
