"""Opaque list cursors (contract: `?cursor=`, `next_cursor`): the (timestamp, id) of the last row of
a page, so the next page starts strictly after it."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import TypeVar

from shared.problems import Problem


Row = TypeVar("Row")


class BadCursor(ValueError):
    pass


def encode_cursor(created_at: datetime, row_id: str) -> str:
    raw = json.dumps([created_at.astimezone(timezone.utc).isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, row_id = json.loads(raw)
        parsed = datetime.fromisoformat(created_at)
    except Exception as exc:
        raise BadCursor("not a cursor this API gave") from exc
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)), str(row_id)


def cursor_position(cursor: str | None) -> tuple[datetime, str] | None:
    """The position a `?cursor=` names, or a 422 problem on the `cursor` field."""
    if not cursor:
        return None
    try:
        return decode_cursor(cursor)
    except BadCursor:
        raise Problem(422, "The cursor is not one this API gave.",
                      errors=[{"field": "cursor", "message": "invalid cursor"}]) from None


def split_page(rows: Sequence[Row], limit: int,
               position: Callable[[Row], tuple[datetime, str]]) -> tuple[list[Row], str | None]:
    """The page and its next_cursor. Repositories fetch limit + 1 rows: the extra one only says
    that another page follows."""
    page = list(rows[:limit])
    more = len(rows) > limit and bool(page)
    return page, encode_cursor(*position(page[-1])) if more else None
