"""Request heads are bounded and slow clients are closed (issue 19, item 7.2).

Each test talks over raw sockets to a real `migkg serve` process, so the uvicorn
configuration under test is the one users run (`api/server.py`), once with httptools
on uvloop and once with h11 on asyncio. The limits are made small through the
settings; a test waits at most five times a deadline for it to act, and asserts
outcomes and their order, never a speed.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from conftest import MINI, _free_port, migkg_serve

DEADLINE_S = 1.0  # MIGKG_HEADER_TIMEOUT_MS and MIGKG_BODY_TIMEOUT_MS
MAX_HEAD = 8192  # MIGKG_MAX_HEADER_BYTES
MAX_FIELDS = 20  # MIGKG_MAX_HEADERS
WAIT_S = 5 * DEADLINE_S
EARLY_S = 0.05  # a timer may fire a clock tick before its time
TRICKLE_S = 0.3  # a slow client's pace: a header line or a body byte (fields stay under the bound)


@dataclass
class Served:
    port: int
    log: Path


@pytest.fixture(scope="module", params=[("httptools", "uvloop"), ("h11", "asyncio")],
                ids=["httptools", "h11"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    http, loop = request.param
    tmp = tmp_path_factory.mktemp(f"limits-{http}")
    port = _free_port()
    env = {**os.environ, "MIGKG_HOME": str(tmp / "home"), "MIGKG_GRAPH": "limits",
           "MIGKG_SERVER_HTTP": http, "MIGKG_SERVER_LOOP": loop,
           "MIGKG_HEADER_TIMEOUT_MS": str(int(DEADLINE_S * 1000)),
           "MIGKG_BODY_TIMEOUT_MS": str(int(DEADLINE_S * 1000)),
           "MIGKG_MAX_HEADER_BYTES": str(MAX_HEAD), "MIGKG_MAX_HEADERS": str(MAX_FIELDS)}
    log = tmp / "serve.log"
    with migkg_serve(port, env, log, "--data", str(MINI)):
        yield Served(port, log)


# -- helpers -----------------------------------------------------------------------------------

def _connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=WAIT_S)


def _read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (a reset counts as a close)."""
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk


