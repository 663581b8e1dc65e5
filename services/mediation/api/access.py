"""Who sees which mediation: ops every one, a partner or mediator only its own partner's. Another
partner's case answers 404, as an unknown one does, so its existence does not leak."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.store.models import Mediation
from shared.auth import Principal, partner_scope, require
from shared.visibility import visible_row

Staff = Annotated[Principal, Depends(require("partner", "mediator", "ops"))]


def runtime(request: Request):
    return request.app.state.runtimes["mediation"]


async def visible_mediation(session: AsyncSession, principal: Principal, case_id: str, *,
                            lock: bool = False) -> Mediation:
    return await visible_row(session, Mediation, case_id, owner="partner_id", scope=partner_scope(principal),
                             missing="No such mediation.", lock=lock)
