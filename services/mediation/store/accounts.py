"""Mediators' web-client accounts: argon2 hashes only, verified off the event loop."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.store.models import MediatorAccount

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