def _read_one(sock: socket.socket) -> bytes:
    """One answer with a Content-Length, on a connection that stays open."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")))
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def _ask(port: int, raw: bytes) -> bytes:
    with _connect(port) as sock:
        sock.sendall(raw)
        return _read_all(sock)


def _status(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
    return int(answer[9:12])


@dataclass
class Health:
    """`/health`, asked every 50 ms on a thread: when each answer came and its status."""

    port: int
    answers: list[tuple[float, int]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=30) as client:
            while not self.stop.is_set():
                status = client.get("/health").status_code
                self.answers.append((time.monotonic(), status))
                time.sleep(0.05)

    def after(self, moment: float) -> int:
        return sum(1 for at, _ in self.answers if at > moment)


@contextmanager
def health_meanwhile(port: int) -> Iterator[Health]:
    health = Health(port)
    thread = threading.Thread(target=health.run, daemon=True)
    thread.start()
    try:
        yield health
    finally:
        health.stop.set()
        thread.join(60)
    assert health.answers and {s for _, s in health.answers} == {200}, health.answers


def _wait_for(check: object, what: str) -> None:
    deadline = time.monotonic() + 60
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


# -- the head's size ---------------------------------------------------------------------------

def test_a_huge_header_is_refused_with_431_while_health_answers(served: Served) -> None:
    """64 MiB of one header, as in the issue: refused once past the bound, not read in full."""
    with health_meanwhile(served.port) as health:
        _wait_for(lambda: health.answers, "no /health answer")
        sock = _connect(served.port)
        sock.settimeout(30)
        sent = [0]

        def send() -> None:
            chunk = b"a" * 65536
            try:
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ")
                while sent[0] < 64 * 2**20:
                    sock.sendall(chunk)
                    sent[0] += len(chunk)
                sock.sendall(b"\r\n\r\n")
            except OSError:
                pass  # the server closed the connection: what this test expects

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        answer = _read_all(sock)
        refused = time.monotonic()
        sender.join(60)
        sock.close()
        _wait_for(lambda: health.after(refused), "no /health answer after the refusal")
    assert _status(answer) == 431, answer[:300]
    assert b"application/problem+json" in answer and b"MIGKG_MAX_HEADER_BYTES" in answer


def test_the_head_bounds_are_exact(served: Served) -> None:
    def head(size: int) -> bytes:
        start = b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Pad: "
        return start + b"a" * (size - len(start) - 4) + b"\r\n\r\n"

    def fields(n: int) -> bytes:  # Host and Connection are two of them
        pads = b"".join(b"X-%d: y\r\n" % i for i in range(n - 2))
        return b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + pads + b"\r\n"

    assert len(head(MAX_HEAD)) == MAX_HEAD
    assert _status(_ask(served.port, head(MAX_HEAD))) == 200
    over = _ask(served.port, head(MAX_HEAD + 1))
    assert _status(over) == 431 and b"MIGKG_MAX_HEADER_BYTES" in over
    assert _status(_ask(served.port, fields(MAX_FIELDS))) == 200
    over = _ask(served.port, fields(MAX_FIELDS + 1))
    assert _status(over) == 431 and b"MIGKG_MAX_HEADERS" in over
    long_line = b"GET /" + b"a" * MAX_HEAD + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    assert _status(_ask(served.port, long_line)) == 414


# -- slow clients ------------------------------------------------------------------------------

@dataclass
class Slow:
    """A connection that sends its head, or its body, a little at a time, or nothing."""

    kind: str  # "head", "body" or "silent"
    sock: socket.socket
    opened: float
    answer: bytes = b""
    closed: float | None = None
    sent: int = 0

    def trickle(self) -> None:
        if time.monotonic() - self.opened < TRICKLE_S * self.sent:
            return
        self.sent += 1
        try:
            self.sock.sendall(b"X-Slow: y\r\n" if self.kind == "head" else b" ")
        except OSError:
            pass  # closed: `poll` notices

    def poll(self) -> None:
        try:
            chunk = self.sock.recv(65536)
        except BlockingIOError:
            return
        except ConnectionResetError:
            chunk = b""
        if chunk:
            self.answer += chunk
        else:
            self.closed = time.monotonic()
            self.sock.close()


OPENINGS = {
    "head": b"GET /health HTTP/1.1\r\nHost: x\r\n",
    "body": (b"POST /v1/cypher HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             b"Content-Length: 1000\r\n\r\n{"),
    "silent": b"",
}


def test_slow_heads_bodies_and_silent_connections_are_closed_after_their_deadline(
        served: Served) -> None:
    with health_meanwhile(served.port) as health:
        slow: list[Slow] = []
        for kind in ("head", "body", "silent"):
            for _ in range(20):
                opened = time.monotonic()
                sock = _connect(served.port)
                sock.sendall(OPENINGS[kind])
                sock.setblocking(False)
                slow.append(Slow(kind, sock, opened))
        all_open = time.monotonic()
        give_up = all_open + WAIT_S
        while any(s.closed is None for s in slow) and time.monotonic() < give_up:
            for s in slow:
                if s.closed is None:
                    s.poll()
                if s.closed is None and s.kind != "silent":
                    s.trickle()  # activity does not extend a deadline
            time.sleep(0.1)
        for s in slow:
            if s.closed is None:
                s.sock.close()
        first_close = min((s.closed for s in slow if s.closed is not None), default=time.monotonic())
    held = [s.kind for s in slow if s.closed is None]
    assert not held, f"{len(held)} connections still held after {WAIT_S} s: {held}"
    for s in slow:
        assert s.closed is not None and s.closed - s.opened >= DEADLINE_S - EARLY_S, s
        if s.kind == "silent":
            assert s.answer == b"", s.answer  # nothing asked, nothing answered
        else:
            assert _status(s.answer) == 408, s.answer[:300]
            setting = b"MIGKG_HEADER_TIMEOUT_MS" if s.kind == "head" else b"MIGKG_BODY_TIMEOUT_MS"
            assert setting in s.answer
    assert any(all_open < at < first_close for at, _ in health.answers), \
        "no /health answer while they were all held"
    assert health.after(first_close), "no /health answer after they were closed"


def test_a_request_in_pieces_within_its_deadlines_is_served(served: Served) -> None:
    """Head and body over several reads, a keep-alive pause longer than a deadline, then a
    second request: the deadlines count from each request's first byte, not the connection's."""
    body = b'{"query": "RETURN 1 AS x"}'
    pieces = [b"POST /v1/cypher HTTP/1.1\r\nHost: x\r\n", b"Content-Type: application/json\r\n",
              b"Content-Length: %d\r\n\r\n" % len(body), body[:10], body[10:]]
    with _connect(served.port) as sock:
        for piece in pieces:
            sock.sendall(piece)
            time.sleep(DEADLINE_S / 10)
        first = _read_one(sock)
        assert _status(first) == 200 and b'"x":1' in first.replace(b" ", b""), first
        time.sleep(1.5 * DEADLINE_S)  # idle, under uvicorn's 5 s keep-alive
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        second = _read_all(sock)
    assert _status(second) == 200, second


def test_an_answer_before_the_body_ends_the_connection_at_the_deadline(served: Served) -> None:
    """A 413 answered from Content-Length alone, the body never sent: one answer, then a
    close at the body's deadline, and no 408 after the 413."""
    with _connect(served.port) as sock:
        sock.sendall(b"POST /v1/cypher HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100000000\r\n\r\n")
        answer = _read_all(sock)  # a TimeoutError past WAIT_S: the connection was held
    assert _status(answer) == 413, answer[:300]
    assert answer.count(b"HTTP/1.1 ") == 1, answer
