"""Opaque list cursors (contract: `?cursor=`, `next_cursor`): the (timestamp, id) of the last row of
a page, so the next page starts strictly after it.

A cursor is signed (HMAC-SHA256 with a key derived from the services' shared secret, truncated to
128 bits): the API notes promise 422 for a cursor the API did not give, and a decoded position is
then known to hold a bounded time and a plain id, never a NUL or a year the database cannot hold.
Every replica of every service derives the same key, so a cursor outlives the process that gave it;
changing the secret invalidates the cursors in clients' hands (they list again from the start)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, or_

from shared.inputs import EARLIEST, LATEST, line_breaker
from shared.problems import Problem

Row = TypeVar("Row")
_MAC_BYTES = 16
# Until create_app installs the services' key (tools, unit tests): cursors valid in this process only.
_key = secrets.token_bytes(32)


class BadCursor(ValueError):
    pass


def use_cursor_key(secret: str) -> None:
    """Derive the signing key from the services' shared secret (called once at app creation)."""
    global _key
    _key = hmac.new(secret.encode(), b"courtmed list cursor v1", hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_cursor(position: list[Any]) -> str:
    payload = json.dumps(position, separators=(",", ":")).encode()
    mac = hmac.new(_key, payload, hashlib.sha256).digest()[:_MAC_BYTES]
    return f"{_b64(payload)}.{_b64(mac)}"


def verify_cursor(cursor: str) -> list[Any]:
    """The position a signed cursor holds; BadCursor for anything this API did not sign."""
    payload_text, dot, mac_text = cursor.partition(".")
    try:
        if not dot or len(cursor) > 1000:
            raise ValueError("not a signed cursor")
        payload, mac = _unb64(payload_text), _unb64(mac_text)
    except (ValueError, binascii.Error) as exc:
        raise BadCursor("not a cursor this API gave") from exc
    if not hmac.compare_digest(mac, hmac.new(_key, payload, hashlib.sha256).digest()[:_MAC_BYTES]):
        raise BadCursor("not a cursor this API gave")
    position = json.loads(payload)
    if not isinstance(position, list) or not all(isinstance(part, str) and not line_breaker(part)
                                                 for part in position):
        raise BadCursor("not a cursor this API gave")
    return position


def encode_cursor(created_at: datetime, row_id: str) -> str:
    return sign_cursor([created_at.astimezone(UTC).isoformat(), str(row_id)])


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    position = verify_cursor(cursor)
    try:
        created_at, row_id = position
        parsed = datetime.fromisoformat(created_at)
    except ValueError as exc:
        raise BadCursor("not a cursor this API gave") from exc
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if not EARLIEST <= parsed < LATEST:
        raise BadCursor("not a cursor this API gave")
    return parsed, row_id


def encode_id_cursor(last_id: str) -> str:
    """A cursor for a list ordered by id alone (the roster)."""
    return sign_cursor([str(last_id)])


def id_cursor_position(cursor: str | None) -> str:
    """The id a `?cursor=` of an id-ordered list ends with ("" for the first page), or a 422 problem."""
    if not cursor:
        return ""
    try:
        [last_id] = verify_cursor(cursor)
    except (BadCursor, ValueError):
        raise _bad_cursor() from None
    return last_id


def _bad_cursor() -> Problem:
    return Problem(422, "The cursor is not one this API gave.",
                   errors=[{"field": "cursor", "message": "invalid cursor"}])


def cursor_position(cursor: str | None) -> tuple[datetime, str] | None:
    """The position a `?cursor=` names, or a 422 problem on the `cursor` field."""
    if not cursor:
        return None
    try:
        return decode_cursor(cursor)
    except BadCursor:
        raise _bad_cursor() from None


def after_position(at: SQLColumnExpression[datetime], row_id: SQLColumnExpression[str],
                   position: tuple[datetime, Any], *, newest_first: bool = False) -> ColumnElement[bool]:
    """The keyset condition of the page after `position`: rows strictly past it in (at, row_id)
    order. Spelled as OR/AND rather than a row value so the cursor's values bind with their
    columns' types (UTCDateTime turns a time to UTC, as it is stored)."""
    at_value, id_value = position
    if newest_first:
        return or_(at < at_value, and_(at == at_value, row_id < id_value))
    return or_(at > at_value, and_(at == at_value, row_id > id_value))


def split_page(rows: Sequence[Row], limit: int,
               position: Callable[[Row], tuple[datetime, str]]) -> tuple[list[Row], str | None]:
    """The page and its next_cursor. Repositories fetch limit + 1 rows: the extra one only says
    that another page follows."""
    page = list(rows[:limit])
    more = len(rows) > limit and bool(page)
    return page, encode_cursor(*position(page[-1])) if more else None
