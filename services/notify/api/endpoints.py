"""Webhook endpoints: a partner registers and manages its own, ops all of them."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from services.notify.api.deps import Limit, PartnerOrOps, runtime
from services.notify.api.responses import EndpointList, EndpointView, EndpointWithSecret
from services.notify.api.schemas import EndpointCreate
from services.notify.api.views import endpoint_view
from services.notify.channels.safe_url import resolve_and_check
from services.notify.domain.ssrf import UnsafeUrl
from services.notify.store import endpoints as store
from services.notify.store.models import IDEMPOTENCY_KEYS, WebhookEndpoint
from shared.auth import Principal, partner_scope
from shared.idempotency import IdempotencyKeyHeader, fingerprint, replayed
from shared.pagination import cursor_position, split_page
from shared.problems import Problem

router = APIRouter(prefix="/v1/webhook-endpoints", tags=["webhooks"])


async def check_url(rt, url: str) -> None:
    try:
        await resolve_and_check(url, rt.settings.allow_private_webhooks, rt.resolver)
    except UnsafeUrl as exc:
        raise Problem(422, "The webhook URL is not acceptable.",
                      errors=[{"field": "url", "message": exc.reason}]) from None


async def visible_endpoint(session, principal: Principal, endpoint_id: str, *, lock: bool = False) -> WebhookEndpoint:
    endpoint = await store.get_endpoint(session, endpoint_id, lock=lock)
    if endpoint is None or not principal.owns_partner(endpoint.partner_id):
        raise Problem(404, "No such webhook endpoint.")
    return endpoint


def owner_of(body: EndpointCreate, principal: Principal) -> str | None:
    if principal.role == "ops":
        return body.partner_id
    if body.partner_id not in (None, principal.partner_id):
        raise Problem(403, "A partner registers endpoints only for itself.",
                      errors=[{"field": "partner_id", "message": f"your token is bound to {principal.partner_id}"}])
    return principal.partner_id


@router.post("", status_code=201, summary="Register an endpoint; its signing secret is shown this once",
             response_model=EndpointWithSecret | EndpointView)
async def create_endpoint(body: EndpointCreate, request: Request, principal: PartnerOrOps,
                          idempotency_key: IdempotencyKeyHeader = None) -> JSONResponse:
    rt = runtime(request)
    partner_id = owner_of(body, principal)
    await check_url(rt, body.url)
    now = rt.clock.now()
    scope = f"{principal.role}:{principal.partner_id or principal.subject}"
    async with rt.db.unit_of_work() as session:
        earlier = None
        if idempotency_key:
            earlier = await IDEMPOTENCY_KEYS.claim(session, rt.db, scope, idempotency_key,
                                                   fingerprint(body.model_dump(mode="json")), now)
        if earlier is None:
            endpoint = await store.create_endpoint(session, partner_id=partner_id, url=body.url,
                                                   event_types=body.event_types, created_by=principal.subject, now=now)
            if idempotency_key:
                # The secret is shown once, to the request that created it: the remembered answer, which
                # a replay gives anyone holding the key, has none. A caller whose first answer was lost
                # rotates the secret to get a new one.
                await IDEMPOTENCY_KEYS.remember(session, scope, idempotency_key, 201, endpoint_view(endpoint))
            answer = endpoint_view(endpoint, reveal_secret=True)
        elif earlier.same_body and await store.get_endpoint(session, earlier.response["id"]) is None:
            raise Problem(409, "The endpoint this Idempotency-Key created has since been deleted.")
    if earlier is not None:
        return replayed(earlier, {"Location": f"/v1/webhook-endpoints/{earlier.response['id']}"})
    return JSONResponse(answer, status_code=201, headers={"Location": f"/v1/webhook-endpoints/{answer['id']}"})


@router.get("", summary="Endpoints (a partner sees its own), cursor-paginated", response_model=EndpointList)
async def list_endpoints(request: Request, principal: PartnerOrOps, limit: Limit = 50,
                         cursor: str | None = None) -> dict:
    rt = runtime(request)
    async with rt.db.read() as session:
        rows = await store.list_endpoints(session, partner_id=partner_scope(principal),
                                          cursor=cursor_position(cursor), limit=limit)
    page, next_cursor = split_page(rows, limit, lambda e: (e.created_at, e.id))
    return {"items": [endpoint_view(e) for e in page], "next_cursor": next_cursor}


@router.get("/{endpoint_id}", summary="One endpoint, with why it was disabled if it was",
            response_model=EndpointView)
async def get_endpoint(endpoint_id: str, request: Request, principal: PartnerOrOps) -> dict:
    rt = runtime(request)
    async with rt.db.read() as session:
        return endpoint_view(await visible_endpoint(session, principal, endpoint_id))


@router.delete("/{endpoint_id}", status_code=204, summary="Remove an endpoint; nothing more is sent to it")
async def delete_endpoint(endpoint_id: str, request: Request, principal: PartnerOrOps) -> Response:
    rt = runtime(request)
    async with rt.db.unit_of_work() as session:
        endpoint = await visible_endpoint(session, principal, endpoint_id, lock=True)
        await store.delete_endpoint(session, endpoint, rt.clock.now())
    return Response(status_code=204)


@router.post("/{endpoint_id}/rotate-secret", response_model=EndpointWithSecret,
             summary="New signing secret, shown this once; the old one keeps signing for 24 hours")
async def rotate_secret(endpoint_id: str, request: Request, principal: PartnerOrOps) -> dict:
    rt = runtime(request)
    async with rt.db.unit_of_work() as session:
        endpoint = await visible_endpoint(session, principal, endpoint_id, lock=True)
        store.rotate_secret(endpoint, rt.clock.now())
        return endpoint_view(endpoint, reveal_secret=True)


@router.post("/{endpoint_id}/enable", summary="Switch a disabled endpoint back on (then replay what it missed)",
             response_model=EndpointView)
async def enable_endpoint(endpoint_id: str, request: Request, principal: PartnerOrOps) -> dict:
    rt = runtime(request)
    async with rt.db.read() as session:
        url = (await visible_endpoint(session, principal, endpoint_id)).url
    await check_url(rt, url)
    async with rt.db.unit_of_work() as session:
        endpoint = await visible_endpoint(session, principal, endpoint_id, lock=True)
        store.enable_endpoint(endpoint, rt.clock.now())
        return endpoint_view(endpoint)
