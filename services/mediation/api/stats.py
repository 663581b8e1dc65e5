"""`GET /v1/stats`: the figures a justice bureau reports, per partner, category, mode, district or
month (Asia/Shanghai). Definitions are those of domain/stats.py: counts by the stamp falling in
[from, to) (unroutable cases, cases returned to the court, declines and lapses per partner among
them: 2021 Art 29), settlement rate over the mediations that ended after the partner accepted,
median days from receipt to outcome, open and overdue now.

As JSON, or as the bureau files it: `Accept: text/csv` or
`Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` (or `?format=csv|xlsx`,
a download link), with Chinese column headings. Readers: ops and the justice bureau (`bureau`, the
city's figures; statistics carry no personal data), and a partner, its own."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from services.mediation.api.access import runtime
from services.mediation.api.responses import StatsReport
from services.mediation.api.stats_export import CSV_TYPE, XLSX_TYPE, to_csv, to_xlsx, wanted_format
from services.mediation.domain.stats import GroupBy, StatsRow, Window, compute_stats
from services.mediation.store.stats import case_records
from shared.auth import Principal, require
from shared.clock import beijing_date
from shared.inputs import Instant
from shared.problems import Problem

router = APIRouter(prefix="/v1/stats", tags=["stats"])

Reader = Annotated[Principal, Depends(require("ops", "bureau", "partner"))]
DEFAULT_WINDOW = timedelta(days=30)


def _row(row: StatsRow) -> dict:
    out = asdict(row)
    for key in ("settlement_rate", "median_days_to_outcome"):
        if out[key] is not None:
            out[key] = round(out[key], 4)
    return out


@router.get("", summary="Statistics over a window, grouped, as JSON, CSV or .xlsx (ops, bureau; a partner: its own)",
            response_model=StatsReport, responses={200: {"content": {CSV_TYPE: {}, XLSX_TYPE: {}}}})
async def stats(request: Request, principal: Reader,
                from_: Annotated[Instant | None, Query(alias="from")] = None,
                to: Instant | None = None, group_by: GroupBy = GroupBy.PARTNER,
                format_: Annotated[Literal["json", "csv", "xlsx"] | None, Query(alias="format")] = None,
                accept: Annotated[str | None, Header(max_length=1000)] = None):
    rt = runtime(request)
    now = rt.clock.now()
    end = to or now
    start = from_ or end - DEFAULT_WINDOW
    if start >= end:
        raise Problem(422, "from must be before to.", errors=[{"field": "from", "message": "must be before to"}])
    window = Window(start, end)
    partner = principal.partner_id if principal.role == "partner" else None
    async with rt.db.read() as session:
        records = await case_records(session, window, now, partner)
    report = compute_stats(records, window, group_by, now, partner_id=partner)
    body = {"from": start.isoformat(), "to": end.isoformat(), "now": now.isoformat(), "group_by": group_by.value,
            "partner_id": partner, "groups": [_row(g) for g in report.groups], "total": _row(report.total)}
    kind = wanted_format(accept, format_)
    if kind == "json":
        return body
    name = f"stats-{group_by.value}-{beijing_date(start).isoformat()}-{beijing_date(end).isoformat()}.{kind}"
    content, media = (to_csv(body), f"{CSV_TYPE}; charset=utf-8") if kind == "csv" else (to_xlsx(body), XLSX_TYPE)
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})
