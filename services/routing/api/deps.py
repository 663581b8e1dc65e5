"""What every routing route needs: its runtime and the roles the contract names."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared.auth import Principal, require

AnyRole = Annotated[Principal, Depends(require("clerk", "partner", "mediator", "ops"))]
Ops = Annotated[Principal, Depends(require("ops"))]
DecisionReader = Annotated[Principal, Depends(require("ops", "partner", "clerk"))]


def runtime(request: Request):
    return request.app.state.runtimes["routing"]
