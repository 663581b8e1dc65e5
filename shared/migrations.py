"""Alembic, per service: each service has its own history under services/<name>/migrations.

Migrations run as their own step (`python -m composition.migrate intake routing ...`), never inside
application start-up. On PostgreSQL the service's database is created first if it does not exist.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

SERVICES_DIR = Path(__file__).resolve().parent.parent / "services"


def alembic_config(service: str, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["service"] = service
    return config


async def ensure_database(database_url: str) -> None:
    """Create the PostgreSQL database named in the URL if it is missing."""
    url = make_url(database_url)
    if not url.drivername.startswith("postgresql"):
        if url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        return
    admin = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=pool.NullPool)
    try:
        async with admin.connect() as conn:
            exists = await conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database})
            if not exists:
                await conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    finally:
        await admin.dispose()


async def wait_for_database(database_url: str, seconds: float) -> None:
    """Until the database server answers (a Kubernetes release Job starts before CloudNativePG has
    the cluster up on a first install); raises the last error after `seconds`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        engine = create_async_engine(database_url, poolclass=pool.NullPool)
        try:
            async with engine.connect() as conn:
                await conn.scalar(text("SELECT 1"))
            return
        except Exception as exc:
            if loop.time() >= deadline:
                raise
            print(f"waiting for the database: {type(exc).__name__}", flush=True)
            await asyncio.sleep(2.0)
        finally:
            await engine.dispose()


def upgrade(service: str, database_url: str, revision: str = "head") -> None:
    asyncio.run(ensure_database(database_url))
    command.upgrade(alembic_config(service, database_url), revision)


def run_env(context, target_metadata: MetaData) -> None:
    """The body of every service's migrations/env.py (online mode, async engine)."""
    url = context.config.get_main_option("sqlalchemy.url")

    def do_run(connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
            await connection.commit()
        await engine.dispose()

    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(run_async())

