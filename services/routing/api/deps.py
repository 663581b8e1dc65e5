"""What every routing route needs: its runtime and the roles the contract names."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import Depends, Request

from shared.auth import Principal, require
from shared.problems import Problem

AnyRole = Annotated[Principal, Depends(require("clerk", "partner", "mediator", "ops"))]
Ops = Annotated[Principal, Depends(require("ops"))]
DecisionReader = Annotated[Principal, Depends(require("ops", "partner", "clerk"))]


def runtime(request: Request):
    return request.app.state.runtimes["routing"]


def encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The id the previous page ended with; a cursor is opaque to clients, so a bad one is 422."""
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise Problem(422, "The cursor is not one this API gave.",
                      errors=[{"field": "cursor", "message": "invalid cursor"}]) from None
