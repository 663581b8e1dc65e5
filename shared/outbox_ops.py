"""The operators' view of a service's outbox: rows parked because the bus could never take them, and
the replay that sends one again once its cause is fixed (ops only).

Every service mounts it under its own name, `/v1/ops/<service>/outbox/...`, so the embedded process
(four services on one port) and the Ingress (one prefix per service) route it alike.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import select

from shared.auth import Principal, require
from shared.logging import get_logger
from shared.pagination import after_position, cursor_position, split_page
from shared.problems import Problem

log = get_logger("outbox.ops")

Ops = Annotated[Principal, Depends(require("ops"))]


class ParkedEvent(BaseModel):
    event_id: str
    type: str
    case_id: str
    error: str
    attempts: int
    parked_at: datetime
    released_at: datetime | None
    released_by: str | None


class ParkedPage(BaseModel):
    items: list[ParkedEvent]
    next_cursor: str | None


class OutboxState(BaseModel):
    service: str
    parked: int
    relay_idle_seconds: float
    relay_stalled: str | None


def _view(row) -> ParkedEvent:
    return ParkedEvent(event_id=row.event_id, type=row.type, case_id=row.case_id, error=row.error,
                       attempts=row.attempts, parked_at=row.parked_at, released_at=row.released_at,
                       released_by=row.released_by)


def outbox_router(runtime) -> APIRouter:
    """The routes for one service runtime (its database, its outbox)."""
    router = APIRouter(prefix=f"/v1/ops/{runtime.name}/outbox", tags=["operations"])
    parked = runtime.tables.parked

    @router.get("", summary=f"The {runtime.name} outbox relay: parked rows, whether it is stalled (ops)",
                operation_id=f"{runtime.name}_outbox_state")
    async def outbox_state(_principal: Ops) -> OutboxState:
        return OutboxState(service=runtime.name, parked=await runtime.outbox.refresh_parked_count(),
                           relay_idle_seconds=round(runtime.outbox.stalled_for(), 3),
                           relay_stalled=await runtime.outbox.stalled())

    @router.get("/parked", summary=f"Events {runtime.name} could not publish, parked with the error (ops)",
                operation_id=f"{runtime.name}_outbox_parked")
    async def list_parked(_principal: Ops, status: Literal["parked", "released"] = "parked",
                          limit: Annotated[int, Query(ge=1, le=200)] = 50,
                          cursor: Annotated[str | None, Query(max_length=1000)] = None) -> ParkedPage:
        query = select(parked).order_by(parked.c.parked_at, parked.c.id).limit(limit + 1)
        query = query.where(parked.c.released_at.is_(None) if status == "parked" else parked.c.released_at.is_not(None))
        after = cursor_position(cursor)
        if after is not None:
            try:
                after_id = int(after[1])
            except ValueError:
                raise Problem(422, "The cursor is not one this API gave.",
                              errors=[{"field": "cursor", "message": "invalid cursor"}]) from None
            query = query.where(after_position(parked.c.parked_at, parked.c.id, (after[0], after_id)))
        async with runtime.db.read() as session:
            rows = (await session.execute(query)).all()
        page, next_cursor = split_page(rows, limit, lambda row: (row.parked_at, str(row.id)))
        return ParkedPage(items=[_view(row) for row in page], next_cursor=next_cursor)

    @router.post("/parked/{event_id}/replay",
                 summary=f"Send a parked {runtime.name} event again, once its cause is fixed (ops)",
                 operation_id=f"{runtime.name}_outbox_replay")
    async def replay(event_id: uuid.UUID, principal: Ops) -> ParkedEvent:
        async with runtime.db.unit_of_work() as session:
            released = await runtime.outbox.release(session, str(event_id), by=principal.subject)
        if released is None:
            raise Problem(404, "No parked event with this id.")
        log.info("parked outbox row released for replay", service=runtime.name, event_id=str(event_id),
                 event_type=released["type"])
        await runtime.outbox.refresh_parked_count()
        return ParkedEvent(**{k: released[k] for k in ParkedEvent.model_fields})

    return router
