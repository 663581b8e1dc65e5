"""The published API description: what an integrator generates a client from.

FastAPI describes the routes and their models (`ResponseModel` is the base of every answer's); this
adds what it cannot know: the bearer security scheme (and any a service declares) and which roles
each operation needs, the problem+json answers (RFC 9457) every operation may give instead of
FastAPI's default 422, tag descriptions, and the webhooks partner systems receive (OpenAPI 3.1
`webhooks`), one per event type of the contract.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from shared.events import EVENT_TYPES
from shared.problems import PROBLEM_JSON

BEARER = "bearerAuth"

TAGS = {
    "cases": "The court clerk's cases: file one or a batch (each with its Idempotency-Key), read the case "
             "with its timeline, list, withdraw.",
    "routing": "Routing to one of the partner bodies: rulesets and policy packs, decisions and their "
               "explanations, what-if simulation.",
    "partners": "The partner roster (特邀调解组织名册): partner bodies, their mediators, capacity.",
    "mediations": "The case at the partner: accept or decline, mediator, contact, sessions, pauses and "
                  "extensions, outcome.",
    "stats": "Statistics for the court and the justice bureau.",
    "webhooks": "Webhook endpoints of partner systems and ops: register, rotate the signing secret, "
                "deliveries.",
    "handoffs": "Hand-offs back to the court (judicial confirmation, mediation document, return to the "
                "docket) and their acknowledgement.",
    "operations": "Health, readiness and metrics for the platform's operators.",
}

_ERRORS = {
    400: "The request is malformed (a required header is missing, for instance).",
    401: "No valid bearer token (or web-client session).",
    403: "The token's role or binding (court, partner, mediator) does not allow this.",
    404: "No such resource, or not one this caller may see.",
    409: "The request conflicts with the current state (or an Idempotency-Key reused with another body).",
    413: "The body is larger than this operation accepts.",
    422: "A field is invalid; `errors` names each field at fault.",
    429: "Too many requests; retry after the `Retry-After` header.",
    500: "An unexpected error; the `X-Correlation-Id` header identifies it in the logs.",
}


class ResponseModel(BaseModel):
    """The base of every answer's model. The route's view builds the dict; the model describes it for
    the document and checks it on the way out. Keys it does not declare pass through, so a view
    that grows a field never loses it silently."""

    model_config = ConfigDict(extra="allow")


# The views write times and dates as strings already (RFC 3339 with offset); kept as the view wrote
# them, where a datetime field would re-format them (an offset of +00:00 would become Z).
Timestamp = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
Day = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
# A number as the view computed it: an int stays an int (a float field would answer 3 as 3.0).
Number = Annotated[int | float, WithJsonSchema({"type": "number"})]


class FieldError(BaseModel):
    field: str = Field(description="The path of the field at fault, e.g. `parties[1].id_number`.")
    message: str


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, the platform's one error format (`application/problem+json`)."""

    type: str = Field(description="A URI naming the kind of problem.")
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] | None = Field(None, description="Each field at fault (validation errors).")


class WebhookMessage(BaseModel):
    """A webhook request body, signed as Standard Webhooks (`webhook-id`, `webhook-timestamp`,
    `webhook-signature` headers; HMAC-SHA256 with the endpoint's secret). Redeliveries keep the
    `webhook-id`: deduplicate on it."""

    type: str = Field(description="The event type.")
    timestamp: datetime = Field(description="When the event occurred (RFC 3339).")
    data: dict[str, Any] = Field(description="`case_id`, `event_id` and the event's own fields; contacts never, "
                                             "id numbers masked.")


def operation_id(route: APIRoute) -> str:
    return route.name


