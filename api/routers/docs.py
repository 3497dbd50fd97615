"""Swagger UI at `/docs` and ReDoc at `/redoc`, from files vendored in `api/static/vendor/`.

Nothing comes from a CDN, so both pages work offline: swagger-ui-dist 5.35.0 and
redoc 2.5.4, unchanged from npm, with their licences (`README.txt` in each folder
names the package and version). Each page starts its script with one inline
`<script>`; the Content-Security-Policy allows exactly that script's hash and our
own origin, so nothing else can run on the page.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
VENDOR = "/static/vendor"
SWAGGER_JS = f"{VENDOR}/swagger-ui/swagger-ui-bundle.js"
SWAGGER_CSS = f"{VENDOR}/swagger-ui/swagger-ui.css"
SWAGGER_FAVICON = "/static/img/favicon.svg"
REDOC_JS = f"{VENDOR}/redoc/redoc.standalone.js"
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def _policy(body: bytes, extra: str = "") -> str:
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(body)
    )
    # Both UIs set styles from script (style attributes, styled-components).
    return (f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; {extra}"
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


@lru_cache(maxsize=4)
def swagger_page(openapi_url: str, title: str, root: str = "") -> tuple[bytes, str]:
    """The Swagger UI page and its policy (the inline script's hash depends on the page)."""
    body = bytes(get_swagger_ui_html(
        openapi_url=openapi_url, title=title, swagger_js_url=f"{root}{SWAGGER_JS}",
        swagger_css_url=f"{root}{SWAGGER_CSS}", swagger_favicon_url=f"{root}{SWAGGER_FAVICON}",
    ).body)
    return body, _policy(body)


@lru_cache(maxsize=4)
def redoc_page(openapi_url: str, title: str, root: str = "") -> tuple[bytes, str]:
    """The ReDoc page and its policy. ReDoc searches in a web worker it makes from a blob."""
    body = bytes(get_redoc_html(openapi_url=openapi_url, title=title, redoc_js_url=f"{root}{REDOC_JS}",
                                redoc_favicon_url=f"{root}{SWAGGER_FAVICON}", with_google_fonts=False).body)
    return body, _policy(body, "worker-src blob:; ")


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI over `/openapi.json`."""
    root = request.scope.get("root_path", "")
    body, csp = swagger_page(f"{root}{request.app.openapi_url}", f"{request.app.title} - docs", root)
    return HTMLResponse(body, headers={"Content-Security-Policy": csp})


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """ReDoc over `/openapi.json`."""
    root = request.scope.get("root_path", "")
    body, csp = redoc_page(f"{root}{request.app.openapi_url}", f"{request.app.title} - ReDoc", root)
    return HTMLResponse(body, headers={"Content-Security-Policy": csp})
