"""Ad-hoc answers (Cypher console, SPARQL): encoded off the event loop, sent within the deadline.

An ad-hoc query has one deadline, set when its request arrives (graph/budget.py), and
it covers the engine, the transfer and decoding, the encoding here and the sending:

- `cypher_body` turns a console result into the collection envelope (JSON by orjson)
  or CSV in the worker thread that read it, so the event loop never encodes a large
  answer; the encoded body is held to the bytes budget too, and to the clock.
- `BoundedResponse` sends a body in chunks of 64 KiB, each once uvicorn's flow control
  says the client took the last, until the deadline, and at least `SEND_FLOOR` seconds
  (so an answer ready at the last moment still reaches a client that reads it at
  once). Past it the rest is dropped and the connection closed: a client that reads
  slowly, or not at all, holds no thread, at most a chunk beyond the body in the
  server's buffers, and all of it only until then.
- Memory goes back to the system after large answers. glibc raises its mmap threshold
  to the largest block freed (up to 32 MiB), so once a large reply had been freed, the
  next ones came from heaps that it keeps: a serve that had answered four large
  queries stayed at 1.2 GB. `return_memory_to_the_system` (at the app's start) fixes
  the threshold at `MMAP_THRESHOLD`, so large blocks are mapped and unmapped, and after
  a large answer, or one refused for its size, `malloc_trim` gives back the rest.
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Callable
from typing import Any

import anyio
import anyio.to_thread
import orjson
from dateutil.relativedelta import relativedelta
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from api.caching import _header, etag_matches
from api.collections import CSV_MEDIA_TYPE, csv_disposition, csv_lines
from graph.backend import GraphBackend, Result
from graph.budget import Budget, too_large
from migkg.exc import AnswerTooLarge, QueryTimeout

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
SEND_FLOOR = 1.0  # seconds the sending gets at least, however late the answer was ready
TRIM_AFTER = 1 * 2**20  # answers of this many bytes or more give memory back afterwards
MMAP_THRESHOLD = 1 * 2**20  # blocks this large are mapped apart, and unmapped when freed
_M_MMAP_THRESHOLD = -3  # mallopt's parameter number (malloc.h)


def _libc() -> Any:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: nothing to ask
        return None


_LIBC = _libc()


def return_memory_to_the_system() -> None:
    """Fix glibc's mmap threshold (`MMAP_THRESHOLD`), so freed large blocks go back to
    the system instead of staying in the heap; once per process, at the app's start."""
    if _LIBC is not None and hasattr(_LIBC, "mallopt"):
        _LIBC.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def _trimmer() -> Callable[[], Any] | None:
    trim = getattr(_LIBC, "malloc_trim", None)
    if trim is None:
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return lambda: trim(0)


_TRIM = _trimmer()


def release_memory() -> None:
    """Give the memory freed by a large answer back to the system (glibc's malloc_trim);
    call it from a worker thread: it takes milliseconds on a large heap."""
    if _TRIM is not None:
        _TRIM()


def _duration(value: relativedelta) -> str:
    """FalkorDB's durations as ISO 8601 (`P1DT2H`), as Neo4j gives them."""
    date = "".join(f"{n}{u}" for n, u in ((value.years, "Y"), (value.months, "M"),
                                          (value.days, "D")) if n)
    seconds = value.seconds + value.microseconds / 1e6
    time = "".join(f"{n}{u}" for n, u in ((value.hours, "H"), (value.minutes, "M"),
                                          (seconds, "S")) if n)
    return "P" + (date or ("" if time else "0D")) + (f"T{time}" if time else "")


def _default(value: Any) -> Any:
    if isinstance(value, relativedelta):
        return _duration(value)
    return str(value)


def cypher_body(res: Result, budget: Budget, *, row_cap: int, as_csv: bool,
                filename: str = "cypher") -> tuple[bytes, str, dict[str, str]]:
    """The console's answer as the collection envelope (`api.models.Rows`) or CSV: body,
    media type, headers. Raises 422 past the bytes budget and 504 past the deadline."""
    if as_csv:
        body = "".join(csv_lines(res.columns, res.rows)).encode()
        media, headers = CSV_MEDIA_TYPE, csv_disposition(filename)
    else:
        body = orjson.dumps({
            "total": len(res.rows), "limit": row_cap, "offset": 0, "next": None, "prev": None,
            "columns": res.columns,
            "items": [dict(zip(res.columns, row, strict=True)) for row in res.rows],
            "truncated": res.truncated,
        }, default=_default, option=orjson.OPT_UTC_Z)  # UTC as "Z", as pydantic writes it
        media, headers = "application/json", {}
    if len(body) > budget.max_bytes:
        raise too_large("bytes", budget.max_bytes)
    budget.check_time()
    return body, media, headers


def read_cypher(backend: GraphBackend, query: str, params: dict[str, Any], budget: Budget, *,
                timeout_ms: int, row_cap: int, as_csv: bool) -> tuple[bytes, str, dict[str, str]]:
    """In a worker thread: run one console statement and read, decode and encode its answer,
    all within `budget` (see `cypher_body`)."""
    try:
        res = backend.console_read(query, params, timeout_ms=timeout_ms, row_cap=row_cap,
                                   budget=budget)
        return cypher_body(res, budget, row_cap=row_cap, as_csv=as_csv)
    except (AnswerTooLarge, QueryTimeout):
        release_memory()  # what the refused answer took is free by now: give it back
        raise


class BoundedResponse(Response):
    """An encoded answer, sent chunk by chunk as the client takes it, until the deadline.

    With an `etag` (GET answers) it also answers a matching If-None-Match with 304, as
    the caching middleware does for the answers it buffers, which it then lets pass.
    """

    def __init__(self, body: bytes, budget: Budget, *, media_type: str,
                 headers: dict[str, str] | None = None, etag: str | None = None) -> None:
        headers = dict(headers or {})
        if etag is not None:
            headers["ETag"] = etag
        super().__init__(body, headers=headers, media_type=media_type)
        self.budget = budget
        self.etag = etag

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.etag is not None and etag_matches(self.etag, _header(scope, b"if-none-match")):
            keep = [(k, v) for k, v in self.raw_headers
                    if k in (b"etag", b"cache-control", b"vary")]
            await send({"type": "http.response.start", "status": 304, "headers": keep})
            await send({"type": "http.response.body", "body": b""})
            return
        body, self.body = self.body, b""
        await send({"type": "http.response.start", "status": self.status_code,
                    "headers": self.raw_headers})
        sent = 0
        with anyio.move_on_after(max(self.budget.remaining(), SEND_FLOOR)):
            view = memoryview(body)
            while sent < len(body):
                chunk = bytes(view[sent:sent + CHUNK])
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                sent += len(chunk)
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        size = len(body)
        del body, view
        if sent < size:
            log.warning("the client took %d of %d bytes of an answer before its deadline; the "
                        "rest was dropped and the connection closed", sent, size)
        if size >= TRIM_AFTER:
            await anyio.to_thread.run_sync(release_memory)
