"""Helpers for notify's integration tests: real HTTP servers on free local ports, events as the
other services would publish them, and waiting for notify's workers."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import uvicorn
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from shared.events import Envelope
from shared.vocabulary import MODE_BY_STAGE

START = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)


@asynccontextmanager
async def serve(app: Any, **config: Any) -> AsyncIterator[str]:
    """Serve `app` with uvicorn on a free 127.0.0.1 port; yields its base URL (https when `config`
    holds uvicorn's ssl_certfile and ssl_keyfile)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="off", **config))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"{'https' if config.get('ssl_certfile') else 'http'}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@dataclass
class Received:
    headers: dict[str, str]
    body: str
    status: int


@dataclass
class PartnerReceiver:
    """A partner's webhook receiver that answers 500 to its first `failures` requests, then 200."""

    failures: int = 0
    requests: list[Received] = field(default_factory=list)

    @property
    def successes(self) -> list[Received]:
        return [r for r in self.requests if r.status == 200]

    def app(self) -> Starlette:
        async def receive(request: Request) -> JSONResponse:
            body = (await request.body()).decode()
            status = 500 if self.failures > 0 else 200
            self.failures = max(0, self.failures - 1)
            self.requests.append(Received(dict(request.headers), body, status))
            return JSONResponse({"ok": status == 200}, status_code=status)

        return Starlette(routes=[Route("/hooks", receive, methods=["POST"])])


def event(event_type: str, case_id: str, data: dict[str, Any], occurred_at: datetime,
          source: str = "mediation") -> Envelope:
    return Envelope.new(event_type, case_id, source, data, occurred_at=occurred_at)


def received_event(case_id: str, at: datetime, *, stage: str = "pre_filing", category: str = "property_service",
                   court_code: str = "370202", email: str | None = None, partner_id: str | None = None) -> Envelope:
    """case.received as intake publishes it (contacts included: notify keeps them for notices)."""
    number = f"(2026)鲁0202民诉前调{uuid.UUID(case_id).int % 900 + 100}号" if stage == "pre_filing" else None
    return event("case.received", case_id, {
        "case_number": number, "court_code": court_code, "stage": stage,
        "mode": MODE_BY_STAGE[stage],
        "procedure": None if stage in ("pre_filing", "direct") else "ordinary",
        "court_case_number": None if stage in ("pre_filing", "direct") else "(2026)鲁0202民初88号",
        "category": category, "district": court_code, "claim_amount": "12500.00", "partner_id": partner_id,
        "parties": [
            {"party_id": f"{case_id[:8]}-a", "role": "applicant", "kind": "person", "name": "张三",
             "id_number": "370202198001011232", "phone": "13800000000", "email": email,
             "consents_to_mediation": True},
            {"party_id": f"{case_id[:8]}-r", "role": "respondent", "kind": "organization",
             "name": "青岛某物业服务有限公司", "id_number": "91370200MA3C00000K", "phone": None, "email": None,
             "consents_to_mediation": True},
        ],
    }, at, source="intake")


def routed_event(case_id: str, at: datetime, partner_id: str = "P12", mode: str = "delegation") -> Envelope:
    return event("case.routed", case_id, {"attempt": 1, "partner_id": partner_id, "mode": mode, "period_days": 30,
                                          "partner_name": "青岛市律师协会律师调解中心"}, at, source="routing")


async def wait_until(check: Callable[[], Awaitable[bool]], timeout: float = 10.0, what: str = "condition") -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def rows(runtime, model, *where) -> list:
    async with runtime.db.read() as session:
        return list((await session.execute(select(model).where(*where))).scalars())


FAST = {"worker_poll_seconds": 0.05, "http_timeout_seconds": 2.0, "claim_lease_seconds": 7.0}
