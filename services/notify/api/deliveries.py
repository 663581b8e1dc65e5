"""The delivery log, manual retry and replay. A partner sees the deliveries to its own endpoints."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.notify.api.deps import Limit, PartnerOrOps, runtime
from services.notify.api.endpoints import visible_endpoint
from services.notify.api.responses import DeliveryList, DeliveryView, ReplayAnswer
from services.notify.api.schemas import ReplayRequest
from services.notify.api.views import delivery_view
from services.notify.store import deliveries as store
from services.notify.store import endpoints as endpoint_store
from services.notify.store.models import Delivery, WebhookEndpoint
from shared.auth import Principal, partner_scope
from shared.pagination import cursor_position, split_page
from shared.problems import Problem

router = APIRouter(prefix="/v1/deliveries", tags=["webhooks"])


async def visible_delivery(session, principal: Principal, delivery_id: str, *, lock: bool = False) -> Delivery:
    delivery = await store.get_delivery(session, delivery_id, lock=lock)
    if delivery is None:
        raise Problem(404, "No such delivery.")
    endpoint = await session.get(WebhookEndpoint, delivery.endpoint_id)
    if endpoint is None or not principal.owns_partner(endpoint.partner_id):
        raise Problem(404, "No such delivery.")
    return delivery


def _must_be_enabled(endpoint: WebhookEndpoint | None) -> None:
    if endpoint is None or endpoint.deleted_at is not None:
        raise Problem(409, "The endpoint of this delivery was deleted.")
    if not endpoint.enabled:
        raise Problem(409, f"The endpoint is disabled: {endpoint.disabled_reason}. Enable it first.")


@router.get("", summary="Deliveries with their attempt log, oldest first, cursor-paginated",
            response_model=DeliveryList)
async def list_deliveries(request: Request, principal: PartnerOrOps, endpoint_id: str | None = None,
                          status: str | None = None, limit: Limit = 50, cursor: str | None = None) -> dict:
    if status is not None and status not in store.DELIVERY_STATUSES:
        raise Problem(422, "Unknown delivery status.",
                      errors=[{"field": "status", "message": f"one of {', '.join(store.DELIVERY_STATUSES)}"}])
    rt = runtime(request)
    async with rt.db.read() as session:
        rows = await store.list_deliveries(session, partner_id=partner_scope(principal), endpoint_id=endpoint_id,
                                           status=status, cursor=cursor_position(cursor), limit=limit)
        page, next_cursor = split_page(rows, limit, lambda d: (d.created_at, d.id))
        attempts = await store.attempts_of(session, [d.id for d in page])
    return {"items": [delivery_view(d, attempts[d.id]) for d in page], "next_cursor": next_cursor}


@router.get("/{delivery_id}", summary="One delivery with every attempt", response_model=DeliveryView)
async def get_delivery(delivery_id: str, request: Request, principal: PartnerOrOps) -> dict:
    rt = runtime(request)
    async with rt.db.read() as session:
        delivery = await visible_delivery(session, principal, delivery_id)
        attempts = await store.attempts_of(session, [delivery.id])
    return delivery_view(delivery, attempts[delivery.id])


@router.post("/{delivery_id}/retry", status_code=202, summary="Send this delivery again now",
             response_model=DeliveryView)
async def retry_delivery(delivery_id: str, request: Request, principal: PartnerOrOps) -> dict:
    rt = runtime(request)
    async with rt.db.unit_of_work() as session:
        delivery = await visible_delivery(session, principal, delivery_id, lock=True)
        _must_be_enabled(await session.get(WebhookEndpoint, delivery.endpoint_id))
        store.restart(session, delivery, rt.clock.now())
        attempts = await store.attempts_of(session, [delivery.id])
        return delivery_view(delivery, attempts[delivery.id])


@router.post("/replay", status_code=202, summary="Send again everything that failed since a time",
             response_model=ReplayAnswer,
             responses={404: {"description": "The endpoint_id names no endpoint of the caller's."}})
async def replay(body: ReplayRequest, request: Request, principal: PartnerOrOps) -> dict:
    rt = runtime(request)
    async with rt.db.unit_of_work() as session:
        if body.endpoint_id:
            endpoint = await visible_endpoint(session, principal, body.endpoint_id)
            _must_be_enabled(endpoint)
            endpoint_ids = [endpoint.id]
        else:
            endpoint_ids = await endpoint_store.enabled_endpoint_ids(session, partner_scope(principal))
        replayed = await store.replay_since(session, since=body.since, endpoint_ids=endpoint_ids, now=rt.clock.now())
    return {"replayed": replayed, "since": body.since.isoformat(), "endpoint_id": body.endpoint_id}
