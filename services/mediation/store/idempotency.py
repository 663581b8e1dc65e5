"""Idempotency-Keys of mediation's creating POSTs (contract: Conventions). The key is claimed in the
transaction of the effect, so the effect and its remembered answer commit together or not at all;
a refused request rolls back and leaves the key free for a retry."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.store.models import IdempotencyKey
from shared.db import Database


def request_fingerprint(method: str, path: str, body: dict[str, Any]) -> str:
    """The request as far as a retry must repeat it: the same key on another path is another body."""
    canonical = json.dumps({"method": method, "path": path, "body": body}, sort_keys=True, ensure_ascii=False,
                           default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Replay:
    status_code: int
    response: dict[str, Any]
    same_body: bool


async def claim(session: AsyncSession, db: Database, scope: str, key: str, fingerprint: str,
                now: datetime) -> Replay | None:
    """Take the key (None), or answer what its first use answered. On PostgreSQL the insert waits
    for a concurrent holder of the same key to commit, so a retry racing the original replays it."""
    claimed = await session.execute(
        db.insert(IdempotencyKey.__table__).values(scope=scope, key=key, request_hash=fingerprint, status_code=0,
                                                   response={}, created_at=now)
        .on_conflict_do_nothing(index_elements=["scope", "key"]))
    if claimed.rowcount == 1:
        return None
    earlier = await session.get(IdempotencyKey, (scope, key), populate_existing=True)
    return Replay(earlier.status_code, earlier.response, earlier.request_hash == fingerprint)


async def remember(session: AsyncSession, scope: str, key: str, status_code: int, response: dict[str, Any]) -> None:
    await session.execute(update(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
                          .values(status_code=status_code, response=response))
