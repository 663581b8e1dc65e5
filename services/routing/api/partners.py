"""GET /v1/partners, GET and PATCH /v1/partners/{id}: the roster as clients see it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.routing.actions import roster
from services.routing.api.deps import AnyRole, Ops, runtime
from services.routing.api.responses import PartnerList, PartnerView
from services.routing.api.schemas import PartnerPatch
from services.routing.api.views import partner_view
from services.routing.domain.roster import Partner
from services.routing.domain.vocabulary import CATEGORIES, Mode, is_area_code
from services.routing.store import partners as repo
from shared.pagination import encode_id_cursor, id_cursor_position
from shared.problems import Problem

router = APIRouter(prefix="/v1/partners", tags=["partners"])
MODES = tuple(m.value for m in Mode)


def _check_filters(category: str | None, district: str | None, mode: str | None) -> None:
    """Checked here rather than by type annotations so that one answer lists every bad filter."""
    errors = []
    if category is not None and category not in CATEGORIES:
        errors.append({"field": "category", "message": "unknown dispute category"})
    if district is not None and not is_area_code(district):
        errors.append({"field": "district", "message": "a 6-digit district code"})
    if mode is not None and mode not in MODES:
        errors.append({"field": "mode", "message": f"one of {', '.join(MODES)}"})
    if errors:
        raise Problem(422, "The filters are invalid.", errors=errors)


def _matches(partner: Partner, category: str | None, district: str | None, mode: str | None,
             active: bool | None) -> bool:
    return ((category is None or category in partner.categories)
            and (district is None or partner.serves(district))
            and (mode is None or Mode(mode) in partner.modes)
            and (active is None or partner.active == active))


@router.get("", summary="The partner bodies, filtered and cursor-paginated by id", response_model=PartnerList)
async def list_partners(request: Request, principal: AnyRole, category: str | None = None,
                        district: str | None = None, mode: str | None = None, active: bool | None = None,
                        limit: Annotated[int, Query(ge=1, le=200)] = 50, cursor: str | None = None) -> dict:
    _check_filters(category, district, mode)
    after = id_cursor_position(cursor)
    rt = runtime(request)
    async with rt.db.read() as session:
        index = await rt.roster.index(session)
        # With both category and district the index names the few bodies serving them; a national
        # roster is then not walked for a page.
        pool = (sorted(index.serving(category, district), key=lambda p: p.id) if category and district
                else index.partners())
        page = []
        for partner in pool:
            if partner.id > after and _matches(partner, category, district, mode, active):
                page.append(partner.id)
                if len(page) > limit:
                    break
        more, page = len(page) > limit, page[:limit]
        rows = await repo.rows_by_id(session, page)
    reveal = principal.role == "ops"
    return {"items": [partner_view(rows[pid], reveal_personal_data=reveal) for pid in page if pid in rows],
            "next_cursor": encode_id_cursor(page[-1]) if more and page else None}


@router.get("/{partner_id}", summary="One partner body with its mediators and open cases", response_model=PartnerView)
async def get_partner(partner_id: str, request: Request, principal: AnyRole) -> dict:
    rt = runtime(request)
    async with rt.db.read() as session:
        row = (await repo.rows_by_id(session, [partner_id])).get(partner_id)
    if row is None:
        raise Problem(404, "No such partner.")
    return partner_view(row, reveal_personal_data=principal.role == "ops")


@router.patch("/{partner_id}", summary="Change a partner's capacity or active flag (ops)", response_model=PartnerView)
async def patch_partner(partner_id: str, body: PartnerPatch, request: Request, principal: Ops) -> dict:
    changes = body.changes()
    if not changes:
        raise Problem(422, "Nothing to change: send capacity and/or active.",
                      errors=[{"field": "body", "message": "capacity or active required"}])
    rt = runtime(request)
    async with rt.db.unit_of_work() as session:
        row = await roster.change_partner(session, rt, partner_id, changes, principal.subject)
        if row is None:
            raise Problem(404, "No such partner.")
    return partner_view(row, reveal_personal_data=True)
