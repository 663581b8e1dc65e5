"""Signing in and out of the workbench, and choosing one's own password.

- From the sixth wrong password within a minute the mediator id is locked for a growing delay
  (domain/signin.py): answered 429 with Retry-After, logged with the id and the count, never the
  password. A locked id is refused even with the right password until the lock ends.
- An initial password (the demo one in `make run`, or one ops issued) only opens the password page:
  the mediator chooses their own before anything else, and every other session of theirs ends.
- Signing out revokes the session on the server; the idle timeout does the same (web/session.py).
"""

from __future__ import annotations

import math

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.mediation.api.access import runtime
from services.mediation.metrics import UI_SIGN_INS
from services.mediation.store import accounts
from services.mediation.store.models import MediatorAccount
from services.mediation.domain.signin import password_problems
from services.mediation.web import session as ui_session
from services.mediation.web.forms import text
from services.mediation.web.http import page, to
from shared.logging import get_logger

log = get_logger("mediation.ui")
router = APIRouter(include_in_schema=False)  # included under /ui by web/routes.py


@router.get("/login")
async def login_form(request: Request) -> Response:
    return page(request, "login.html")


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    mediator_id, password = text(form, "mediator_id")[:40], str(form.get("password") or "")
    values = {"mediator_id": mediator_id}
    missing = {k: w for k, w in (("mediator_id", "请填写调解员编号。"), ("password", "请填写密码。"))
               if not (mediator_id if k == "mediator_id" else password)}
    if missing:
        return page(request, "login.html", status=422, errors=missing, values=values, form_id="login")
    rt = runtime(request)
    now = rt.clock.now()
    async with rt.db.unit_of_work() as session:
        throttle = await accounts.throttle_of(session, mediator_id, lock=True)
        wait = throttle.locked(now)
        if wait is not None:
            seconds = max(1, math.ceil(wait.total_seconds()))
            UI_SIGN_INS.labels(outcome="locked").inc()
            log.warning("sign-in refused: locked after repeated wrong passwords", mediator_id=mediator_id,
                        failures=throttle.failures, retry_after_s=seconds)
            return page(request, "login.html", status=429, headers={"Retry-After": str(seconds)},
                        values=values, form_id="login",
                        errors={"password": f"密码错误次数过多，请{seconds}秒后再试。"})
        account = await accounts.authenticate(session, mediator_id, password)
        if account is None:
            failed = throttle.failed(now)
            await accounts.store_throttle(session, mediator_id, failed)
            UI_SIGN_INS.labels(outcome="refused").inc()
            log.warning("sign-in refused: wrong mediator id or password", mediator_id=mediator_id,
                        failures=failed.failures, locked=failed.locked_until is not None)
            return page(request, "login.html", status=401, values=values, form_id="login",
                        errors={"password": "调解员编号或密码不正确。"})
        await accounts.store_throttle(session, mediator_id, None)
        await accounts.prune(session, now, absolute=ui_session.lifetimes(rt.settings)[1])
        token, _row = await accounts.open_session(session, account, now)
        first = account.must_set_password
    UI_SIGN_INS.labels(outcome="ok").inc()
    log.info("mediator signed in", mediator_id=account.mediator_id, partner_id=account.partner_id,
             must_set_password=first)
    response = to("/ui/password" if first else "/ui/today")
    ui_session.set_cookie(response, token, rt.settings)
    return response


@router.get("/password")
async def password_form(request: Request) -> Response:
    signed_in = await ui_session.current(request, runtime(request))
    if signed_in is None:
        return to("/ui/login")
    return page(request, "password.html", signed_in=signed_in)


@router.post("/password")
async def set_password(request: Request) -> Response:
    rt = runtime(request)
    signed_in = await ui_session.current(request, rt)
    if signed_in is None:
        return to("/ui/login")
    form = await request.form()
    if not ui_session.csrf_ok(signed_in, form.get("csrf")):
        return page(request, "error.html", status=403, signed_in=signed_in, message="页面已过期，请刷新后重试。")
    current, new, repeat = (str(form.get(k) or "") for k in ("current_password", "new_password", "repeat_password"))
    now = rt.clock.now()
    async with rt.db.unit_of_work() as session:
        account = await session.get(MediatorAccount, signed_in.mediator_id)
        verified = await accounts.authenticate(session, signed_in.mediator_id, current)
        errors = {} if verified is not None else {"current_password": "当前密码不正确。"}
        errors.update(password_problems(new, repeat, mediator_id=signed_in.mediator_id, current=current))
        if errors:
            return page(request, "password.html", status=422, signed_in=signed_in, errors=errors,
                        values={}, form_id="password")
        await accounts.set_password(session, account, new, now)
        # a password someone else may have known: every other session of this mediator ends
        await accounts.revoke_all(session, signed_in.mediator_id, now, keep=accounts.token_hash(signed_in.token))
    log.info("mediator chose a new password", mediator_id=signed_in.mediator_id)
    return to("/ui/today")


@router.post("/logout")
async def logout(request: Request) -> Response:
    rt = runtime(request)
    signed_in = await ui_session.current(request, rt)
    form = await request.form()
    if signed_in is not None:
        if not ui_session.csrf_ok(signed_in, form.get("csrf")):
            return page(request, "error.html", status=403, signed_in=signed_in, message="页面已过期，请刷新后重试。")
        async with rt.db.unit_of_work() as session:
            await accounts.revoke_session(session, signed_in.token, rt.clock.now())
        log.info("mediator signed out", mediator_id=signed_in.mediator_id)
    response = to("/ui/login")
    ui_session.clear_cookie(response)
    return response

