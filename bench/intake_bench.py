"""Intake's write path: POST /v1/cases through the real app (validation, idempotency key, gapless case
number, outbox, timeline) on PostgreSQL and on SQLite, one caller and twenty at once.

Twenty callers of one court contend for that court's case-number counter row (the price of gapless
numbers); twenty callers spread over ten courts do not.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
import uuid

import asyncpg

from tests.support.cases import case_body
from tests.support.platform import running

DISTRICTS = ("370202", "370203", "370211", "370212", "370213", "370214", "370215", "370281", "370283", "370285")
PG = dict(user=os.environ.get("TEST_PG_USER", "postgres"), host="127.0.0.1", port=5432)


async def _timed_posts(p, count: int, concurrency: int, spread: bool) -> tuple[float, list[float]]:
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(i: int) -> None:
        court = DISTRICTS[i % len(DISTRICTS)] if spread else "370202"
        headers = {**p.auth("clerk", court_code=court), "Idempotency-Key": str(uuid.uuid4())}
        async with gate:
            started = time.perf_counter()
            answer = await p.client.post("/v1/cases", json=case_body(court_code=court, district=court),
                                         headers=headers)
            latencies.append(time.perf_counter() - started)
        assert answer.status_code == 201, answer.text

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(count)))
    return time.perf_counter() - started, latencies


async def _run(url: str, count: int) -> list[tuple[str, float, float, float]]:
    rows = []
    async with running({"intake": url}, settings={"intake": {"rate_limit_burst": 100_000}}) as p:
        await _timed_posts(p, 20, 5, True)  # warm up connections and caches
        for label, concurrency, spread in (("1 caller", 1, False), ("20 callers, one court", 20, False),
                                           ("20 callers, ten courts", 20, True)):
            elapsed, latencies = await _timed_posts(p, count, concurrency, spread)
            latencies.sort()
            rows.append((label, count / elapsed, statistics.median(latencies) * 1000,
                         latencies[int(len(latencies) * 0.99) - 1] * 1000))
    return rows


async def intake_rows(count: int) -> list[str]:
    name = f"bench_intake_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(database="postgres", **PG)
    await admin.execute(f'CREATE DATABASE "{name}"')
    lines = ["| database | callers | cases | cases/s | median (ms) | p99 (ms) |", "|---|---|---:|---:|---:|---:|"]
    try:
        for backend, url in (("PostgreSQL", f"postgresql+asyncpg://{PG['user']}@127.0.0.1:5432/{name}"),
                             ("SQLite", f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/intake.db")):
            for label, rate, median, p99 in await _run(url, count):
                lines.append(f"| {backend} | {label} | {count} | {rate:.0f} | {median:.1f} | {p99:.1f} |")
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return lines


def intake_section(count: int = 200) -> list[str]:
    return asyncio.run(intake_rows(count))
