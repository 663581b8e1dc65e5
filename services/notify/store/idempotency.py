"""Idempotency-Key for creating endpoints: a retried POST gets the endpoint its first try created."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.store.models import IdempotencyKey
from shared.db import Database


def fingerprint(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


async def claim_key(session: AsyncSession, db: Database, scope: str, key: str, request_hash: str,
                    now: datetime) -> IdempotencyKey | None:
    """Take the key (None), or return the row of the request that took it first.

    On PostgreSQL the insert waits for a concurrent holder of the same key, so exactly one creates.
    """
    claimed = await session.execute(db.insert(IdempotencyKey.__table__).values(
        scope=scope, key=key, request_hash=request_hash, endpoint_id="", created_at=now,
    ).on_conflict_do_nothing(index_elements=["scope", "key"]))
    if claimed.rowcount == 1:
        return None
    return await session.get(IdempotencyKey, (scope, key), populate_existing=True)


async def remember(session: AsyncSession, scope: str, key: str, endpoint_id: str) -> None:
    row = await session.get(IdempotencyKey, (scope, key))
    row.endpoint_id = endpoint_id
