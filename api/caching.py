"""ETag, Cache-Control and a response cache keyed by the graph's digest, as pure ASGI.

Successful GET responses get an ETag and Cache-Control, or a 304 on a matching
If-None-Match: the response start is held back until the body is complete. Responses
that are not cacheable pass through untouched, chunk by chunk.

The graph is read-mostly and versioned by the digest in its `_Meta` node, so a
successful answer is kept, in memory, under (path, query, Accept, Origin, digest, and
the day: an answer may say that a planned date has passed, `status_now`) and
served again without touching the app or the engine (the releases' files are part of
the key: entity pages carry each fact's releases). The digest is read at most once
per `digest_check_ms`, and at once after a load in this process (`graph.meta.wrote`);
a load by another process is noticed within `digest_check_ms`. The cache is an LRU
bounded in bytes (`MIGKG_RESPONSE_CACHE_BYTES`). Errors, ad-hoc queries (`/v1/cypher`,
`/sparql`), health and the exports (cached as files, `api/export_files.py`) are not kept.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from typing import Any

import anyio
import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.meta import read_meta, writes_seen
from migkg.dates import today

log = logging.getLogger(__name__)

# Liveness must not be cached; exports set their own ETag (by graph digest) and the
# N-Triples one streams, so it must not be buffered to hash it.
NO_CACHE_PREFIXES = ("/health", "/ready", "/v1/export")
# Answers that are computed afresh every time: ad-hoc queries (bounded by their own
# timeouts) and anything that does not depend on the graph alone.
NOT_KEPT_PREFIXES = ("/v1/cypher", "/sparql")
Entry = tuple[list[tuple[bytes, bytes]], bytes, str]  # headers, body, etag


def etag_of(body: bytes) -> str:
    """The strong ETag of an answer's body."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(etag: str, if_none_match: str) -> bool:
    """Whether an If-None-Match header names `etag` (weak comparison, or `*`)."""
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


class ResponseCache:
    """Least recently used answers, at most `max_bytes` of bodies and headers in all."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[tuple[Any, ...], tuple[Entry, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: tuple[Any, ...]) -> Entry | None:
        found = self._entries.get(key)
        if found is None:
            return None
        self._entries.move_to_end(key)
        return found[0]

    def put(self, key: tuple[Any, ...], entry: Entry) -> None:
        cost = len(entry[1]) + sum(len(k) + len(v) for k, v in entry[0]) + 200
        if cost > self.max_bytes // 4:  # one answer never evicts most of the others
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self.size -= old[1]
        self._entries[key] = (entry, cost)
        self.size += cost
        while self.size > self.max_bytes:
            _, (_, freed) = self._entries.popitem(last=False)
            self.size -= freed


class GraphDigest:
    """The loaded graph's digest, read from `_Meta` at most once per `every_ms`."""

    def __init__(self, every_ms: int) -> None:
        self.every = every_ms / 1000
        self.value: str | None = None
        self._read_at = float("-inf")
        self._writes = -1
        self._lock: anyio.Lock | None = None

    def _fresh(self) -> bool:
        return time.monotonic() - self._read_at < self.every and self._writes == writes_seen()

    async def current(self, scope: Scope) -> str | None:
        if self._fresh():
            return self.value
        backend = getattr(getattr(scope.get("app"), "state", None), "backend", None)
        if backend is None:  # not started yet, or the graph is still loading
            return None
        if self._lock is None:
            self._lock = anyio.Lock()
        if self._lock.locked() and self._writes == writes_seen():
            # Another request is re-reading it: answer by the digest known a moment ago
            # rather than queue every request behind the engine once a second.
            return self.value
        async with self._lock:
            if not self._fresh():
                writes, read_at = writes_seen(), time.monotonic()
                try:
                    meta = await anyio.to_thread.run_sync(read_meta, backend)
                except Exception as err:  # noqa: BLE001 - the request itself will say what is wrong
                    log.debug("graph digest not read: %s", err)
                    meta = {}
                digest = meta.get("digest")
                # Entity pages carry each fact's releases (`first_seen`): a new release
                # changes answers without a load.
                releases = getattr(scope["app"].state, "releases", None)
                stamp = await anyio.to_thread.run_sync(releases.stamp) if releases else ""
                self.value = f"{digest}|{meta.get('loaded_at')}|{stamp}" if digest else None
                self._read_at, self._writes = read_at, writes
            return self.value


class CachingMiddleware:
    def __init__(self, app: ASGIApp, max_age: int, cache_bytes: int = 0,
                 digest_check_ms: int = 1000) -> None:
        self.app = app
        self.max_age = max_age
        self.cache = ResponseCache(cache_bytes) if cache_bytes > 0 else None
        self.digest = GraphDigest(digest_check_ms)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] != "GET"
                or scope["path"].startswith(NO_CACHE_PREFIXES)):
            await self.app(scope, receive, send)
            return
        key: tuple[Any, ...] | None = None
        if self.cache is not None and not scope["path"].startswith(NOT_KEPT_PREFIXES):
            digest = await self.digest.current(scope)
            if digest is not None:
                # today: an answer says whether a planned date has passed (status_now)
                key = (scope["path"], scope.get("query_string", b""), _header(scope, b"accept"),
                       _header(scope, b"origin"), digest, today())
                entry = self.cache.get(key)
                if entry is not None:
                    await self._send(scope, send, *entry)
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
                await self._finish(scope, send, start or {}, b"".join(chunks), key)

        await self.app(scope, receive, buffered)

    async def _finish(self, scope: Scope, send: Send, start: Message, body: bytes,
                      key: tuple[Any, ...] | None) -> None:
        etag = etag_of(body)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        cache_control = next((v for k, v in headers if k.lower() == b"cache-control"), None)
        if cache_control is None:
            cache_control = f"public, max-age={self.max_age}".encode()
            headers.append((b"cache-control", cache_control))
        headers += [(b"etag", etag.encode()), (b"content-length", str(len(body)).encode())]
        if (key is not None and self.cache is not None and b"no-store" not in cache_control
                and not any(k.lower() == b"set-cookie" for k, _ in headers)):
            self.cache.put(key, (headers, body, etag))
        await self._send(scope, send, headers, body, etag)

    @staticmethod
    async def _send(scope: Scope, send: Send, headers: list[tuple[bytes, bytes]], body: bytes,
                    etag: str) -> None:
        if etag_matches(etag, _header(scope, b"if-none-match")):
            keep = [(k, v) for k, v in headers if k in (b"etag", b"cache-control", b"vary")]
            await send({"type": "http.response.start", "status": 304, "headers": keep})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
