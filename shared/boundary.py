"""The input boundary every service runs (plain ASGI, outermost after the request context): before a
route sees a request,

- a body over the size limit is refused with 413, unread (1 MB by default, `MAX_BODY_BYTES`; a route
  declares a larger limit of its own with `openapi_extra={BODY_LIMIT_KEY: n}`, as the batch create does);
- a control character (NUL and the others of shared/inputs.CONTROL) in any query value, path
  segment, Idempotency-Key, form field or JSON string or key is refused with 422 naming the field:
  PostgreSQL refuses NUL in text and JSONB, so these failed with a 500 after the work was done;
- a JSON body nested deeper than MAX_DEPTH is refused with 422 (the parser would recurse to a crash).

The common case costs one regular-expression scan of the raw body: the JSON is parsed here only
when that scan finds something that might be a control character or deep nesting, to name the field.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.inputs import control_character
from shared.problems import Problem, problem_response

BODY_LIMIT_KEY = "x-max-body-bytes"
MAX_DEPTH = 32
CHECKED_HEADERS = (b"idempotency-key",)

# In raw JSON a control character can only appear escaped (\u0000, \b, \f), DEL and C1 also raw
# (b"\x7f", b"\xc2\x80"-b"\xc2\x9f"), a surrogate only escaped; an escaped backslash before the
# escape makes it plain text, which the slow path sorts out. Runs of MAX_DEPTH openings flag nesting.
_MAYBE_BAD_JSON = re.compile(
    rb"\\(?:u00[0-1][0-9a-fA-F]|u00[7-9][0-9a-fA-F]|u[dD][89a-fA-F][0-9a-fA-F]{2}|[bf])"
    rb"|\x7f|\xc2[\x80-\x9f]"
    rb"|(?:[\[{]\s*(?:\"[^\"\\]{0,64}\"\s*:\s*)?){%d}" % MAX_DEPTH)
_QUERY_MAYBE_BAD = re.compile(rb"%(?:[01][0-9a-fA-F]|7[fF]|[cC]2|[eE][dD])|[\x00-\x1f\x7f-\xff]")


def _field(path: list[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + part
    return out or "body"


def _first_bad_string(value: Any, path: list[str | int], depth: int = 0) -> tuple[str, str] | None:
    """(field, message) of the first string or key with a control character, or of too deep nesting."""
    if depth > MAX_DEPTH:
        return _field(path), f"nested more than {MAX_DEPTH} levels deep"
    if isinstance(value, str):
        bad = control_character(value)
        return (_field(path), f"must not contain control characters ({bad})") if bad else None
    if isinstance(value, dict):
        for key, item in value.items():
            bad = control_character(key)
            if bad:
                return _field([*path, repr(key)[1:-1]]), f"a key must not contain control characters ({bad})"
            found = _first_bad_string(item, [*path, key], depth + 1)
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_bad_string(item, [*path, index], depth + 1)
            if found:
                return found
    return None


def json_body_fault(body: bytes) -> tuple[str, str] | None:
    """(field, message) if this JSON body holds a control character or nests too deep; None when
    it is clean or is not JSON at all (the route's own parsing answers that)."""
    if not _MAYBE_BAD_JSON.search(body):
        return None
    try:
        document = json.loads(body)
    except RecursionError:
        return "body", f"nested more than {MAX_DEPTH} levels deep"
    except ValueError:
        return None
    return _first_bad_string(document, [])


def query_fault(query_string: bytes) -> tuple[str, str] | None:
    if not query_string or not _QUERY_MAYBE_BAD.search(query_string):
        return None
    # parse_qsl decodes as Starlette does (UTF-8, invalid bytes replaced), so this sees what routes see.
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        bad = control_character(name)
        if bad:
            return "query", f"a parameter name must not contain control characters ({bad})"
        bad = control_character(value)
        if bad:
            return name, f"must not contain control characters ({bad})"
    return None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def _invalid(field: str, message: str) -> Problem:
    return Problem(422, "The request has invalid fields.", errors=[{"field": field, "message": message}])


class _Routes:
    """The API's routes as its OpenAPI document lists them (built on first need): which path
    parameter a segment is, and the body limit a route declares (`openapi_extra`)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._table: list[tuple[str, re.Pattern, int]] | None = None

    def _build(self) -> list[tuple[str, re.Pattern, int]]:
        if self._table is None:
            table = []
            for template, operations in self.app.openapi().get("paths", {}).items():
                regex, _, _ = compile_path(template)
                for method, operation in operations.items():
                    table.append((method.upper(), regex, int(operation.get(BODY_LIMIT_KEY, 0) or 0)))
            self._table = table
        return self._table

    def path_params(self, path: str) -> dict[str, str]:
        for _, regex, _ in self._build():
            found = regex.match(path)
            if found:
                return found.groupdict()
        return {}

    def methods(self, path: str) -> list[str]:
        """Every method some route serves at this path, as a 405's Allow header must list them
        (Starlette names only those of the first route that matched the path)."""
        matches = [(regex.groups, verb) for verb, regex, _ in self._build() if regex.match(path)]
        # /v1/cases/batch is its own path, not /v1/cases/{case_id}: the fewest parameters win.
        fewest = min((groups for groups, _ in matches), default=0)
        return sorted({verb for groups, verb in matches if groups == fewest})

    def body_limit(self, method: str, path: str) -> int:
        return next((limit for verb, regex, limit in self._build() if verb == method and regex.match(path)), 0)


class InputBoundary:
    def __init__(self, app: ASGIApp, *, api: Any, max_body_bytes: int) -> None:
        self.app, self.routes, self.max_body_bytes = app, _Routes(api), max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = self._url_fault(scope)
        if problem is None:
            problem, receive = await self._body_fault(scope, receive)
        if problem is not None:
            await problem_response(problem)(scope, receive, send)
            return
        await self.app(scope, receive, self._allow_every_method(scope, send))

    def _allow_every_method(self, scope: Scope, send: Send) -> Send:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                methods = self.routes.methods(scope["path"])
                if methods:
                    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
                    message = {**message, "headers": [*headers, (b"allow", ", ".join(methods).encode())]}
            await send(message)

        return sending

    def _url_fault(self, scope: Scope) -> Problem | None:
        if control_character(scope["path"]):
            params = self.routes.path_params(scope["path"])
            field = next((name for name, value in params.items() if control_character(value)), "path")
            return _invalid(field, f"must not contain control characters ({control_character(scope['path'])})")
        fault = query_fault(scope.get("query_string", b""))
        if fault:
            return _invalid(*fault)
        for name in CHECKED_HEADERS:
            value = _header(scope, name)
            bad = value is not None and control_character(value)
            if bad:
                return _invalid(name.decode().title(), f"must not contain control characters ({bad})")
        return None

    def _limit(self, scope: Scope) -> int:
        return max(self.max_body_bytes, self.routes.body_limit(scope["method"], scope["path"]))

    def _too_large(self, limit: int) -> Problem:
        return Problem(413, f"The request body is larger than {limit} bytes.",
                       errors=[{"field": "body", "message": f"at most {limit} bytes"}])

    async def _body_fault(self, scope: Scope, receive: Receive) -> tuple[Problem | None, Receive]:
        if scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE") and _header(scope, b"content-length") in (None, "0"):
            return None, receive
        limit = self.max_body_bytes
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            limit = self._limit(scope)
            if int(declared) > limit:
                return self._too_large(limit), receive
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the app see it
                return None, _replay([message], receive)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                limit = self._limit(scope)
                if size > limit:
                    return self._too_large(limit), receive
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        content_type = (_header(scope, b"content-type") or "").lower()
        fault = None
        if "json" in content_type or not content_type:
            fault = json_body_fault(body)
        elif content_type.startswith("application/x-www-form-urlencoded"):
            fault = query_fault(body)
        return (_invalid(*fault) if fault else None), _replay([{"type": "http.request", "body": body}], receive)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A receive that hands the app what was read here, then whatever the client sends next."""
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed
