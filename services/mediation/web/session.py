"""The mediator web client's session: a random token in an HttpOnly, SameSite=Lax cookie under
/ui/, naming a row on the server (store/accounts.py) that holds the mediator, the partner and the
session's CSRF token. Signing out and the idle timeout revoke the row, so a copied cookie stops
working at once; nothing in the cookie itself is trusted.

The cookie is never a bearer token and a bearer token is never the cookie: the JSON API stays
bearer-only and cannot be driven from a browser by a cross-site form."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request
from fastapi.responses import Response

from services.mediation.store import accounts
from services.mediation.store.models import MediatorAccount
from shared.auth import Principal

COOKIE = "courtmed_ui"
UI_PREFIX = "/ui"


@dataclass(frozen=True)
class SignedIn:
    mediator_id: str
    partner_id: str
    name: str
    csrf: str
    token: str
    must_set_password: bool

    def principal(self) -> Principal:
        return Principal(subject=f"mediator:{self.partner_id}:{self.mediator_id}", role="mediator",
                         partner_id=self.partner_id, mediator_id=self.mediator_id)


def lifetimes(settings) -> tuple[timedelta, timedelta]:
    return timedelta(minutes=settings.ui_idle_minutes), timedelta(hours=settings.ui_session_hours)


async def current(request: Request, rt) -> SignedIn | None:
    """The live session of this request's cookie, or None (no cookie, revoked, idle too long)."""
    token = request.cookies.get(COOKIE)
    if not token or len(token) > 100:
        return None
    idle, absolute = lifetimes(rt.settings)
    async with rt.db.unit_of_work() as session:
        row = await accounts.live_session(session, token, rt.clock.now(), idle=idle, absolute=absolute)
        if row is None:
            return None
        account = await session.get(MediatorAccount, row.mediator_id)
        if account is None or not account.active:
            row.revoked_at = rt.clock.now()
            return None
        return SignedIn(mediator_id=row.mediator_id, partner_id=row.partner_id, name=account.name, csrf=row.csrf,
                        token=token, must_set_password=account.must_set_password)


def csrf_ok(signed_in: SignedIn, submitted) -> bool:
    return bool(submitted) and hmac.compare_digest(signed_in.csrf, str(submitted))


def set_cookie(response: Response, token: str, settings) -> None:
    # no max_age: a session cookie, gone with the browser; the server ends it in any case
    response.set_cookie(COOKIE, token, path=UI_PREFIX + "/", httponly=True, samesite="lax",
                        secure=settings.ui_cookie_secure or not settings.is_development)


def clear_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path=UI_PREFIX + "/")
