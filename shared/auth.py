"""JWT bearer auth with the contract's roles: clerk (one court), partner and mediator (one partner), ops;
and `bureau`, the justice bureau's reader: city-wide statistics and nothing else (no personal data)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

import jwt
from fastapi import Depends, Request

from shared.clock import Clock, SystemClock
from shared.inputs import line_breaker
from shared.problems import Problem

ROLES = ("clerk", "partner", "mediator", "ops", "bureau")
ALGORITHM = "HS256"
BINDING_CLAIMS = ("court_code", "partner_id", "mediator_id")
MAX_CLAIM_LENGTH = 200
# Tokens verified lately, until they expire: a court system sends the same token with every request,
# and checking its signature and claims again was 7% of a filing's CPU (make bench, issue #9).
VERIFIED_KEPT = 1024


@dataclass(frozen=True)
class Principal:
    subject: str
    role: str
    court_code: str | None = None
    partner_id: str | None = None
    mediator_id: str | None = None

    def owns_partner(self, partner_id: str | None) -> bool:
        return self.role == "ops" or (partner_id is not None and self.partner_id == partner_id)


def partner_scope(principal: Principal) -> str | None:
    """The partner a caller is confined to; None for ops, who see everything."""
    return None if principal.role == "ops" else principal.partner_id


def issue_token(secret: str, *, role: str, court_code: str | None = None, partner_id: str | None = None,
                mediator_id: str | None = None, subject: str | None = None, issuer: str = "courtmed",
                ttl: timedelta = timedelta(hours=12), clock: Clock | None = None) -> str:
    """A signed token. Its times are checked against the wall clock of whoever reads it, so it is
    issued by the system clock unless a test gives another."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    if role == "clerk" and not court_code:
        raise ValueError("a clerk token is bound to a court code")
    if role in ("partner", "mediator") and not partner_id:
        raise ValueError(f"a {role} token is bound to a partner id")
    if role == "mediator" and not mediator_id:
        raise ValueError("a mediator token names the mediator")
    now = (clock or SystemClock()).now()
    claims = {"sub": subject or f"{role}:{court_code or partner_id or 'ops'}:{mediator_id or uuid.uuid4().hex[:8]}",
              "role": role, "iss": issuer, "iat": now, "exp": now + ttl}
    for key, value in (("court_code", court_code), ("partner_id", partner_id), ("mediator_id", mediator_id)):
        if value:
            claims[key] = value
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


class _Verified:
    """Principals of tokens that passed `decode_token`, by (secret, issuer, token), with their expiry.

    A token carries everything it grants and nothing revokes it before `exp` (the web client's
    sessions are separate), so a token that verified once stays good until then: the expiry is
    checked on every use, as PyJWT checks it. Only tokens that verified are kept, so input cannot
    fill it; when full, the oldest goes."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: dict[tuple[str, str, str], tuple[Principal, float]] = {}

    def get(self, key: tuple[str, str, str]) -> Principal | None:
        found = self._kept.get(key)
        if found is None:
            return None
        if found[1] <= time.time():
            del self._kept[key]
            return None
        return found[0]

    def keep(self, key: tuple[str, str, str], principal: Principal, expires_at: float) -> None:
        if len(self._kept) >= self.size:
            del self._kept[next(iter(self._kept))]
        self._kept[key] = (principal, expires_at)


_VERIFIED = _Verified(VERIFIED_KEPT)


def decode_token(secret: str, token: str, issuer: str = "courtmed") -> Principal:
    key = (secret, issuer, token)
    principal = _VERIFIED.get(key)
    if principal is None:
        principal, expires_at = _verify(secret, token, issuer)
        _VERIFIED.keep(key, principal, expires_at)
    return principal


def _verify(secret: str, token: str, issuer: str) -> tuple[Principal, float]:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], issuer=issuer,
                            options={"require": ["exp", "sub", "iss"]})
    except jwt.PyJWTError as exc:
        raise Problem(401, f"Invalid token: {exc}", headers={"WWW-Authenticate": "Bearer"}) from exc
    role = claims.get("role")
    if not isinstance(role, str) or role not in ROLES:
        raise Problem(401, "Token carries no known role.", headers={"WWW-Authenticate": "Bearer"})
    # A signed token is still input: a claim of the wrong type (a court code as a number) or holding
    # control characters would reach the queries and the logs, so it is refused like a bad signature.
    for name in ("sub", *BINDING_CLAIMS):
        value = claims.get(name)
        if name == "sub" or value is not None:
            if not isinstance(value, str) or not 0 < len(value) <= MAX_CLAIM_LENGTH or line_breaker(value):
                raise Problem(401, f"Token claim {name} must be a short single-line string.",
                              headers={"WWW-Authenticate": "Bearer"})
    principal = Principal(subject=claims["sub"], role=role, court_code=claims.get("court_code"),
                          partner_id=claims.get("partner_id"), mediator_id=claims.get("mediator_id"))
    # A role without its binding would read as "everything" to the scope checks: refuse it.
    unbound = ((role == "clerk" and not principal.court_code)
               or (role in ("partner", "mediator") and not principal.partner_id)
               or (role == "mediator" and not principal.mediator_id))
    if unbound:
        raise Problem(401, f"A {role} token must name its binding.", headers={"WWW-Authenticate": "Bearer"})
    return principal, float(claims["exp"])


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(401, "Missing bearer token.", headers={"WWW-Authenticate": "Bearer"})
    return token.strip()


async def authenticate(request: Request) -> Principal:
    """The principal of the request, from its bearer token (the web client has its own sessions).

    Async although it awaits nothing: FastAPI runs a sync dependency in a worker thread, and that
    hand-off cost more than the whole token check."""
    settings = request.app.state.auth_settings
    return decode_token(settings.jwt_secret, _bearer(request), settings.jwt_issuer)


def require(*roles: str):
    """A dependency: the caller must authenticate and hold one of `roles`."""

    async def dependency(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if principal.role not in roles:
            raise Problem(403, f"This action needs one of the roles: {', '.join(roles)}.")
        return principal

    dependency.roles = roles  # type: ignore[attr-defined]  # read by shared/openapi.py
    return dependency
