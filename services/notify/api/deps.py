"""What every notify route needs: its runtime, the callers it admits, and list paging."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from shared.auth import Principal, require

PartnerOrOps = Annotated[Principal, Depends(require("partner", "ops"))]
HandoffReader = Annotated[Principal, Depends(require("clerk", "partner", "ops"))]
Limit = Annotated[int, Query(ge=1, le=200)]


def runtime(request: Request):
    return request.app.state.runtimes["notify"]


