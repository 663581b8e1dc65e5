"""The real PostgreSQL and RabbitMQ of this machine, for integration and end-to-end tests.

They must be there: a missing server fails the test (never skips), in CI and locally alike.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid

import asyncpg
import pytest

PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("TEST_PG_USER", "postgres")
AMQP_HOST = os.environ.get("TEST_AMQP_HOST", "127.0.0.1")
AMQP_PORT = int(os.environ.get("TEST_AMQP_PORT", "5672"))


def pg_url(database: str, *, port: int | None = None) -> str:
    return f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{port or PG_PORT}/{database}"


def amqp_url(vhost: str = "/", *, port: int | None = None) -> str:
    quoted = "%2F" if vhost == "/" else vhost
    return f"amqp://guest:guest@{AMQP_HOST}:{port or AMQP_PORT}/{quoted}"


async def create_database(prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        conn = await asyncpg.connect(user=PG_USER, host=PG_HOST, port=PG_PORT, database="postgres", timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT} ({exc}); it is required", pytrace=False)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name


async def drop_database(name: str) -> None:
    conn = await asyncpg.connect(user=PG_USER, host=PG_HOST, port=PG_PORT, database="postgres", timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def _rabbitmqctl(*args: str) -> None:
    result = subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        pytest.fail(f"rabbitmqctl {' '.join(args)} failed: {result.stderr.strip()}", pytrace=False)


async def create_vhost(prefix: str = "t") -> str:
    """A fresh RabbitMQ virtual host, so a test starts with empty queues."""
    await _require_port(AMQP_HOST, AMQP_PORT, "RabbitMQ")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    await asyncio.to_thread(_rabbitmqctl, "add_vhost", name)
    await asyncio.to_thread(_rabbitmqctl, "set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    return name


async def delete_vhost(name: str) -> None:
    await asyncio.to_thread(_rabbitmqctl, "delete_vhost", name)


async def _require_port(host: str, port: int, what: str) -> None:
    try:
        _reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 5)
        writer.close()
    except (OSError, TimeoutError) as exc:
        pytest.fail(f"{what} is not reachable at {host}:{port} ({exc}); it is required", pytrace=False)
