"""How `migkg serve` runs the app: uvicorn's options, and HTTP/1.1 protocols with bounds.

uvicorn reads a request head without limit under httptools (a 64 MiB header was read
in full and answered 200 after 9 s, `/health` waiting 6.7 s meanwhile), refuses one
over 16 KiB with a 400 under h11, and under either parser never times out a client
that sends its head or body slowly, or nothing at all. The protocols here are
uvicorn's own for either parser with three bounds added, all in `docs/operations.md`:

- **the head**, counted on the raw bytes before the parser sees them: at most
  `MIGKG_MAX_HEADER_BYTES` (request line and headers) and `MIGKG_MAX_HEADERS` fields.
  Past either, 431 (414 while still in the request line) and the connection closes.
- **the time to send the head**, `MIGKG_HEADER_TIMEOUT_MS` from the connection's start
  (or a later request's first byte) to the blank line: past it, 408, or a plain close
  on a connection that sent nothing.
- **the time to send the body**, `MIGKG_BODY_TIMEOUT_MS` from the end of the head to
  the body's last byte: past it, 408 (unless an answer has started) and a close.

Both deadlines are totals, not idle times: trickling a byte a second does not extend
them. A timer exists only while a head or body spans more than one read, so a request
that arrives whole costs two clock reads and no timer.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus
from typing import Any, ClassVar

from api.problems import problem_bytes
from migkg.settings import Settings

log = logging.getLogger("uvicorn.error")

IDLE, HEAD, BODY = 0, 1, 2  # what the connection is waiting for: nothing, a head, a body
LINGER_S = 0.5  # after an error answer, read and drop this long, so the client reads it
_HEAD_END = re.compile(rb"\n\r?\n")  # the blank line that ends a head (CRLF or a bare LF)


@dataclass(frozen=True)
class Limits:
    """The bounds of one server, from its settings."""

    head_bytes: int
    headers: int
    head_timeout: float  # seconds
    body_timeout: float

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(settings.max_header_bytes, settings.max_headers,
                   settings.header_timeout_ms / 1000, settings.body_timeout_ms / 1000)


class _Bounds(asyncio.Protocol):
    """The bounds, over a uvicorn HTTP protocol (the class that follows this one in the MRO).

    The subclass for each parser moves `_phase` as its parser reports a head or a body
    complete; this class counts the head's bytes and keeps the deadlines.
    """

    limits: ClassVar[Limits]
    # What uvicorn's protocols hold and these bounds use.
    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    cycle: Any
    server_state: Any
    client: Any

    _phase = IDLE
    _since = 0.0  # loop time the phase began
    _timer: asyncio.TimerHandle | None = None
    _refused = False
    _head_bytes = 0
    _head_lines = 0
    _request_line = 0  # bytes of the head's first line
    _head_ended = False  # the raw bytes held the blank line
    _tail = b""  # the head's last two bytes, for a blank line split across reads

    # -- asyncio.Protocol ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._begin(HEAD)
        self._arm()  # a connection that sends nothing is closed at the head's deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # an error answer is out: what else comes is dropped until the close
        if self._phase == IDLE:
            self._begin(HEAD)
        if self._phase == HEAD and not self._head_ended:
            refusal = self._count_head(data)
            if refusal is not None:
                self._refuse(*refusal)
                return
        super().data_received(data)
        if self.transport.is_closing():
            self._cancel()
        elif self._phase == HEAD and self._head_ended:
            # The bytes held a blank line that the parser did not take as the head's end:
            # the two disagree about this request, so it is not served.
            self._refuse(400, "the request head is malformed")
        elif self._phase != IDLE and self._timer is None:
            self._arm()  # a head or body that spans reads: now it needs its deadline

    # -- the head's size ------------------------------------------------------------------------

    def _count_head(self, data: bytes) -> tuple[int, str] | None:
        """Count `data` into the head; the status and detail to refuse it with, or None."""
        if not self._head_bytes:
            data = data.lstrip(b"\r\n")  # blank lines before a request line are skipped
            if not data:
                return None
        window = self._tail + data if self._tail else data
        end = _HEAD_END.search(window)
        if end is not None:
            data = data[: end.end() - len(self._tail)]
            self._head_ended = True
        if not self._head_lines:
            newline = data.find(b"\n")
            self._request_line += len(data) if newline < 0 else newline + 1
        self._head_bytes += len(data)
        self._head_lines += data.count(b"\n")
        self._tail = window[-2:]
        lim = self.limits
        fields = self._head_lines - (2 if self._head_ended else 1)  # less the request line
        if fields > lim.headers:
            return 431, f"a request may have at most {lim.headers} header fields (MIGKG_MAX_HEADERS)"
        if self._head_bytes > lim.head_bytes:
            if self._request_line > lim.head_bytes:
                return 414, f"the request line is longer than {lim.head_bytes} bytes"
            return 431, (f"the request head is larger than {lim.head_bytes} bytes "
                         "(MIGKG_MAX_HEADER_BYTES)")
        return None

    # -- the deadlines ----------------------------------------------------------------------------

    def _begin(self, phase: int) -> None:
        """Wait for `phase` from now on; a timer is armed only if it outlasts this read."""
        self._cancel()
        self._phase = phase
        if phase == IDLE:
            return
        self._since = self.loop.time()
        if phase == HEAD:
            self._head_bytes = self._head_lines = self._request_line = 0
            self._head_ended, self._tail = False, b""

    def _arm(self) -> None:
        wait = self.limits.head_timeout if self._phase == HEAD else self.limits.body_timeout
        self._timer = self.loop.call_at(self._since + wait, self._timed_out)

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _answering(self) -> bool:
        """An earlier request's answer is still being made (a pipelined head waits for it)."""
        cycle = self.cycle
        return cycle is not None and not cycle.response_complete

    def _timed_out(self) -> None:
        self._timer = None
        if self.transport.is_closing() or self._refused:
            return
        if self._phase == HEAD:
            if self._answering():  # not this client's delay: look again a deadline later
                self._timer = self.loop.call_later(self.limits.head_timeout, self._timed_out)
            elif self._head_bytes:
                self._refuse(408, f"the request head did not arrive within "
                             f"{self.limits.head_timeout:g} s (MIGKG_HEADER_TIMEOUT_MS)")
            else:
                self.transport.close()  # it never said anything: nothing to answer
        elif self._phase == BODY:
            if self.cycle is not None and self.cycle.response_complete:
                self.transport.close()  # answered without its body (a 413): nothing more to say
                return
            self._refuse(408, f"the request body did not arrive within "
                         f"{self.limits.body_timeout:g} s (MIGKG_BODY_TIMEOUT_MS)")

    # -- refusing ---------------------------------------------------------------------------------

    def _refuse(self, status: int, detail: str) -> None:
        """Answer `status` as problem+json (unless an answer has started), then close."""
        self._refused = True
        self._cancel()
        log.info("%s: %d %s", _peer(self.client), status, detail)
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True  # the app's answer, if it comes, goes nowhere
            cycle.message_event.set()  # and a `receive()` it waits on says so
            if cycle.response_started:
                self.transport.close()
                return
        phrase = HTTPStatus(status).phrase
        body = problem_bytes("", status, phrase.lower().replace(" ", "-"), phrase, detail)
        head = [f"HTTP/1.1 {status} {phrase}\r\n".encode()]
        head += [name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers]
        head += [b"content-type: application/problem+json\r\n",
                 b"content-length: %d\r\n" % len(body),
                 b"x-content-type-options: nosniff\r\n", b"connection: close\r\n\r\n"]
        self.transport.write(b"".join(head) + body)
        if self.transport.can_write_eof():
            self.transport.write_eof()  # the answer, then FIN; what the client still sends is dropped
        self._timer = self.loop.call_later(LINGER_S, self.transport.close)


