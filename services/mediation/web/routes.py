"""The mediators' workbench at /ui/: today's work, the partner's cases, and a case page with one form
per action the state allows. Server-rendered, POST forms only, each carrying the session's CSRF
token; every action runs the same code as the JSON API (services/mediation/actions/) in one unit
of work, so it lands in the audit trail and its events leave through the outbox.

What cannot be undone (accept, decline, an extension, the outcome) is asked twice: the first post
validates and shows what will be recorded; only the confirmation records it. After a refusal the
page comes back with what was typed and the reason beside its field."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.mediation.actions import contacts, offers, outcomes, period, sessions, staffing
from services.mediation.actions.core import Actor, party_ids
from services.mediation.api.access import runtime, visible_mediation
from services.mediation.store import mediations as repo
from services.mediation.store import workbench
from services.mediation.store.models import Mediation
from services.mediation.web import account, forms
from services.mediation.web import session as ui_session
from services.mediation.web.http import page, stylesheet, to
from services.mediation.web.present import GONE, case_view, matches, summary, today_view
from services.mediation.web.refusals import Refused, in_chinese
from services.mediation.web.timewords import deadline_words
from shared import labels_zh as L
from shared.clock import beijing_date, start_of_beijing_day
from shared.problems import Problem

router = APIRouter(prefix="/ui", include_in_schema=False)
router.include_router(account.router)

EXPIRED = "页面已过期，请刷新后重试。"


@router.get("/static/workbench.css")
async def css() -> Response:
    return stylesheet()


async def _signed_in(request: Request):
    """The live session, or the page to go to instead (sign-in, or choosing one's own password)."""
    signed_in = await ui_session.current(request, runtime(request))
    if signed_in is None:
        return None, to("/ui/login")
    if signed_in.must_set_password:
        return None, to("/ui/password")
    return signed_in, None


@router.get("/")
async def home(request: Request) -> Response:
    return to("/ui/today")


@router.get("/today")
async def today(request: Request) -> Response:
    signed_in, elsewhere = await _signed_in(request)
    if elsewhere:
        return elsewhere
    rt = runtime(request)
    now = rt.clock.now()
    start = start_of_beijing_day(beijing_date(now))
    async with rt.db.read() as session:
        cases = await workbench.partner_cases(session, signed_in.partner_id)
        held = await workbench.partner_sessions(session, signed_in.partner_id, start, start + timedelta(days=2))
    view = today_view(cases, held, now, getattr(rt, "calendar", None))
    return page(request, "today.html", signed_in=signed_in, today=view,
                date_words=deadline_words(start + timedelta(days=1), now=now).removesuffix(" 24:00前"))


@router.get("/cases")
async def case_list(request: Request, status: str | None = None, q: str | None = None) -> Response:
    signed_in, elsewhere = await _signed_in(request)
    if elsewhere:
        return elsewhere
    rt = runtime(request)
    now = rt.clock.now()
    status = status if status in L.STATUSES else None
    query = (q or "").strip()[:60]
    async with rt.db.read() as session:
        cases = await workbench.partner_cases(session, signed_in.partner_id)
    shown = [m for m in cases if (m.status == status if status else m.status not in GONE) and matches(m, query)]
    rows = sorted((summary(m, now, getattr(rt, "calendar", None)) for m in shown), key=lambda r: r["urgency"])
    statuses = [{"value": s, "words": w} for s, w in L.STATUSES.items()
                if s not in ("received", "routed", "unroutable")]
    return page(request, "cases.html", signed_in=signed_in, cases=rows, status_filter=status, q=query,
                statuses=statuses)


async def _case_page(request: Request, signed_in, case_id: str, *, status: int = 200, message: str | None = None,
                     errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                     form_id: str | None = None, done: str | None = None) -> Response:
    rt = runtime(request)
    now = rt.clock.now()
    async with rt.db.read() as session:
        try:
            mediation = await visible_mediation(session, signed_in.principal(), case_id)
        except Problem:
            return page(request, "error.html", status=404, signed_in=signed_in, message="没有找到这个案件。")
        audit, held, extensions, consents = await repo.records_of(session, case_id)
        contacted = await repo.contacts_of(session, case_id)
    view = case_view(mediation, signed_in.mediator_id, now, audit=audit, sessions=held, extensions=extensions,
                     consents=consents, contacts=contacted, holidays=getattr(rt, "calendar", None))
    return page(request, "case.html", status=status, signed_in=signed_in, case=view, message=message,
                errors=errors or {}, values=values or {}, form_id=form_id, done=done)


@router.get("/cases/{case_id}")
async def case_page(request: Request, case_id: str, done: str | None = None) -> Response:
    signed_in, elsewhere = await _signed_in(request)
    if elsewhere:
        return elsewhere
    return await _case_page(request, signed_in, case_id, done=_DONE.get(done or ""))


_DONE = {"accept": "已接受本案，调解期限开始计算。", "mediator": "已指派调解员。", "contact": "已记录联系。",
         "session": "已安排调解。", "pause": "期限已暂停。", "resume": "期限已恢复。", "extend": "已延长调解期限。",
         "outcome": "已记录调解结果。"}

Work = Callable[[Any, Any, Mediation, Actor, Any], Awaitable[None]]
# what a confirmation page says, read from the mediation as the action left it (then rolled back)
Preview = Callable[[Mediation, Any], list[str]]


class _DryRun(Exception):
    """Ends the unit of work of a preview, so it rolls back."""


async def _act(request: Request, case_id: str, form_id: str, work: Work, preview: Preview | None = None) -> Response:
    signed_in, elsewhere = await _signed_in(request)
    if elsewhere:
        return elsewhere
    form = await request.form()
    if not ui_session.csrf_ok(signed_in, form.get("csrf")):
        return page(request, "error.html", status=403, signed_in=signed_in, message=EXPIRED)
    rt = runtime(request)
    principal = signed_in.principal()
    values = forms.values_of(form)
    if preview is not None and form.get("confirmed") != "yes":
        if form.get("confirmed") == "no":  # back from the confirmation to change what was typed
            return await _case_page(request, signed_in, case_id, values=values, form_id=form_id)
        try:
            with in_chinese():
                async with rt.db.unit_of_work(wake=False) as session:
                    try:
                        mediation = await visible_mediation(session, principal, case_id, lock=True)
                    except Problem:
                        raise Refused("没有找到这个案件。", status=404) from None
                    # the action itself, rolled back: the same checks in the same order as when it is
                    # confirmed, and the preview reads what it would record
                    await work(session, rt, mediation, Actor.of(principal), form)
                    lines, number = preview(mediation, form), mediation.case_number or "待编号"
                    raise _DryRun
        except _DryRun:
            pass
        except Refused as refused:
            if refused.status == 404:
                return page(request, "error.html", status=404, signed_in=signed_in, message=refused.message)
            return await _case_page(request, signed_in, case_id, status=refused.status, message=refused.message,
                                    errors=refused.fields, values=values, form_id=form_id)
        hidden = [(k, str(v)) for k, v in form.multi_items() if k not in ("csrf", "confirmed")]
        return page(request, "confirm.html", signed_in=signed_in, case_id=case_id, lines=lines, hidden=hidden,
                    action=f"/ui/cases/{case_id}/{form_id}", number=number,
                    title=_TITLES[form_id])
    try:
        with in_chinese():
            async with rt.db.unit_of_work() as session:
                try:
                    mediation = await visible_mediation(session, principal, case_id, lock=True)
                except Problem:
                    raise Refused("没有找到这个案件。", status=404) from None
                await work(session, rt, mediation, Actor.of(principal), form)
    except Refused as refused:
        if refused.status == 404:
            return page(request, "error.html", status=404, signed_in=signed_in, message=refused.message)
        return await _case_page(request, signed_in, case_id, status=refused.status, message=refused.message,
                                errors=refused.fields, values=values, form_id=form_id)
    return to(f"/ui/cases/{case_id}?done={form_id}")


_TITLES = {"accept": "确认接受本案", "decline": "确认拒绝本案", "extend": "确认延长调解期限",
           "outcome": "确认记录调解结果"}


def _party_words(mediation: Mediation, ids) -> str:
    names = {str(p.get("party_id")): f"{L.zh(L.PARTY_ROLES, p.get('role'))}{p.get('name') or ''}"
             for p in (mediation.case_snapshot or {}).get("parties") or []}
    chosen = [names[i] for i in ids if i in names]
    return "、".join(chosen) if chosen else "无"


# --- accept / decline (2021 Art 12) -----------------------------------------------------------

def _accept_preview(mediation, form) -> list[str]:
    return [f"接受后，{mediation.period_days}天的调解期限自现在起计算（2021年规则第24条）。",
            "须在3个工作日内首次联系当事人，否则调解终止（2021年规则第15条）。",
            "当事人的完整身份信息将对本单位显示。"]


@router.post("/cases/{case_id}/accept")
async def accept(request: Request, case_id: str) -> Response:
    async def work(session, rt, mediation, actor, form):
        await offers.accept(session, rt, mediation, actor)
    return await _act(request, case_id, "accept", work, _accept_preview)


def _decline_preview(mediation, form) -> list[str]:
    return [f"拒绝理由：{forms.decline_reason(form)}", "案件将退回重新分派给其他单位，不再出现在本单位的案件列表中。"]


@router.post("/cases/{case_id}/decline")
async def decline(request: Request, case_id: str) -> Response:
    async def work(session, rt, mediation, actor, form):
        await offers.decline(session, rt, mediation, actor, forms.decline_reason(form))
    return await _act(request, case_id, "decline", work, _decline_preview)


# --- staffing, contact, sessions --------------------------------------------------------------

@router.post("/cases/{case_id}/mediator")
async def assign_mediator(request: Request, case_id: str) -> Response:
    async def work(session, rt, mediation, actor, form):
        mediator_id = forms.text(form, "mediator_id")
        if not mediator_id:
            raise Refused("请选择调解员。", {"mediator_id": "请选择一位调解员。"})
        await staffing.assign_mediator(session, rt, mediation, actor, mediator_id, [])
    return await _act(request, case_id, "mediator", work)


@router.post("/cases/{case_id}/contact")
async def record_contact(request: Request, case_id: str) -> Response:
    async def work(session, rt, mediation, actor, form):
        await contacts.record_contact(session, rt, mediation, actor, **forms.contact_args(form, party_ids(mediation)))
    return await _act(request, case_id, "contact", work)


@router.post("/cases/{case_id}/session")
async def schedule_session(request: Request, case_id: str) -> Response:
    async def work(session, rt, mediation, actor, form):
        await sessions.schedule_session(session, rt, mediation, actor, **forms.session_args(form, rt.clock.now()))
    return await _act(request, case_id, "session", work)


# --- the period: pause, resume (2021 Art 26), extension (2016 Art 27) -------------------------

@router.post("/cases/{case_id}/pause")
async def pause(request: Request, case_id: str) -> Response:
    async def work(session, rt, mediation, actor, form):
        await period.pause(session, rt, mediation, actor, forms.optional_reason(form) or "鉴定评估")
    return await _act(request, case_id, "pause", work)


@router.post("/cases/{case_id}/resume")
async def resume(request: Request, case_id: str) -> Response:
    async def work(session, rt, mediation, actor, form):
        await period.resume(session, rt, mediation, actor, forms.optional_reason(form) or "鉴定评估结束")
    return await _act(request, case_id, "resume", work)


def _extend_preview(mediation, form) -> list[str]:
    args = forms.extension_args(form)
    due = ("鉴定评估结束后顺延" if mediation.due_at is None
           else deadline_words(mediation.due_at, now=mediation.updated_at))
    return [f"延长{args['days']}天，新的调解期限：{due}。",
            f"同意延长的当事人：{_party_words(mediation, args['consents'])}。",
            "延长一经记录不能撤回。"]


@router.post("/cases/{case_id}/extend")
async def extend(request: Request, case_id: str) -> Response:
    async def work(session, rt, mediation, actor, form):
        await period.extend(session, rt, mediation, actor, **forms.extension_args(form))
    return await _act(request, case_id, "extend", work, _extend_preview)


# --- the outcome --------------------------------------------------------------------------------

def _outcome_preview(mediation, form) -> list[str]:
    payload = forms.outcome_payload(form)
    detail = mediation.outcome_detail or {}
    lines = [f"调解结果：{L.zh(L.OUTCOME_RESULTS, mediation.outcome)}。"]
    agreement = payload.get("agreement")
    if agreement:
        lines += [f"协议条款：{term}" for term in agreement["terms"]]
        lines.append(f"签字当事人：{_party_words(mediation, agreement['signed_by'])}。")
        lines.append("双方共同申请司法确认。" if agreement["apply_for_judicial_confirmation"]
                     else "当事人未申请司法确认。")
    if mediation.outcome == "failed":
        lines.append(f"终止理由：{L.zh(L.ENDING_GROUNDS, detail.get('ground'))}（2021年规则第25条）。")
        lines += [f"无争议事实：{fact['text']}（签字：{_party_words(mediation, fact['signed_by'])}）"
                  for fact in payload.get("undisputed_facts") or []]
    lines.append(f"移交法院：{L.zh(L.HANDOFF_TYPES, mediation.handoff_type)}。")
    lines.append("结果一经记录，调解即告结束，不能撤回。")
    return lines


@router.post("/cases/{case_id}/outcome")
async def outcome(request: Request, case_id: str) -> Response:
    async def work(session, rt, mediation, actor, form):
        await outcomes.record_outcome(session, rt, mediation, actor, forms.outcome_payload(form))
    return await _act(request, case_id, "outcome", work, _outcome_preview)
