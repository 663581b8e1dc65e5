"""The simulated court system: acknowledges hand-offs with its own case numbers.

Idempotent on the hand-off id, as a real court interface must be for an at-least-once sender, and
able to fail on request so that the sender's retries can be exercised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.notify.court_simulator.numbering import (
    CASE_TYPE_WORDS,
    CONTINUES_EXISTING_FILE,
    court_abbreviation,
    court_case_number,
)
from shared.clock import BEIJING, SystemClock

Clock = Callable[[], datetime]


class HandoffIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1)
    type: str
    case_id: str = Field(min_length=1)
    court_code: str = Field(min_length=1)
    court_case_number: str | None = None


class FailIn(BaseModel):
    count: int = Field(ge=0)
    status: int = Field(500, ge=400, le=599)
    retry_after: str | None = None


@dataclass
class CourtState:
    received: dict[str, dict[str, Any]] = field(default_factory=dict)
    sequences: dict[tuple[str, int, str], int] = field(default_factory=dict)
    fail_remaining: int = 0
    fail_status: int = 500
    fail_retry_after: str | None = None
    requests: int = 0

    def next_number(self, handoff: HandoffIn, year: int) -> str:
        if handoff.type in CONTINUES_EXISTING_FILE and handoff.court_case_number:
            return handoff.court_case_number
        word = CASE_TYPE_WORDS[handoff.type]
        key = (court_abbreviation(handoff.court_code), year, word)
        self.sequences[key] = self.sequences.get(key, 0) + 1
        return court_case_number(year, handoff.court_code, handoff.type, self.sequences[key])


def create_app(clock: Clock = lambda: SystemClock().now().astimezone(BEIJING)) -> FastAPI:
    app = FastAPI(title="Court system simulator", version="1.0")
    state = CourtState()
    app.state.court = state

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/handoffs")
    async def receive(request: Request) -> JSONResponse:
        state.requests += 1
        if state.fail_remaining > 0:
            state.fail_remaining -= 1
            return _failure(state)
        try:
            handoff = HandoffIn.model_validate(await request.json())
        except (ValidationError, ValueError) as exc:
            return _problem(422, "invalid hand-off", str(exc))
        if handoff.type not in CASE_TYPE_WORDS:
            return _problem(422, "invalid hand-off", f"unknown hand-off type {handoff.type!r}")
        known = state.received.get(handoff.id)
        if known is not None:
            known["deliveries"] += 1
            return JSONResponse(known["ack"], status_code=200, headers={"Idempotent-Replayed": "true"})
        now = clock()
        ack = {
            "handoff_id": handoff.id,
            "court_case_number": state.next_number(handoff, now.year),
            "acknowledged_at": now.isoformat(),
        }
        state.received[handoff.id] = {"handoff": handoff.model_dump(), "ack": ack, "deliveries": 1}
        return JSONResponse(ack, status_code=201)

    @app.get("/handoffs")
    async def listing() -> dict[str, list[dict[str, Any]]]:
        return {"items": [{**entry["handoff"], **entry["ack"], "deliveries": entry["deliveries"]}
                          for entry in state.received.values()]}

    @app.post("/_control/fail")
    async def fail_next(body: FailIn) -> dict[str, Any]:
        state.fail_remaining, state.fail_status, state.fail_retry_after = body.count, body.status, body.retry_after
        return {"fail_remaining": state.fail_remaining, "status": state.fail_status}

    @app.post("/_control/reset")
    async def reset() -> dict[str, str]:
        state.received.clear()
        state.sequences.clear()
        state.fail_remaining, state.requests = 0, 0
        return {"status": "reset"}

    return app


def _failure(state: CourtState) -> JSONResponse:
    headers = {"Retry-After": state.fail_retry_after} if state.fail_retry_after else None
    return _problem(state.fail_status, "simulated court outage", "failing on request", headers)


def _problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status_code=status,
        headers=headers,
        media_type="application/problem+json",
    )
