"""`/v1/mediations`: the partner's and mediators' view of their cases and every action on them.

Order of refusals: 401/403 by role (clerks have no business here), 404 for a case that is not the
caller's partner's, then the state machine's 403/409, then 422 for the body. Every refusal happens
inside the unit of work, which rolls back: nothing changes.

`POST .../sessions` and `.../extensions` take an optional `Idempotency-Key` header (the contract
requires one only on `POST /v1/cases`). Keys belong to the caller (role, partner, person); the same
key with the same method, path and body answers the first answer again (`Idempotent-Replayed: true`),
with anything else 409. A refused request remembers nothing, so its retry is decided afresh."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.actions import contacts, offers, outcomes, period, sessions, staffing
from services.mediation.actions.core import Actor, rfc3339
from services.mediation.api.access import Staff, runtime, visible_mediation
from services.mediation.api.errors import domain_refusals
from services.mediation.api.responses import (
    ContactRecorded,
    MediationList,
    MediationView,
    MediatorAssigned,
    PeriodExtended,
    SessionScheduled,
)
from services.mediation.api.schemas import (
    ContactIn,
    DeclineIn,
    ExtensionIn,
    MediatorIn,
    NoteIn,
    OutcomeIn,
    SessionIn,
    UndisputedFactsIn,
)
from services.mediation.api.views import detail_view, summary_view
from services.mediation.domain.states import MediationStatus
from services.mediation.store import mediations as repo
from services.mediation.store.models import IDEMPOTENCY_KEYS, Mediation
from shared.auth import Principal, partner_scope
from shared.idempotency import IdempotencyKeyHeader, fingerprint, replayed
from shared.pagination import cursor_position, split_page

router = APIRouter(prefix="/v1/mediations", tags=["mediations"])

Work = Callable[[AsyncSession, Any, Mediation, Actor], Awaitable[dict[str, Any] | None]]


async def _detail(session: AsyncSession, rt, mediation: Mediation, principal: Principal) -> dict[str, Any]:
    audit, held, extensions, consents = await repo.records_of(session, mediation.case_id)
    contacted = await repo.contacts_of(session, mediation.case_id)
    return detail_view(mediation, principal, rt.clock.now(), audit=audit, sessions=held, extensions=extensions,
                       consents=consents, contacts=contacted, calendar=rt.calendar)


async def act(rt, principal: Principal, case_id: str, work: Work) -> dict[str, Any]:
    """Run one action on one visible mediation in one transaction; answer the mediation as it is now."""
    actor = Actor.of(principal)
    with domain_refusals():
        async with rt.db.unit_of_work() as session:
            mediation = await visible_mediation(session, principal, case_id, lock=True)
            extra = await work(session, rt, mediation, actor)
            view = await _detail(session, rt, mediation, principal)
    return {**view, **(extra or {})}


def _caller(principal: Principal) -> str:
    return ":".join((principal.role, principal.partner_id or "", principal.mediator_id or principal.subject))


async def create(request: Request, principal: Principal, case_id: str, work: Work, *, body: dict[str, Any],
                 key: str | None) -> JSONResponse:
    """`act` for a POST that creates (201), remembering its answer under the Idempotency-Key if one
    came: the key row is written in the transaction of the effect, after the case is found (404 first)."""
    rt = runtime(request)
    if not key:
        return JSONResponse(await act(rt, principal, case_id, work), status_code=201)
    actor, scope = Actor.of(principal), _caller(principal)
    # The same key on another path is another request: the path is part of what a retry repeats.
    request_hash = fingerprint({"method": "POST", "path": request.url.path, "body": body})
    with domain_refusals():
        async with rt.db.unit_of_work() as session:
            mediation = await visible_mediation(session, principal, case_id, lock=True)
            earlier = await IDEMPOTENCY_KEYS.claim(session, rt.db, scope, key, request_hash, rt.clock.now())
            if earlier is None:
                extra = await work(session, rt, mediation, actor)
                answer = {**await _detail(session, rt, mediation, principal), **(extra or {})}
                await IDEMPOTENCY_KEYS.remember(session, scope, key, 201, answer)
    if earlier is None:
        return JSONResponse(answer, status_code=201)
    return replayed(earlier)


@router.get("", summary="The caller's partner's mediations (all of them for ops), newest first",
            response_model=MediationList)
async def list_mediations(request: Request, principal: Staff, status: MediationStatus | None = None,
                          limit: Annotated[int, Query(ge=1, le=200)] = 50, cursor: str | None = None) -> dict:
    position = cursor_position(cursor)
    rt = runtime(request)
    async with rt.db.read() as session:
        rows = await repo.list_mediations(session, partner_id=partner_scope(principal),
                                          status=status.value if status else None, cursor=position, limit=limit)
    page, next_cursor = split_page(rows, limit, lambda m: (m.routed_at, m.case_id))
    now = rt.clock.now()
    return {"items": [summary_view(m, now, rt.calendar) for m in page], "next_cursor": next_cursor}


@router.get("/{case_id}", summary="One mediation with its deadline, sessions, extensions and audit trail",
            response_model=MediationView)
async def get_mediation(case_id: str, request: Request, principal: Staff) -> dict:
    rt = runtime(request)
    async with rt.db.read() as session:
        mediation = await visible_mediation(session, principal, case_id)
        return await _detail(session, rt, mediation, principal)


@router.post("/{case_id}/accept", summary="Accept the offer (partner or mediator); the period starts",
             response_model=MediationView)
async def accept(case_id: str, request: Request, principal: Staff) -> dict:
    async def work(session, rt, mediation, actor):
        await offers.accept(session, rt, mediation, actor)
    return await act(runtime(request), principal, case_id, work)


@router.post("/{case_id}/decline", summary="Decline the offer with a reason; routing routes again",
             response_model=MediationView)
async def decline(case_id: str, body: DeclineIn, request: Request, principal: Staff) -> dict:
    async def work(session, rt, mediation, actor):
        await offers.decline(session, rt, mediation, actor, body.reason)
    return await act(runtime(request), principal, case_id, work)


@router.post("/{case_id}/mediator", summary="Assign a mediator of the partner (recusal checked)",
             response_model=MediatorAssigned)
async def assign_mediator(case_id: str, body: MediatorIn, request: Request, principal: Staff) -> dict:
    async def work(session, rt, mediation, actor):
        waived = await staffing.assign_mediator(
            session, rt, mediation, actor, body.mediator_id,
            [staffing.WaiverIn(w.party_id, w.disclosed_at) for w in body.waivers])
        return {"waived_conflicts": waived}
    return await act(runtime(request), principal, case_id, work)


@router.post("/{case_id}/contacts", status_code=201, response_model=ContactRecorded,
             summary="Record a contact with a party (2021 Art 15: the first is due within 3 working days)")
async def record_contact(case_id: str, body: ContactIn, request: Request, principal: Staff) -> JSONResponse:
    async def work(session, rt, mediation, actor):
        row = await contacts.record_contact(session, rt, mediation, actor, party_id=body.party_id,
                                            channel=body.channel, contacted_at=body.contacted_at)
        return {"contact": {"id": row.id, "party_id": row.party_id, "channel": row.channel,
                            "contacted_at": rfc3339(row.contacted_at)}}
    return JSONResponse(await act(runtime(request), principal, case_id, work), status_code=201)


@router.post("/{case_id}/sessions", status_code=201, summary="Schedule a session: a place, or online",
             response_model=SessionScheduled)
async def schedule_session(case_id: str, body: SessionIn, request: Request, principal: Staff,
                           idempotency_key: IdempotencyKeyHeader = None) -> JSONResponse:
    async def work(session, rt, mediation, actor):
        row = await sessions.schedule_session(session, rt, mediation, actor, scheduled_at=body.scheduled_at,
                                              location=body.location, online=body.online)
        return {"session": {"id": row.id, "scheduled_at": rfc3339(row.scheduled_at), "location": row.location,
                            "online": row.online}}
    return await create(request, principal, case_id, work, body=body.model_dump(mode="json"), key=idempotency_key)


@router.post("/{case_id}/extensions", status_code=201, response_model=PeriodExtended,
             summary="Extend the period with every party's consent; answers the new deadline")
async def extend(case_id: str, body: ExtensionIn, request: Request, principal: Staff,
                 idempotency_key: IdempotencyKeyHeader = None) -> JSONResponse:
    async def work(session, rt, mediation, actor):
        row, due = await period.extend(session, rt, mediation, actor, days=body.days, consents=body.consents)
        return {"extension": {"id": row.id, "days": row.days, "consents": sorted(set(body.consents))},
                "new_deadline": rfc3339(due)}
    return await create(request, principal, case_id, work, body=body.model_dump(mode="json"), key=idempotency_key)


@router.post("/{case_id}/pause", summary="Pause the period for an appraisal (鉴定评估, 2021 Art 26)",
             response_model=MediationView)
async def pause(case_id: str, request: Request, principal: Staff, body: NoteIn | None = None) -> dict:
    async def work(session, rt, mediation, actor):
        await period.pause(session, rt, mediation, actor, body.reason if body else None)
    return await act(runtime(request), principal, case_id, work)


@router.post("/{case_id}/resume", summary="Resume the period after the appraisal", response_model=MediationView)
async def resume(case_id: str, request: Request, principal: Staff, body: NoteIn | None = None) -> dict:
    async def work(session, rt, mediation, actor):
        await period.resume(session, rt, mediation, actor, body.reason if body else None)
    return await act(runtime(request), principal, case_id, work)


@router.post("/{case_id}/outcome", summary="Record the outcome: settled, failed (with ground) or withdrawn",
             response_model=MediationView)
async def record_outcome(case_id: str, body: OutcomeIn, request: Request, principal: Staff) -> dict:
    async def work(session, rt, mediation, actor):
        await outcomes.record_outcome(session, rt, mediation, actor, body.model_dump(exclude_unset=True))
    return await act(runtime(request), principal, case_id, work)


@router.post("/{case_id}/undisputed-facts", response_model=MediationView,
             summary="Record the facts every party signed as undisputed (2016 Art 22); they reach the court with "
                     "a failure or an expiry that records none itself")
async def record_undisputed_facts(case_id: str, body: UndisputedFactsIn, request: Request, principal: Staff) -> dict:
    async def work(session, rt, mediation, actor):
        await outcomes.record_undisputed_facts(session, rt, mediation, actor,
                                               [fact.model_dump() for fact in body.facts])
    return await act(runtime(request), principal, case_id, work)


@router.post("/{case_id}/close", summary="Close an ended mediation at the partner (ops)",
             response_model=MediationView)
async def close(case_id: str, request: Request, principal: Staff, body: NoteIn | None = None) -> dict:
    async def work(session, rt, mediation, actor):
        await outcomes.close(session, rt, mediation, actor, body.reason if body else "closed by ops")
    return await act(runtime(request), principal, case_id, work)
