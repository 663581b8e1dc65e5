"""A mediator's account at the web client: signing in (wrong passwords lock the id for a doubling
delay, domain/signin.py), choosing a new password (every other session then ends) and signing out.
Each runs in the caller's unit of work; the web client turns the answer into a page."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.domain.signin import password_problems
from services.mediation.metrics import UI_SIGN_INS
from services.mediation.store import accounts
from shared.logging import get_logger

log = get_logger("mediation.ui")


@dataclass(frozen=True)
class SignIn:
    """A session token (and whether the mediator must choose a password first), or why not:
    `locked_seconds` while the id is locked, neither for a wrong id or password."""

    token: str | None = None
    must_set_password: bool = False
    locked_seconds: int | None = None


async def sign_in(session: AsyncSession, rt, mediator_id: str, password: str, *, absolute: timedelta) -> SignIn:
    now = rt.clock.now()
    throttle = await accounts.throttle_of(session, mediator_id, lock=True)
    wait = throttle.locked(now)
    if wait is not None:
        seconds = max(1, math.ceil(wait.total_seconds()))
        UI_SIGN_INS.labels(outcome="locked").inc()
        log.warning("sign-in refused: locked after repeated wrong passwords", mediator_id=mediator_id,
                    failures=throttle.failures, retry_after_s=seconds)
        return SignIn(locked_seconds=seconds)
    account = await accounts.authenticate(session, mediator_id, password)
    if account is None:
        failed = throttle.failed(now)
        await accounts.store_throttle(session, mediator_id, failed)
        UI_SIGN_INS.labels(outcome="refused").inc()
        log.warning("sign-in refused: wrong mediator id or password", mediator_id=mediator_id,
                    failures=failed.failures, locked=failed.locked_until is not None)
        return SignIn()
    await accounts.store_throttle(session, mediator_id, None)
    await accounts.prune(session, now, absolute=absolute)
    token, _row = await accounts.open_session(session, account, now)
    UI_SIGN_INS.labels(outcome="ok").inc()
    log.info("mediator signed in", mediator_id=account.mediator_id, partner_id=account.partner_id,
             must_set_password=account.must_set_password)
    return SignIn(token=token, must_set_password=account.must_set_password)


@dataclass(frozen=True)
class PasswordChange:
    errors: dict[str, str] = field(default_factory=dict)  # by form field; empty when changed


async def change_password(session: AsyncSession, rt, mediator_id: str, token: str, current: str, new: str,
                          repeat: str) -> PasswordChange:
    now = rt.clock.now()
    verified = await accounts.authenticate(session, mediator_id, current)
    errors = {} if verified is not None else {"current_password": "当前密码不正确。"}
    errors.update(password_problems(new, repeat, mediator_id=mediator_id, current=current))
    if errors or verified is None:
        return PasswordChange(errors)
    await accounts.set_password(session, verified, new, now)
    # a password someone else may have known: every other session of this mediator ends
    await accounts.revoke_all(session, mediator_id, now, keep=accounts.token_hash(token))
    log.info("mediator chose a new password", mediator_id=mediator_id)
    return PasswordChange()


async def sign_out(session: AsyncSession, rt, mediator_id: str, token: str) -> None:
    await accounts.revoke_session(session, token, rt.clock.now())
    log.info("mediator signed out", mediator_id=mediator_id)
