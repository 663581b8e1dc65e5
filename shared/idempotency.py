"""Idempotency-Keys of the creating POSTs (contract: Conventions), one mechanism for every service.

A key is claimed in the transaction of the effect and its answer remembered there, so the effect and
the answer commit together or not at all; a refused request rolls back and leaves the key free for
its retry. On PostgreSQL the claiming `INSERT ... ON CONFLICT DO NOTHING` waits for a concurrent
holder of the same key to commit, so a retry racing the original replays the original's answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import JSONResponse
from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Database, UTCDateTime
from shared.problems import Problem

IdempotencyKeyHeader = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
REPLAYED = {"Idempotent-Replayed": "true"}


def fingerprint(request: Any) -> str:
    """What a retry must repeat of its request, as a hash (keys are compared, never bodies)."""
    return hashlib.sha256(json.dumps(request, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Replay:
    """What the first request of a key answered, and whether this request is the same one."""

    status_code: int
    response: dict[str, Any]
    same_body: bool

    def refusal(self) -> Problem | None:
        """The 409 of a key reused with another request; None for a true retry."""
        if self.same_body:
            return None
        return Problem(409, "This Idempotency-Key was used with a different request body.",
                       errors=[{"field": "Idempotency-Key", "message": "reused with another body"}])


def replayed(earlier: Replay, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """The first answer again, marked as a replay; the 409 problem if the request is another one."""
    refused = earlier.refusal()
    if refused is not None:
        raise refused
    return JSONResponse(earlier.response, status_code=earlier.status_code, headers={**(headers or {}), **REPLAYED})


class IdempotencyKeys:
    """A service's `idempotency_keys` table (in its own database) and the statements on it."""

    def __init__(self, metadata: MetaData) -> None:
        self.table = Table(
            "idempotency_keys", metadata,
            Column("scope", String(200), primary_key=True),  # whose key: the caller, as each service names it
            Column("key", String(200), primary_key=True),
            Column("request_hash", String(64), nullable=False),
            Column("status_code", Integer, nullable=False),  # 0 until the claiming transaction remembers
            Column("response", JSON, nullable=False),
            Column("created_at", UTCDateTime(), nullable=False),
        )
        keys = self.table.c
        self._remember = (update(self.table).where(keys.scope == bindparam("b_scope"), keys.key == bindparam("b_key"))
                          .values(status_code=bindparam("b_status"), response=bindparam("b_response")))
        self._claims: dict[bool, Any] = {}  # per dialect (is_sqlite): built once, as every request claims

    async def claim_many(self, session: AsyncSession, db: Database, scope: str, fingerprints: Mapping[str, str],
                         now: datetime) -> dict[str, Replay]:
        """Take the keys (key -> request fingerprint); for each key taken before, what its first
        request answered. Keys missing from the answer are this transaction's.

        Keys are claimed in sorted order, so two batches sharing keys queue behind each other instead
        of deadlocking.
        """
        if not fingerprints:
            return {}
        keys = self.table.c
        rows = [{"scope": scope, "key": key, "request_hash": fingerprints[key], "status_code": 0, "response": {},
                 "created_at": now} for key in sorted(fingerprints)]
        claimed = set((await session.execute(self._claim(db), rows)).scalars())
        taken = [key for key in fingerprints if key not in claimed]
        if not taken:
            return {}
        earlier = await session.execute(select(keys.key, keys.request_hash, keys.status_code, keys.response)
                                        .where(keys.scope == scope, keys.key.in_(taken)))
        return {row.key: Replay(row.status_code, row.response, row.request_hash == fingerprints[row.key])
                for row in earlier}

    def _claim(self, db: Database) -> Any:
        if db.is_sqlite not in self._claims:
            self._claims[db.is_sqlite] = (db.insert(self.table).on_conflict_do_nothing(index_elements=["scope", "key"])
                                          .returning(self.table.c.key))
        return self._claims[db.is_sqlite]

    async def claim(self, session: AsyncSession, db: Database, scope: str, key: str, fingerprint: str,
                    now: datetime) -> Replay | None:
        """Take one key (None), or what its first request answered."""
        return (await self.claim_many(session, db, scope, {key: fingerprint}, now)).get(key)

    async def remember_many(self, session: AsyncSession, scope: str,
                            answers: Sequence[tuple[str, int, dict[str, Any]]]) -> None:
        """Store (key, status code, response) of each key this transaction claimed."""
        if answers:
            await session.execute(self._remember, [{"b_scope": scope, "b_key": key, "b_status": status,
                                                    "b_response": response} for key, status, response in answers])

    async def remember(self, session: AsyncSession, scope: str, key: str, status_code: int,
                       response: dict[str, Any]) -> None:
        await self.remember_many(session, scope, [(key, status_code, response)])


def idempotency_keys(metadata: MetaData) -> IdempotencyKeys:
    """Define the `idempotency_keys` table in a service's own metadata, as messaging_tables does the outbox."""
    return IdempotencyKeys(metadata)
