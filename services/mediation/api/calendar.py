"""`/v1/calendar`: the holiday arrangement every working-day window and period end is counted on.

Read by every role (it is public information, and clerks and partners see windows computed on it);
a year is loaded by ops only, each load a new version kept with who loaded it, when and from which
notice (the audit record). A year the table does not hold answers its fixed statutory holidays,
`provisional: true`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError

from services.mediation.actions.calendar import VersionConflict, load_year
from services.mediation.actions.core import Actor, rfc3339
from services.mediation.api.access import runtime
from services.mediation.api.responses import YearList, YearLoaded, YearWithVersions
from services.mediation.domain.holiday_year import InvalidArrangement
from services.mediation.store import holidays as store
from shared.auth import Principal, require
from shared.holidays import EARLIEST_YEAR, LATEST_YEAR, YearArrangement, statutory_holidays
from shared.inputs import SingleLine
from shared.problems import Problem

router = APIRouter(prefix="/v1/calendar", tags=["calendar"])

Reader = Annotated[Principal, Depends(require("clerk", "partner", "mediator", "ops", "bureau"))]
Ops = Annotated[Principal, Depends(require("ops"))]
Year = Annotated[int, Path(ge=EARLIEST_YEAR, le=LATEST_YEAR, description="a year, e.g. 2027")]
PROVISIONAL_WARNING = ("Only the fixed statutory holidays of 全国年节及纪念日放假办法 Art 2 are known for this year: "
                       "the State Council's notice may join them to weekends and name make-up working days. "
                       "Windows reaching it are marked calendar_provisional and recomputed when ops load the year.")


class YearIn(BaseModel):
    """The State Council's arrangement for one year (国务院办公厅关于某年部分节假日安排的通知)."""

    model_config = ConfigDict(extra="forbid")
    holidays: list[date] = Field(max_length=120, description="every rest day of the public holidays, "
                                                             "weekend days inside a holiday included")
    make_up_working_days: list[date] = Field(default_factory=list, max_length=30,
                                             description="weekend days that are worked (调休)")
    notice: Annotated[str, SingleLine(200)] | None = Field(default=None,
                                                           description="the notice, e.g. 国办发明电〔2026〕9号")
    version: int | None = Field(default=None, ge=0, description="the version in force (0: none); 409 if another "
                                                                 "was loaded since")


def _year_view(arrangement: YearArrangement) -> dict:
    view = {"year": arrangement.year, "version": arrangement.version, "source": arrangement.source,
            "notice": arrangement.notice, "provisional": arrangement.provisional,
            "holidays": sorted(d.isoformat() for d in arrangement.holidays),
            "make_up_working_days": sorted(d.isoformat() for d in arrangement.make_up_working_days),
            "statutory_holidays": {d.isoformat(): name for d, name in statutory_holidays(arrangement.year).items()}}
    if arrangement.provisional:
        view["warning"] = PROVISIONAL_WARNING
    return view


@router.get("/years", summary="The years of the holiday table in force, and up to which year it is confirmed",
            response_model=YearList)
async def list_years(request: Request, principal: Reader) -> dict:
    calendar = runtime(request).calendar
    years = [{"year": a.year, "version": a.version, "source": a.source, "notice": a.notice,
              "provisional": a.provisional} for a in calendar.years.values()]
    confirmed = [a.year for a in calendar.years.values() if not a.provisional]
    return {"items": years, "confirmed_until": max(confirmed) if confirmed else None}


@router.get("/years/{year}", summary="One year's rest days and make-up working days, with every loaded version",
            response_model=YearWithVersions, response_model_exclude_unset=True)
async def get_year(year: Year, request: Request, principal: Reader) -> dict:
    rt = runtime(request)
    async with rt.db.read() as session:
        versions = await store.versions_of(session, year)
    return {**_year_view(rt.calendar.arrangement(year)),
            "versions": [{"version": v.version, "source": v.source, "notice": v.notice, "provisional": v.provisional,
                          "loaded_at": rfc3339(v.loaded_at), "loaded_by": v.loaded_by} for v in versions]}


@router.put("/years/{year}", summary="Load a year's arrangement as its next version (ops); provisional windows "
                                     "and deadlines are recomputed",
            response_model=YearLoaded, response_model_exclude_unset=True)
async def put_year(year: Year, body: YearIn, request: Request, principal: Ops) -> dict:
    rt = runtime(request)
    try:
        async with rt.db.unit_of_work() as session:
            loaded = await load_year(session, rt, Actor.of(principal), year=year, holidays=body.holidays,
                                     make_up_working_days=body.make_up_working_days, notice=body.notice,
                                     expected_version=body.version)
    except InvalidArrangement as exc:
        raise Problem(422, "The holiday arrangement is not valid.",
                      errors=[{"field": f.field, "message": f.message} for f in exc.faults]) from None
    except VersionConflict as exc:
        raise Problem(409, f"Version {exc.current} of {year} is in force; load on top of it.",
                      errors=[{"field": "version", "message": f"expected {exc.current}"}]) from None
    except IntegrityError:
        raise Problem(409, f"Another version of {year} was loaded at the same moment; read it and try again.",
                      errors=[{"field": "version", "message": "loaded concurrently"}]) from None
    rt.calendar = loaded.calendar
    return {**_year_view(loaded.calendar.arrangement(year)), "loaded_at": rfc3339(loaded.row.loaded_at),
            "loaded_by": loaded.row.loaded_by, "recomputed": loaded.recomputed}
