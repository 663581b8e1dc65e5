"""The thin web client for mediators at /ui/: sign in, the partner's cases (personal data masked),
and a case page with the accept, decline and outcome forms. Server-rendered, POST forms only, each
carrying the session's CSRF token; every action goes through the same code as the JSON API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.mediation.actions import offers, outcomes
from services.mediation.actions.core import Actor
from services.mediation.api.access import runtime, visible_mediation
from services.mediation.api.errors import domain_refusals
from services.mediation.api.views import detail_view, summary_view
from services.mediation.domain.outcome import FAILURE_GROUNDS
from services.mediation.metrics import UI_SIGN_INS
from services.mediation.store import accounts
from services.mediation.store import mediations as repo
from services.mediation.web import session as ui_session
from services.mediation.web.forms import outcome_payload
from shared.logging import get_logger
from shared.problems import Problem

log = get_logger("mediation.ui")
router = APIRouter(prefix="/ui", include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    response = templates.TemplateResponse(request, name, context, status_code=status)
    # pages show personal data: never cached, never framed
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _to(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _signed_in(request: Request) -> dict | None:
    return ui_session.claims_of(request, runtime(request).settings)


@router.get("/")
async def home(request: Request) -> Response:
    return _to("/ui/cases" if _signed_in(request) else "/ui/login")


@router.get("/login")
async def login_form(request: Request) -> Response:
    return _page(request, "login.html", error=None)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    mediator_id = str(form.get("mediator_id") or "").strip()
    password = str(form.get("password") or "")
    rt = runtime(request)
    async with rt.db.read() as session:
        account = await accounts.authenticate(session, mediator_id, password) if mediator_id and password else None
    if account is None:
        UI_SIGN_INS.labels(outcome="refused").inc()
        return _page(request, "login.html", status=401, error="Unknown mediator id or wrong password.")
    UI_SIGN_INS.labels(outcome="ok").inc()
    log.info("mediator signed in", mediator_id=account.mediator_id, partner_id=account.partner_id)
    response = _to("/ui/cases")
    token = ui_session.issue(rt.settings, mediator_id=account.mediator_id, partner_id=account.partner_id)
    ui_session.set_cookie(response, token, rt.settings)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    claims = _signed_in(request)
    form = await request.form()
    if claims is not None and not ui_session.csrf_ok(claims, form.get("csrf")):
        return _page(request, "error.html", status=403, message="The form expired; reload the page.")
    response = _to("/ui/login")
    ui_session.clear_cookie(response)
    return response


@router.get("/cases")
async def case_list(request: Request, status: str | None = None) -> Response:
    claims = _signed_in(request)
    if claims is None:
        return _to("/ui/login")
    rt = runtime(request)
    async with rt.db.read() as session:
        rows = await repo.list_mediations(session, partner_id=claims["partner_id"], status=status or None,
                                          cursor=None, limit=200)
    now = rt.clock.now()
    return _page(request, "cases.html", claims=claims, cases=[summary_view(m, now) for m in rows[:200]],
                 status_filter=status)


async def _case_page(request: Request, claims: dict, case_id: str, *, error: str | None = None,
                     status: int = 200) -> Response:
    rt = runtime(request)
    principal = ui_session.principal_of(claims)
    async with rt.db.read() as session:
        try:
            mediation = await visible_mediation(session, principal, case_id)
        except Problem:
            return _page(request, "error.html", status=404, message="No such case.")
        audit, held, extensions, consents = await repo.records_of(session, case_id)
        contacts = await repo.contacts_of(session, case_id)
    view = detail_view(mediation, principal, rt.clock.now(), audit=audit, sessions=held, extensions=extensions,
                       consents=consents, contacts=contacts)
    return _page(request, "case.html", status=status, claims=claims, case=view, error=error,
                 grounds=sorted(g.value for g in FAILURE_GROUNDS))


@router.get("/cases/{case_id}")
async def case_page(request: Request, case_id: str) -> Response:
    claims = _signed_in(request)
    if claims is None:
        return _to("/ui/login")
    return await _case_page(request, claims, case_id)


async def _act(request: Request, case_id: str, work: Callable[[Any, Any, Any, Actor, Any], Awaitable[None]]):
    claims = _signed_in(request)
    if claims is None:
        return _to("/ui/login")
    form = await request.form()
    if not ui_session.csrf_ok(claims, form.get("csrf")):
        return _page(request, "error.html", status=403, message="The form expired; reload the page.")
    rt = runtime(request)
    principal = ui_session.principal_of(claims)
    try:
        with domain_refusals():
            async with rt.db.unit_of_work() as session:
                mediation = await visible_mediation(session, principal, case_id, lock=True)
                await work(session, rt, mediation, Actor.of(principal), form)
    except Problem as problem:
        details = "; ".join(f"{e['field']}: {e['message']}" for e in problem.errors or [])
        return await _case_page(request, claims, case_id, status=problem.status,
                                error=" ".join(x for x in (problem.detail, details) if x))
    return _to(f"/ui/cases/{case_id}")


@router.post("/cases/{case_id}/accept")
async def accept(request: Request, case_id: str) -> Response:
    async def work(session, rt, mediation, actor, form):
        await offers.accept(session, rt, mediation, actor)
    return await _act(request, case_id, work)


@router.post("/cases/{case_id}/decline")
async def decline(request: Request, case_id: str) -> Response:
    async def work(session, rt, mediation, actor, form):
        reason = str(form.get("reason") or "").strip()
        if not reason:
            raise Problem(422, "A decline needs its reason.", errors=[{"field": "reason", "message": "required"}])
        await offers.decline(session, rt, mediation, actor, reason[:1000])
    return await _act(request, case_id, work)


@router.post("/cases/{case_id}/outcome")
async def outcome(request: Request, case_id: str) -> Response:
    async def work(session, rt, mediation, actor, form):
        await outcomes.record_outcome(session, rt, mediation, actor, outcome_payload(form))
    return await _act(request, case_id, work)
