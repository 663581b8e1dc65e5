"""Signing in and out of the workbench, and choosing one's own password.

- From the sixth wrong password within a minute the mediator id is locked for a growing delay
  (domain/signin.py): answered 429 with Retry-After, logged with the id and the count, never the
  password. A locked id is refused even with the right password until the lock ends.
- An initial password (the demo one in `make run`, or one ops issued) only opens the password page:
  the mediator chooses their own before anything else, and every other session of theirs ends.
- Signing out revokes the session on the server; the idle timeout does the same (web/session.py).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.mediation.actions import accounts
from services.mediation.api.access import runtime
from services.mediation.web import session as ui_session
from services.mediation.web.forms import text
from services.mediation.web.http import page, to

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
    async with rt.db.unit_of_work() as session:
        signed = await accounts.sign_in(session, rt, mediator_id, password,
                                        absolute=ui_session.lifetimes(rt.settings)[1])
    if signed.locked_seconds is not None:
        return page(request, "login.html", status=429, headers={"Retry-After": str(signed.locked_seconds)},
                    values=values, form_id="login",
                    errors={"password": f"密码错误次数过多，请{signed.locked_seconds}秒后再试。"})
    if signed.token is None:
        return page(request, "login.html", status=401, values=values, form_id="login",
                    errors={"password": "调解员编号或密码不正确。"})
    response = to("/ui/password" if signed.must_set_password else "/ui/today")
    ui_session.set_cookie(response, signed.token, rt.settings)
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
    async with rt.db.unit_of_work() as session:
        changed = await accounts.change_password(session, rt, signed_in.mediator_id, signed_in.token, current,
                                                 new, repeat)
    if changed.errors:
        return page(request, "password.html", status=422, signed_in=signed_in, errors=changed.errors,
                    values={}, form_id="password")
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
            await accounts.sign_out(session, rt, signed_in.mediator_id, signed_in.token)
    response = to("/ui/login")
    ui_session.clear_cookie(response)
    return response

