"""One error body for every error: RFC 9457 `application/problem+json`."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.request_problems import no_route, validation_problem
from migkg.exc import MigkgError, NotFound

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://w3id.org/migkg/problems/"


class ProblemDetail(BaseModel):
    """RFC 9457 problem details; extension members depend on the problem type."""

    model_config = {"extra": "allow"}
    type: str = Field(examples=[TYPE_BASE + "not-found"])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["no entity matches 'Narnia'"])
    instance: str = Field(examples=["/v1/countries/Narnia/agreements"])


def _body(path: str, status: int, slug: str, title: str, detail: str,
          **extra: Any) -> dict[str, Any]:
    return {"type": TYPE_BASE + slug, "title": title, "status": status, "detail": detail,
            "instance": path, **extra}


def problem(request: Request, status: int, slug: str, title: str, detail: str,
            headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body = _body(request.url.path, status, slug, title, detail, **extra)
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def problem_bytes(path: str, status: int, slug: str, title: str, detail: str) -> bytes:
    """A problem body for middleware, which answers before any request object exists."""
    return bytes(JSONResponse(_body(path, status, slug, title, detail)).body)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the given error statuses."""
    return {
        s: {"model": ProblemDetail, "description": HTTPStatus(s).phrase,
            "content": {MEDIA_TYPE: {}}}
        for s in statuses
    }


PROBED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(app: Any, path: str, root_path: str = "") -> list[str]:
    """Methods some route answers on `path` (Starlette names only the first route's).

    Each method is matched against a fresh scope: the request's own carries routing
    state that makes routers answer for the route already chosen. HEAD is allowed
    wherever GET is (api/middleware.py answers it).
    """
    from starlette.routing import Match

    allowed: set[str] = set()
    for method in PROBED_METHODS:
        scope = {"type": "http", "method": method, "path": path, "root_path": root_path,
                 "headers": [], "query_string": b""}
        if any(route.matches(scope)[0] == Match.FULL for route in app.router.routes):
            allowed.add(method)
    if "GET" in allowed:
        allowed.add("HEAD")
    return sorted(allowed)


def install(app: FastAPI) -> None:
    """Register the handlers once, in the app factory."""

    @app.exception_handler(MigkgError)
    async def _migkg(request: Request, exc: MigkgError) -> JSONResponse:
        if exc.status >= 500:
            log.warning("%s: %s", exc.title, exc.detail)
        return problem(request, exc.status, exc.slug, exc.title, exc.detail,
                       headers=exc.headers or None, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        slug, title, detail, members = validation_problem(request.app, request.scope,
                                                          exc.errors())
        return problem(request, 422, slug, title, detail, **members)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404 and exc.detail == HTTPStatus.NOT_FOUND.phrase:
            unrouted = no_route(request.app, request.scope["path"])
            return problem(request, 404, NotFound.slug, NotFound.title, unrouted.pop("detail"),
                           **unrouted)
        title = HTTPStatus(exc.status_code).phrase
        slug = title.lower().replace(" ", "-")
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(
                request.app, request.scope["path"], request.scope.get("root_path", "")))
        return problem(request, exc.status_code, slug, title, str(exc.detail), headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return problem(request, 500, "internal", "Internal error", "an unexpected error occurred")
