"""`GET /v1/stats`: the figures a justice bureau reports, per partner, category, mode or district.
Definitions are those of domain/stats.py: counts by the stamp falling in [from, to), settlement rate
over every ending in the window, median days from receipt to outcome, open and overdue now."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from services.mediation.api.access import runtime
from services.mediation.domain.stats import GroupBy, StatsRow, Window, compute_stats
from services.mediation.store.stats import case_records
from shared.auth import Principal, require
from shared.inputs import Instant
from shared.problems import Problem

router = APIRouter(prefix="/v1/stats", tags=["stats"])

Reader = Annotated[Principal, Depends(require("ops", "partner"))]
DEFAULT_WINDOW = timedelta(days=30)


def _row(row: StatsRow) -> dict:
    out = asdict(row)
    for key in ("settlement_rate", "median_days_to_outcome"):
        if out[key] is not None:
            out[key] = round(out[key], 4)
    return out


@router.get("", summary="Statistics over a window, grouped (ops; a partner sees its own)")
async def stats(request: Request, principal: Reader,
                from_: Annotated[Instant | None, Query(alias="from")] = None,
                to: Instant | None = None, group_by: GroupBy = GroupBy.PARTNER) -> dict:
    rt = runtime(request)
    now = rt.clock.now()
    end = to or now
    start = from_ or end - DEFAULT_WINDOW
    if start >= end:
        raise Problem(422, "from must be before to.", errors=[{"field": "from", "message": "must be before to"}])
    window = Window(start, end)
    partner = None if principal.role == "ops" else principal.partner_id
    async with rt.db.read() as session:
        records = await case_records(session, window, now, partner)
    report = compute_stats(records, window, group_by, now)
    return {"from": start.isoformat(), "to": end.isoformat(), "now": now.isoformat(), "group_by": group_by.value,
            "partner_id": partner, "groups": [_row(g) for g in report.groups], "total": _row(report.total)}
