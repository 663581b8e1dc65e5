"""One lookup for "this caller's resource or 404": another court's or partner's case answers exactly
as a case that does not exist, so its existence is not revealed (docs/api-notes.md, Everywhere)."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from shared.problems import Problem

Row = TypeVar("Row")


async def visible_row(session: AsyncSession, model: type[Row], key: str, *, owner: str, scope: str | None,
                      missing: str, lock: bool = False) -> Row:
    """The row of `model` with id `key` if its `owner` column is `scope` (None: ops, who see all);
    otherwise 404 with `missing`. A key that is not a UUID is 404 too, never a database error."""
    try:
        uuid.UUID(key)
    except ValueError:
        raise Problem(404, missing) from None
    row: Any = await session.get(model, key, with_for_update=lock)
    if row is None or (scope is not None and getattr(row, owner) != scope):
        raise Problem(404, missing)
    return row
