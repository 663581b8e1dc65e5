"""What one statement costs in CPU through each layer, on this machine's PostgreSQL: the unit of work
with ORM selects, prebuilt Core selects, and asyncpg directly. Not part of `make bench`; it explains
where the platform's CPU per case goes (docs/BENCHMARKS.md, "Profiles").

Usage: python -m bench.statement_cost [--n 500]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from sqlalchemy import Column, Integer, MetaData, String, Table, select

from shared.db import Database
from tests.support import infra

METADATA = MetaData()
ROWS = Table("t", METADATA, Column("id", Integer, primary_key=True), Column("v", String(20)))
PREBUILT = select(ROWS.c.id).where(ROWS.c.id == 1)


async def _timed(label: str, work, n: int) -> str:
    for _ in range(20):
        await work()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        await work()
    return (f"| {label} | {1e6 * (time.process_time() - cpu) / n:,.0f} | "
            f"{1e6 * (time.perf_counter() - wall) / n:,.0f} |")


def _scenarios(db: Database):
    async def empty_unit_of_work():
        async with db.unit_of_work():
            pass

    async def orm_selects(count: int):
        async with db.unit_of_work() as session:
            for _ in range(count):
                await session.execute(select(ROWS.c.id).where(ROWS.c.id == 1))

    async def prebuilt_core_selects():
        async with db.engine.begin() as conn:
            for _ in range(5):
                await conn.execute(PREBUILT)

    async def asyncpg_selects():
        async with db.engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            async with raw.transaction():
                for _ in range(5):
                    await raw.fetch("SELECT id FROM t WHERE id = $1", 1)

    return [("empty unit of work", empty_unit_of_work),
            ("unit of work + 1 select (session.execute)", lambda: orm_selects(1)),
            ("unit of work + 5 selects (session.execute)", lambda: orm_selects(5)),
            ("transaction + 5 prebuilt Core selects (connection.execute)", prebuilt_core_selects),
            ("transaction + 5 selects, asyncpg directly", asyncpg_selects)]


async def main(n: int) -> None:
    name = await infra.create_database("bench_statements")
    db = Database(infra.pg_url(name))
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(METADATA.create_all)
        print("| transaction | CPU µs | wall µs |\n|---|---:|---:|")
        for label, work in _scenarios(db):
            print(await _timed(label, work, n))
    finally:
        await db.dispose()
        await infra.drop_database(name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=500)
    asyncio.run(main(parser.parse_args().n))
