"""How every workbench response leaves: rendered in Chinese from the templates, never cached, never
framed, with a Content-Security-Policy that allows no script at all (the workbench has none: plain
forms, server-rendered) and only its own stylesheet."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))

SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


AnyResponse = TypeVar("AnyResponse", bound=Response)


def secured(response: AnyResponse, *, cache: bool = False) -> AnyResponse:
    response.headers.update(SECURITY_HEADERS)
    # pages show personal data: never kept by the browser or a proxy
    response.headers["Cache-Control"] = "public, max-age=3600" if cache else "no-store"
    return response


def page(request: Request, name: str, status: int = 200, headers: dict[str, str] | None = None,
         **context: Any) -> HTMLResponse:
    context.setdefault("signed_in", None)
    context.setdefault("errors", {})
    context.setdefault("values", {})
    context.setdefault("form_id", None)
    response = templates.TemplateResponse(request, name, context, status_code=status, headers=headers)
    return secured(response)


def to(path: str) -> Response:
    return secured(RedirectResponse(path, status_code=303))


def stylesheet() -> Response:
    css = (HERE / "static" / "workbench.css").read_text(encoding="utf-8")
    return secured(Response(css, media_type="text/css; charset=utf-8"), cache=True)
