"""ETag and Cache-Control on successful GET responses; 304 on a matching If-None-Match.

Pure ASGI: the response start is held back until the body is complete, then sent
with its ETag (or replaced by a 304). Responses that are not cacheable pass through
untouched, chunk by chunk.
"""

from __future__ import annotations

import hashlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Liveness must not be cached; exports set their own ETag (by graph digest) and the
# N-Triples one streams, so it must not be buffered to hash it.
NO_CACHE_PREFIXES = ("/health", "/ready", "/v1/export")


def etag_matches(etag: str, if_none_match: str) -> bool:
    """Whether an If-None-Match header names `etag` (weak comparison, or `*`)."""
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


class CachingMiddleware:
    def __init__(self, app: ASGIApp, max_age: int) -> None:
        self.app = app
        self.max_age = max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] != "GET"
                or scope["path"].startswith(NO_CACHE_PREFIXES)):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []
        passthrough = False

        async def buffered(message: Message) -> None:
            nonlocal start, passthrough
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                if message["status"] != 200 or b"etag" in names:
                    passthrough = True
                    await send(message)
                else:
                    start = message
                return
            if passthrough or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                await self._finish(scope, send, start or {}, b"".join(chunks))

        await self.app(scope, receive, buffered)

    async def _finish(self, scope: Scope, send: Send, start: Message, body: bytes) -> None:
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        cache_control = next((v for k, v in headers if k.lower() == b"cache-control"), None)
        if cache_control is None:
            cache_control = f"public, max-age={self.max_age}".encode()
            headers.append((b"cache-control", cache_control))
        if etag_matches(etag, _header(scope, b"if-none-match")):
            await send({"type": "http.response.start", "status": 304,
                        "headers": [(b"etag", etag.encode()), (b"cache-control", cache_control)]})
            await send({"type": "http.response.body", "body": b""})
            return
        headers += [(b"etag", etag.encode()), (b"content-length", str(len(body)).encode())]
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})
