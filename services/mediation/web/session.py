"""The mediator web client's session: a JWT in an HttpOnly, SameSite=Lax cookie, signed with the
service's JWT secret, carrying a per-session CSRF token that every form posts back.

The cookie has its own audience, so it is never accepted as a bearer token and a bearer token is
never accepted as the cookie; and it is honoured only under /ui/, so the JSON API stays bearer-only
and cannot be driven from a browser by a cross-site form."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta, timezone

import jwt
from fastapi import Request
from fastapi.responses import Response

from shared.auth import ALGORITHM, Principal

COOKIE = "courtmed_ui"
AUDIENCE = "courtmed-mediator-ui"
UI_PREFIX = "/ui"


def issue(settings, *, mediator_id: str, partner_id: str, now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    claims = {"sub": f"mediator:{partner_id}:{mediator_id}", "role": "mediator", "partner_id": partner_id,
              "mediator_id": mediator_id, "csrf": secrets.token_urlsafe(24), "aud": AUDIENCE,
              "iss": settings.jwt_issuer, "iat": now, "exp": now + timedelta(hours=settings.ui_session_hours)}
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM)


def claims_of(request: Request, settings) -> dict | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        return jwt.decode(token, settings.jwt_secret, algorithms=[ALGORITHM], audience=AUDIENCE,
                          issuer=settings.jwt_issuer, options={"require": ["exp", "sub", "aud"]})
    except jwt.PyJWTError:
        return None


def principal_of(claims: dict) -> Principal:
    return Principal(subject=claims["sub"], role="mediator", partner_id=claims["partner_id"],
                     mediator_id=claims["mediator_id"])


def cookie_principal_hook(settings):
    """The hook shared.auth.authenticate calls when a request has no Authorization header."""

    def cookie_principal(request: Request) -> Principal | None:
        if not request.url.path.startswith(UI_PREFIX + "/"):
            return None
        claims = claims_of(request, settings)
        return principal_of(claims) if claims else None

    return cookie_principal


def csrf_ok(claims: dict, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(str(claims.get("csrf", "")), str(submitted))


def set_cookie(response: Response, token: str, settings) -> None:
    response.set_cookie(COOKIE, token, max_age=int(settings.ui_session_hours * 3600), path=UI_PREFIX + "/",
                        httponly=True, samesite="lax", secure=settings.ui_cookie_secure or not settings.is_development)


def clear_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path=UI_PREFIX + "/")
