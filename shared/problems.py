"""One error format: RFC 9457 problem+json, with the field at fault for validation errors."""

from __future__ import annotations

import socket
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.logging import get_logger

log = get_logger("problems")

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://courtmed.example/problems/"

_TITLES = {
    400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
    405: "Method not allowed", 409: "Conflict", 413: "Content too large", 415: "Unsupported media type",
    422: "Validation failed", 429: "Too many requests", 500: "Internal error", 503: "Service unavailable",
}


class Problem(Exception):
    """Raise anywhere in a request to answer problem+json."""

    def __init__(self, status: int, detail: str = "", *, title: str | None = None, type: str | None = None,
                 errors: list[dict[str, str]] | None = None, headers: dict[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(detail or title or _TITLES.get(status, "Error"))
        self.status, self.detail = status, detail
        self.title = title or _TITLES.get(status, "Error")
        self.type = type or TYPE_BASE + self.title.lower().replace(" ", "-")
        self.errors, self.headers, self.extra = errors, headers, extra

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


def problem_response(problem: Problem) -> JSONResponse:
    return JSONResponse(problem.body(), status_code=problem.status, media_type=PROBLEM_JSON,
                        headers=problem.headers)


def field_path(loc: tuple | list) -> str:
    """("body", "parties", 1, "id_number") -> "parties[1].id_number"."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(("function-", "function-after", "model-")):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out or "body"


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    errors = []
    for err in exc.errors():
        message = err.get("msg", "invalid")
        if message.startswith("Value error, "):
            message = message[len("Value error, "):]
        errors.append({"field": field_path(err.get("loc", ())), "message": message})
    return errors


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(Problem(422, "The request has invalid fields.", errors=validation_errors(exc)))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else ""
        return problem_response(Problem(exc.status_code, detail, headers=getattr(exc, "headers", None)))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        return problem_response(unexpected_problem(exc))


def unexpected_problem(exc: BaseException, *, correlation_id: str | None = None) -> Problem:
    """The answer to an exception no handler expected, logged: 503 when the database cannot be
    reached (nothing was written, since the transaction did not commit: the client retries, with the
    same Idempotency-Key where it has one), 500 for anything else."""
    extra: dict[str, Any] = {"correlation_id": correlation_id} if correlation_id else {}
    if database_unreachable(exc):
        log.warning("database unreachable", error_type=type(exc).__name__)
        return Problem(503, "The database cannot be reached; try again shortly.",
                       headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER_S)}, **extra)
    log.error("unhandled error", error_type=type(exc).__name__, exc_info=exc)
    return Problem(500, "An unexpected error occurred.", **extra)


UNAVAILABLE_RETRY_AFTER_S = 5

# What a lost or refused database connection raises, through SQLAlchemy or on its own.
_CONNECTION_ERRORS = (ConnectionError, socket.gaierror, asyncpg.PostgresConnectionError,
                      asyncpg.ConnectionDoesNotExistError, asyncpg.CannotConnectNowError, sa_exc.TimeoutError)


def database_unreachable(exc: BaseException) -> bool:
    """Whether `exc` says the database could not be reached (a 503), rather than a bug (a 500)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, _CONNECTION_ERRORS):
            return True
        current = current.__cause__ or current.__context__
    return False
