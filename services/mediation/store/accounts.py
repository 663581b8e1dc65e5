"""Mediators' web-client accounts: argon2 hashes only, verified off the event loop; the sign-in
throttle; and the server-side sessions the cookie names."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import and_, delete, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.domain.signin import Throttle, session_expired
from services.mediation.store.models import MediatorAccount, SignInThrottle, UiSession

_HASHER = PasswordHasher()
# verified against when the account is unknown, so a wrong id costs as long as a wrong password
_DUMMY_HASH = _HASHER.hash("not-a-password")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


async def authenticate(session: AsyncSession, mediator_id: str, password: str) -> MediatorAccount | None:
    account = await session.get(MediatorAccount, mediator_id)
    stored = account.password_hash if account is not None and account.active else _DUMMY_HASH
    try:
        await asyncio.to_thread(_HASHER.verify, stored, password)
    except (VerificationError, InvalidHashError):
        return None
    return account if account is not None and account.active else None


def unusable_hash() -> str:
    """A hash no password verifies against: an account that waits for ops to issue its first password."""
    return "!unset"


async def set_password(session: AsyncSession, account: MediatorAccount, password: str, now) -> None:
    account.password_hash = await asyncio.to_thread(hash_password, password)
    account.must_set_password = False
    account.password_set_at = now


async def throttle_of(session: AsyncSession, mediator_id: str, *, lock: bool = False) -> Throttle:
    row = await session.get(SignInThrottle, _throttle_key(mediator_id), with_for_update=lock)
    if row is None:
        return Throttle()
    return Throttle(failures=row.failures, first_failed_at=row.first_failed_at, locked_until=row.locked_until)


async def store_throttle(session: AsyncSession, mediator_id: str, throttle: Throttle | None) -> None:
    """Write the throttle after an attempt; None (a correct sign-in) forgets the failures."""
    key = _throttle_key(mediator_id)
    row = await session.get(SignInThrottle, key)
    if throttle is None:
        if row is not None:
            await session.delete(row)
        return
    if row is None:
        row = SignInThrottle(mediator_id=key)
        session.add(row)
    row.failures, row.first_failed_at, row.locked_until = (throttle.failures, throttle.first_failed_at,
                                                           throttle.locked_until)


def _throttle_key(mediator_id: str) -> str:
    # ids are counted as typed, case-folded, so "p24-m01" cannot dodge the count of "P24-M01"
    return mediator_id.strip().casefold()[:40]


# --- sessions ---------------------------------------------------------------------------------

def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(session: AsyncSession, account: MediatorAccount, now) -> tuple[str, UiSession]:
    token = secrets.token_urlsafe(32)
    row = UiSession(token_hash=token_hash(token), mediator_id=account.mediator_id, partner_id=account.partner_id,
                    csrf=secrets.token_urlsafe(24), created_at=now, last_seen_at=now, revoked_at=None)
    session.add(row)
    return token, row


async def live_session(session: AsyncSession, token: str, now, *, idle: timedelta,
                       absolute: timedelta) -> UiSession | None:
    """The session of this cookie token if it is still live; its idle clock restarts now. An expired
    one is revoked on the spot, so it cannot come back whatever the clocks do later."""
    row = await session.get(UiSession, token_hash(token))
    if row is None or row.revoked_at is not None:
        return None
    if session_expired(created_at=row.created_at, last_seen_at=row.last_seen_at, now=now, idle=idle,
                       absolute=absolute):
        row.revoked_at = now
        return None
    row.last_seen_at = now
    return row


async def revoke_session(session: AsyncSession, token: str, now) -> None:
    row = await session.get(UiSession, token_hash(token))
    if row is not None and row.revoked_at is None:
        row.revoked_at = now


async def revoke_all(session: AsyncSession, mediator_id: str, now, *, keep: str | None = None) -> None:
    """End every live session of a mediator (a new password), but the one given."""
    await session.execute(update(UiSession).where(UiSession.mediator_id == mediator_id,
                                                  UiSession.revoked_at.is_(None),
                                                  UiSession.token_hash != (keep or ""))
                          .values(revoked_at=now))


async def prune(session: AsyncSession, now, *, absolute: timedelta) -> None:
    """Forget what can no longer matter, at each sign-in: sessions ended a day ago or past any
    lifetime, and failures whose lock ended an hour ago (or that never locked and are a day old)."""
    day, hour = timedelta(days=1), timedelta(hours=1)
    await session.execute(delete(UiSession).where(or_(UiSession.revoked_at < now - day,
                                                      UiSession.created_at < now - absolute - day)))
    await session.execute(delete(SignInThrottle).where(or_(SignInThrottle.locked_until < now - hour,
                                                           and_(SignInThrottle.locked_until.is_(None),
                                                                SignInThrottle.first_failed_at < now - day))))
