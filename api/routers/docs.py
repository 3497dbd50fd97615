"""Swagger UI at `/docs`, under a Content-Security-Policy that allows exactly what it loads.

FastAPI's page pulls Swagger UI's script and styles from the jsDelivr CDN and starts
it with one inline script; the policy names the CDN and that script's hash, so
nothing else can run on the page. (ReDoc, FastAPI's second documentation page, is
not served: it would need a second CDN and web fonts for the same document.)
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
CDN = "https://cdn.jsdelivr.net"
FAVICON = "https://fastapi.tiangolo.com"
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


@lru_cache(maxsize=4)
def swagger_page(openapi_url: str, title: str) -> tuple[bytes, str]:
    """The page and its policy (the inline script's hash depends on the page's text)."""
    body = bytes(get_swagger_ui_html(openapi_url=openapi_url, title=title).body)
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(body)
    )
    csp = (f"default-src 'none'; script-src {CDN} {hashes}; style-src {CDN} 'unsafe-inline'; "
           f"img-src 'self' data: {FAVICON}; connect-src 'self'; base-uri 'none'; "
           "form-action 'none'; frame-ancestors 'none'")
    return body, csp


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI over `/openapi.json`."""
    root = request.scope.get("root_path", "")
    body, csp = swagger_page(f"{root}{request.app.openapi_url}", f"{request.app.title} - docs")
    return HTMLResponse(body, headers={"Content-Security-Policy": csp})
