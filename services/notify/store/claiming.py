"""Claiming due rows for one attempt each: how notify's three workers (webhooks, notices, hand-offs)
start every pass.

A claimed row keeps its status with its due time (the lease column) pushed past the lease: if this
process dies during the attempt, the row simply falls due again. The statements are Core, built once
at import (compiling statements built anew per call was most of the claim's cost)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Select, Table, bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Database


class DueClaim:
    """Takes what `due` selects and pushes its lease.

    `due` is the store's SELECT of due rows, oldest first, ending in FOR UPDATE SKIP LOCKED
    (PostgreSQL; SQLite runs one process and has no row locks): replicas claim side by side without
    taking the same row. `sort_key` puts the claimed rows back in `due`'s order."""

    def __init__(self, table: Table, due: Select[Any], lease_column: str,
                 sort_key: Callable[[Row[Any]], Any]) -> None:
        taken = due.subquery("due")
        lease_until: dict[str, Any] = {lease_column: bindparam("lease_until")}
        self.due = due
        self.sort_key = sort_key
        # PostgreSQL: takes the due rows and pushes their lease in one statement, returning what `due` read.
        self.claim = update(table).where(table.c.id == taken.c.id).values(lease_until).returning(*taken.c)
        # SQLite cannot return a joined table's columns from an UPDATE: `due`, then this.
        self.lease = update(table).where(table.c.id.in_(bindparam("ids", expanding=True))).values(lease_until)

    async def take(self, session: AsyncSession, db: Database, now: datetime, lease: timedelta,
                   limit: int) -> Sequence[Row[Any]]:
        """At most `limit` rows due at `now`, leased until `now + lease`, oldest first."""
        params = {"now": now, "limit": limit, "lease_until": now + lease}
        if db.is_sqlite:
            rows = (await session.execute(self.due, params)).all()
            if rows:
                await session.execute(self.lease, {"ids": [row.id for row in rows], "lease_until": now + lease})
            return rows
        # RETURNING keeps no order: the claims go out oldest first, as `due` took them.
        return sorted((await session.execute(self.claim, params)).all(), key=self.sort_key)
