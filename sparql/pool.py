"""Worker processes for SPARQL queries, killed at the deadline and replaced.

Oxigraph has no query timeout and a Python thread cannot be stopped, so each
query runs in a child process (`sparql/worker.py`). The server waits for its
answer until the deadline (`graph/guard.py`'s, as for the Cypher console), then
SIGKILLs it and starts a fresh one in the background. At most `size` queries
run at once; more are refused with 429 at once rather than queued.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from graph.errors import timed_out
from graph.guard import deadline_seconds
from migkg.exc import BackendUnavailable, TooBusy

log = logging.getLogger(__name__)
STARTUP_SECONDS = 30.0
READY = b"ready"
HEAD_BYTES = 1 << 20  # a reply's head is a small JSON object


@dataclass
class Reply:
    head: dict[str, Any]
    body: bytes
    seconds: float


class _Overrun(Exception):
    pass


class WorkerProcess:
    """One `python -m sparql.worker` child and its two pipes."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 - our own module, no shell
            [sys.executable, "-m", "sparql.worker"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, close_fds=True,
            # Out of the terminal's process group, as the engines are: Ctrl+C stops the
            # server, which stops its workers; a worker whose server died sees EOF and ends.
            start_new_session=True)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._send = Connection(os.dup(self.proc.stdin.fileno()), readable=False)
        self._recv = Connection(os.dup(self.proc.stdout.fileno()), writable=False)
        self.proc.stdin.close()
        self.proc.stdout.close()

    def wait_ready(self, timeout: float = STARTUP_SECONDS) -> None:
        """Wait until the child has imported its modules (slow on a busy machine), so that
        start-up is not counted against a query's deadline."""
        if not self._recv.poll(timeout) or self._recv.recv_bytes() != READY:
            self.kill()
            raise BackendUnavailable(f"the SPARQL worker did not start within {timeout:.0f} s")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def ask(self, request: dict[str, Any], deadline: float) -> tuple[dict[str, Any], bytes]:
        """Send one request and wait for its answer until `deadline` seconds have passed.

        The answer is at most the request's `max_bytes` (the worker holds it to them):
        a longer message is not read, and the worker is taken for broken (OSError).
        """
        self._send.send_bytes(json.dumps(request).encode())
        if not self._recv.poll(deadline):
            raise _Overrun
        head = json.loads(self._recv.recv_bytes(HEAD_BYTES))
        limit = int(request.get("max_bytes") or 0)
        return head, self._recv.recv_bytes(limit + 1 if limit else None)

    def kill(self) -> None:
        try:
            self.proc.kill()
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.close()

    def close(self) -> None:
        for conn in (self._send, self._recv):
            try:
                conn.close()
            except OSError:
                pass


class WorkerPool:
    """Up to `size` workers; idle ones are kept for the next query."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.kills = 0
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._idle: list[WorkerProcess] = []
        self._all: set[WorkerProcess] = set()
        self._stopped = False

    def _take(self) -> WorkerProcess:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        worker = WorkerProcess()
        with self._lock:
            self._all.add(worker)
        try:
            worker.wait_ready()
        except (BackendUnavailable, EOFError, OSError) as err:
            with self._lock:
                self._all.discard(worker)
            worker.kill()
            raise BackendUnavailable(f"the SPARQL worker could not start: {err}") from err
        return worker

    def _give(self, worker: WorkerProcess) -> None:
        with self._lock:
            keep = not self._stopped and len(self._idle) < self.size
            if keep:
                self._idle.append(worker)
            else:
                self._all.discard(worker)
        if not keep:
            worker.kill()

    def _drop(self, worker: WorkerProcess) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def warm(self) -> None:
        """Start a worker in the background if none is idle, so the next query need not wait."""
        def start() -> None:
            with self._lock:
                if self._idle or self._stopped:
                    return
            try:
                self._give(self._take())
            except BackendUnavailable as err:
                log.warning("%s", err)

        threading.Thread(target=start, name="sparql-warm", daemon=True).start()

    def run(self, request: dict[str, Any], timeout_ms: int, wait: float | None = None) -> Reply:
        """Run one request on a free worker; 429 when all are busy, 504 past the deadline
        (`wait` seconds from now when given: what is left of the request's deadline; a
        worker's start-up is not counted against it)."""
        if not self._slots.acquire(blocking=False):
            raise TooBusy(f"{self.size} SPARQL queries are already running; try again in a moment",
                          headers={"Retry-After": "1"})
        try:
            taking = time.perf_counter()
            worker = self._take()
            deadline = (deadline_seconds(timeout_ms) if wait is None
                        else wait + time.perf_counter() - taking)
            started = time.perf_counter()
            try:
                head, body = worker.ask(request, deadline)
            except _Overrun:
                self.kills += 1
                log.warning("killing SPARQL worker %s: a query overran its %.2f s deadline",
                            worker.pid, deadline)
                self._drop(worker)
                self.warm()
                raise timed_out(timeout_ms) from None
            except (EOFError, OSError) as err:
                self._drop(worker)
                self.warm()
                raise BackendUnavailable("the SPARQL worker stopped while the query ran "
                                         "(out of memory?); try again") from err
            self._give(worker)
            return Reply(head, body, time.perf_counter() - started)
        finally:
            self._slots.release()

    def stop(self) -> None:
        """End every worker, idle or busy (a busy one's query then fails at once)."""
        with self._lock:
            self._stopped = True
            workers = list(self._all)
            self._all.clear()
            self._idle.clear()
        for worker in workers:
            worker.kill()