def install_openapi(app: FastAPI) -> None:
    """Replace `app.openapi` with the completed document (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def build_document(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(title=app.title, version=app.version, openapi_version="3.1.0",
                           description=app.description, routes=app.routes)
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["ProblemDetails"] = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}").pop("$defs", {}))
    schemas["ProblemDetails"].pop("$defs", None)
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    components["securitySchemes"] = {
        BEARER: {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                 "description": "A token of one role (clerk, partner, mediator, ops, ...) bound to its court, "
                                "partner or mediator; `make token` issues one in development."},
        **_runtime_schemes(app),
    }
    roles = _roles_by_operation(app)
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            _complete(operation, path, method, roles.get((path, method.upper())))
    used = {tag for item in document.get("paths", {}).values() for op in item.values() for tag in op.get("tags", [])}
    document["tags"] = [{"name": name, "description": text} for name, text in TAGS.items() if name in used]
    document["webhooks"] = _webhooks(schemas)
    return document


def _runtime_schemes(app: FastAPI) -> dict[str, Any]:
    """Schemes a service declares beside the bearer one (`security_schemes` on its runtime)."""
    schemes: dict[str, Any] = {}
    for runtime in getattr(app.state, "runtimes", {}).values():
        schemes.update(getattr(runtime, "security_schemes", {}))
    return schemes


def _roles_by_operation(app: FastAPI) -> dict[tuple[str, str], tuple[str, ...]]:
    """The roles of `shared.auth.require` found among each route's dependencies."""
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    for context in iter_route_contexts(app.routes):  # included routers resolved, as get_openapi does
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        roles = _roles(route.dependant)
        for method in getattr(context, "methods", None) or route.methods or ():
            found[(context.path_format or route.path_format, method)] = roles
    return found


def _roles(dependant) -> tuple[str, ...]:
    roles: list[str] = []
    for sub in dependant.dependencies:
        roles.extend(getattr(sub.call, "roles", ()))
        roles.extend(_roles(sub))
    return tuple(dict.fromkeys(roles))


def _complete(operation: dict[str, Any], path: str, method: str, roles: tuple[str, ...] | None) -> None:
    responses = operation.setdefault("responses", {})
    codes = [422, 429, 500]
    if roles:
        codes += [401, 403]
        operation["security"] = [{BEARER: []}]
        operation["description"] = (operation.get("description") or "").rstrip() + \
            ("\n\n" if operation.get("description") else "") + "Roles: " + ", ".join(f"`{r}`" for r in roles) + "."
    else:
        operation["security"] = []
    if "{" in path:
        codes.append(404)
    if method in ("post", "put", "patch", "delete"):
        codes += [400, 409, 413]  # 400: a body that is not even text (FastAPI's "error parsing the body")
    # An error a route declares itself (a 404 for an id in its body) is a problem+json answer too.
    codes += [int(code) for code in responses if code.isdigit() and int(code) >= 400]
    for code in sorted(set(codes)):
        declared = responses.get(str(code), {}).get("description")
        responses[str(code)] = {"description": declared if declared and code not in (422,) else _ERRORS.get(code, ""),
                                "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}


def _webhooks(schemas: dict[str, Any]) -> dict[str, Any]:
    schemas["WebhookMessage"] = WebhookMessage.model_json_schema(ref_template="#/components/schemas/{model}")
    hooks = {}
    for event_type in EVENT_TYPES:
        hooks[event_type] = {"post": {
            "summary": f"`{event_type}` delivered to a subscribed endpoint",
            "operationId": "webhook_" + event_type.replace(".", "_"),
            "tags": ["webhooks"],
            "parameters": [{"name": name, "in": "header", "required": True, "schema": {"type": "string"},
                            "description": text} for name, text in (
                ("webhook-id", "The message id; the same on every redelivery."),
                ("webhook-timestamp", "Seconds since the epoch when this attempt was signed."),
                ("webhook-signature", "`v1,<base64 HMAC-SHA256>` of `id.timestamp.body`."))],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"allOf": [{"$ref": "#/components/schemas/WebhookMessage"}],
                           "properties": {"type": {"const": event_type}}}}}},
            "responses": {"2XX": {"description": "Received; any 2xx acknowledges the message."},
                          "410": {"description": "Gone for good: the endpoint is switched off."}},
        }}
    return hooks
