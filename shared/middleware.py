"""The HTTP middleware every service runs, as plain ASGI callables.

Starlette's BaseHTTPMiddleware (`@app.middleware("http")`) runs each request through an extra task
and memory streams; on intake's write path that cost more than the database work, so these wrap the
ASGI `send` instead.
"""

from __future__ import annotations

import time

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.context import accepted_traceparent, correlation_id_or_new, correlation_id_var, traceparent_var
from shared.logging import get_logger
from shared.metrics import HTTP_DURATION, HTTP_REQUESTS
from shared.problems import Problem, problem_response, unexpected_problem
from shared.ratelimit import RateLimiter

log = get_logger("http")
access_log = get_logger("http.access")
_QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def _route_template(scope: Scope) -> str:
    return getattr(scope.get("route"), "path", "unmatched")


class RequestContext:
    """Correlation id (taken from `x-correlation-id` or made), bound to every log line and event of
    the request and echoed on the answer; request count and duration per route template.

    The header is outside input copied into every event and message of the case: one that is too
    long or not printable ASCII is replaced by a fresh id (shared/context.py), never echoed."""

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cid = correlation_id_or_new(_header(scope, b"x-correlation-id"))
        started = time.perf_counter()
        status = 500

        responded = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                message["headers"] = [*message.get("headers", []), (b"x-correlation-id", cid.encode("latin-1"))]
            await send(message)

        token = correlation_id_var.set(cid)
        # a caller's W3C trace goes on with the case's events and outgoing requests (shared/context.py)
        trace = traceparent_var.set(accepted_traceparent(_header(scope, b"traceparent")))
        try:
            with structlog.contextvars.bound_contextvars(correlation_id=cid):
                try:
                    await self.app(scope, receive, send_with_id)
                except Exception as exc:
                    # Answered here, not by Starlette's outermost error handler: there the id is
                    # already unbound, so neither the answer nor the log line would carry it.
                    with structlog.contextvars.bound_contextvars(method=scope["method"],
                                                                 route=_route_template(scope)):
                        problem = unexpected_problem(exc, correlation_id=cid)
                    if responded:
                        raise
                    await problem_response(problem)(scope, receive, send_with_id)
                finally:
                    route = _route_template(scope)
                    elapsed = time.perf_counter() - started
                    HTTP_REQUESTS.labels(self.service, scope["method"], route, str(status)).inc()
                    HTTP_DURATION.labels(self.service, scope["method"], route).observe(elapsed)
                    # The access log: the route template and status, never the query string (it
                    # can carry a party's name or phone). Probes and scrapes that succeed are not
                    # logged: every few seconds per pod, they would bury the requests.
                    if status >= 400 or route not in _QUIET_ROUTES:
                        access_log.info("request", method=scope["method"], path=scope["path"], route=route,
                                        status=status, duration_ms=round(elapsed * 1000, 1))
        finally:
            traceparent_var.reset(trace)
            correlation_id_var.reset(token)


class RateLimit:
    """429 problem+json with Retry-After for a caller over its budget on the API (`/v1/`)."""

    def __init__(self, app: ASGIApp, *, limiter: RateLimiter) -> None:
        self.app, self.limiter = app, limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/v1/"):
            client = scope.get("client")
            key = self.limiter.caller_key(_header(scope, b"authorization"), client[0] if client else None)
            wait = self.limiter.take(key)
            if wait:
                retry_after = self.limiter.retry_after_header(wait)
                response = problem_response(Problem(429, f"Too many requests; retry after {retry_after} s.",
                                                    headers={"Retry-After": retry_after}))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
