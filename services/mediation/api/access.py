"""Who sees which mediation: ops every one, a partner or mediator only its own partner's. Another
partner's case answers 404, as an unknown one does, so its existence does not leak."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.store.models import Mediation
from shared.auth import Principal, partner_scope, require
from shared.problems import Problem

Staff = Annotated[Principal, Depends(require("partner", "mediator", "ops"))]


def runtime(request: Request):
    return request.app.state.runtimes["mediation"]


async def visible_mediation(session: AsyncSession, principal: Principal, case_id: str, *,
                            lock: bool = False) -> Mediation:
    try:
        uuid.UUID(case_id)
    except ValueError:
        raise Problem(404, "No such mediation.") from None
    mediation = await session.get(Mediation, case_id, with_for_update=lock)
    scope = partner_scope(principal)
    if mediation is None or (scope is not None and mediation.partner_id != scope):
        raise Problem(404, "No such mediation.")
    return mediation