def _peer(client: Any) -> str:
    return f"{client[0]}:{client[1]}" if client else "a client"


# -- one subclass per parser ------------------------------------------------------------------


def _httptools() -> type[asyncio.Protocol]:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class BoundedHttpTools(_Bounds, HttpToolsProtocol):
        """httptools reports the head and the message complete through callbacks."""

        def on_headers_complete(self) -> None:
            super().on_headers_complete()
            self._begin(BODY)

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._begin(IDLE)

    return BoundedHttpTools


def _h11() -> type[asyncio.Protocol]:
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class BoundedH11(_Bounds, H11Protocol):
        """h11 says where the client is in its `their_state` once its events are handled."""

        def handle_events(self) -> None:
            super().handle_events()
            state = self.conn.their_state
            if state is h11.SEND_BODY:
                if self._phase != BODY:
                    self._begin(BODY)
            elif state is not h11.IDLE and self._phase != IDLE:
                self._begin(IDLE)

    return BoundedH11


@lru_cache(maxsize=8)
def protocol_class(parser: str, limits: Limits) -> type[asyncio.Protocol]:
    """uvicorn's protocol for `parser` (`auto`, `httptools`, `h11`) with `limits`."""
    base: type[asyncio.Protocol] | None = None
    if parser in ("auto", "httptools"):
        try:
            base = _httptools()
        except ImportError:
            if parser == "httptools":
                raise
    if base is None:
        base = _h11()
    return type(base.__name__, (base,), {"limits": limits, "__doc__": base.__doc__})


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The keyword arguments of `uvicorn.run` for `migkg serve`, but the app, host and port.

    One process: it owns the embedded engine and its load lock (more workers would each
    take the engine over); uvloop and httptools make that one process cheap per request.
    In-flight requests get a few seconds at shutdown; an ad-hoc query still running then
    ends with its console engine, which the app stops. No WebSocket: the API has none.
    """
    return {
        "log_level": "info", "timeout_graceful_shutdown": 3, "access_log": settings.access_log,
        "loop": settings.server_loop, "ws": "none",
        "http": protocol_class(settings.server_http, Limits.of(settings)),
        # h11's own bound on a head, behind ours (which answers 431 before it is reached)
        "h11_max_incomplete_event_size": settings.max_header_bytes,
    }
