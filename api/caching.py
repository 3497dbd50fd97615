"""ETag and Cache-Control on successful GET responses; 304 on a matching If-None-Match."""

from __future__ import annotations

import hashlib

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

# Liveness must not be cached; exports stream and must not be buffered to hash them.
NO_CACHE_PREFIXES = ("/health", "/ready", "/v1/export")


class CachingMiddleware(BaseHTTPMiddleware):
    def __init__(self, app: object, max_age: int) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self.max_age = max_age

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        if (request.method != "GET" or response.status_code != 200
                or request.url.path.startswith(NO_CACHE_PREFIXES)
                or "etag" in response.headers):
            return response
        body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        headers = dict(response.headers)
        headers.pop("content-length", None)
        headers["etag"] = etag
        headers.setdefault("cache-control", f"public, max-age={self.max_age}")
        if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
            return Response(status_code=304, headers={"etag": etag,
                                                      "cache-control": headers["cache-control"]})
        return Response(body, status_code=200, headers=headers, media_type=response.media_type)
