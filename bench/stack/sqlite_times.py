"""The accepted and routed times (see bench/stack/timings.py) from the embedded mode's SQLite files,
read with the standard sqlite3 module in a thread, read-only, beside the running process (WAL mode:
readers do not block its writers)."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path


def _epoch(stored: str) -> float:
    # shared.db.UTCDateTime stores UTC without an offset on SQLite.
    at = datetime.fromisoformat(stored)
    return (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).timestamp()


def _query(path: Path, sql: str, args: tuple = ()) -> list[tuple]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        return connection.execute(sql, args).fetchall()
    finally:
        connection.close()


@dataclass(frozen=True)
class SqliteTimes:
    intake: Path
    routing: Path

    async def accepted(self, tag: str | None) -> list[tuple[str, str, float]]:
        sql = "SELECT id, external_ref, created_at FROM cases"
        rows = await asyncio.to_thread(_query, self.intake, *((sql + " WHERE external_ref LIKE ?", (f"{tag}-%",))
                                                              if tag else (sql,)))
        return [(case_id, ref, _epoch(at)) for case_id, ref, at in rows]

    async def decisions(self, case_ids: list[str]) -> list[tuple[str, str, float]]:
        # All decisions, filtered here: a run has a few thousand, and SQLite caps bound parameters.
        wanted = set(case_ids)
        rows = await asyncio.to_thread(_query, self.routing,
                                       "SELECT case_id, outcome, decided_at FROM decisions ORDER BY attempt")
        return [(case_id, outcome, _epoch(at)) for case_id, outcome, at in rows if case_id in wanted]
