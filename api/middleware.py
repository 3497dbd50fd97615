"""Request hygiene, as pure ASGI middleware (no `BaseHTTPMiddleware` task group per request).

- `GuardMiddleware` refuses, before any routing: control characters (NUL ...) in the
  path or query string (400); a body over `max_body_bytes` (413); a JSON body nested
  deeper than `MAX_JSON_DEPTH` (400). Bodies are read once, bounded, and replayed.
- `HeadMiddleware` answers HEAD wherever GET is allowed: the GET response, headers
  and all, without its body.
- `SecurityHeadersMiddleware` adds `X-Content-Type-Options: nosniff` to every
  response and, to every HTML one, a Content-Security-Policy (unless the route set
  its own), `Referrer-Policy` and `X-Frame-Options`.

Every refusal is `application/problem+json`, like every other error.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem_bytes

MAX_JSON_DEPTH = 32
_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")
_CONTROL_TEXT = re.compile(r"[\x00-\x1f\x7f]")
# A SPARQL query sent by GET (`/sparql?query=`) spans lines: tab, LF and CR are its whitespace.
_CONTROL_BUT_LINES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# HTML pages that set no policy of their own may use inline styles and nothing else.
DEFAULT_CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HTML_HEADERS = [(b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY")]


async def send_problem(scope: Scope, send: Send, status: int, slug: str, title: str,
                       detail: str) -> None:
    """Answer with a problem+json body from outside the app's exception handlers."""
    body = problem_bytes(scope.get("path", ""), status, slug, title, detail)
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
        (b"x-content-type-options", b"nosniff"),
    ]})
    await send({"type": "http.response.body", "body": body})


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when `body` holds brackets nested more than `limit` deep (strings ignored).

    Peels the innermost `[]` / `{}` pairs off `limit` times, at C speed; a pair that is
    still there is deeper than the limit. Unbalanced text is left to the JSON parser.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    shape = _JSON_STRING.sub(b"", body).translate(None, _NOT_BRACKET)
    for _ in range(limit):
        peeled = shape.replace(b"[]", b"").replace(b"{}", b"")
        if peeled == shape:
            return False
        shape = peeled
    return b"[]" in shape or b"{}" in shape


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _has_body(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-length" and value.strip() not in (b"", b"0"):
            return True
        if name == b"transfer-encoding":
            return True
    return scope.get("method") in BODY_METHODS


class GuardMiddleware:
    """Refuse control characters in the target, oversized bodies and deeply nested JSON."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"")
        control = _CONTROL_BUT_LINES if scope.get("path") == "/sparql" else _CONTROL
        if _CONTROL_TEXT.search(scope.get("path", "")) or control.search(unquote_to_bytes(query)):
            await send_problem(scope, send, 400, "bad-request", "Bad request",
                               "control characters (such as NUL) are not allowed in the path "
                               "or query string")
            return
        if not _has_body(scope):
            await self.app(scope, receive, send)
            return
        length = _content_length(scope)
        if length is not None and length > self.max_body_bytes:
            await self._too_large(scope, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await self._too_large(scope, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if json_too_deep(body):
            await send_problem(scope, send, 400, "bad-request", "Bad request",
                               f"the JSON body is nested more than {MAX_JSON_DEPTH} levels deep")
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        await send_problem(scope, send, 413, "content-too-large", "Content too large",
                           f"the request body is larger than {self.max_body_bytes} bytes "
                           "(MIGKG_MAX_BODY_BYTES)")


class HeadMiddleware:
    """HEAD is GET without the body: same status and headers, Content-Length included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        started = ended = False

        async def without_body(message: Message) -> None:
            nonlocal started, ended
            if message["type"] == "http.response.start":
                started = True
            elif message["type"] == "http.response.body":
                if ended or message.get("more_body", False):
                    return  # nothing to say until the last chunk
                ended = True
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
        if started and not ended:  # the app stopped without a last body message
            await send({"type": "http.response.body", "body": b"", "more_body": False})


class SecurityHeadersMiddleware:
    """nosniff everywhere; CSP, Referrer-Policy and X-Frame-Options on HTML."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if b"x-content-type-options" not in names:
                    headers.append((b"x-content-type-options", b"nosniff"))
                content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
                if content_type.startswith(b"text/html"):
                    if b"content-security-policy" not in names:
                        headers.append((b"content-security-policy", DEFAULT_CSP.encode()))
                    headers += [h for h in HTML_HEADERS if h[0] not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
