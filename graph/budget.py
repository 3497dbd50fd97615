"""An ad-hoc answer's budget: bytes, values (cells), nesting and one deadline, counted as it is read.

A row cap alone does not bound an answer: one row can hold a list of ten million
integers or a string of 256 MB, and the time then goes into moving, decoding and
encoding it, outside the engine's timeout. So every answer of the Cypher console
(either engine) and of the SPARQL endpoint is counted while it is read:

- **bytes** as the engine sends them: FalkorDB's reply and Neo4j's Bolt messages are
  counted at the socket, before anything is decoded; SPARQL results as the worker
  serializes them; and the encoded answer the API sends;
- **cells**: every value counts one (a row's column, each list element, each map
  entry, each property of a node or relationship), and so do the characters of text
  (against the bytes);
- **nesting**: lists and maps at most `MAX_DEPTH` deep (the JSON body of a request may
  nest 32 deep, too);
- **time**: one deadline, set when the request arrives, covers the engine, the
  transfer, decoding, encoding and sending.

The first byte or cell over the budget stops the read, and the engine-side work is
ended (the connection that carries the answer is closed; see the backends), so what
the server holds for an answer is bounded by the budget, per console slot: its bytes,
and its decoded values (a few times as many bytes as Python objects) for as long as
it takes to encode them.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from graph.errors import timed_out
from graph.guard import deadline_seconds
from migkg.exc import AnswerTooLarge
from migkg.settings import CONSOLE_MAX_BYTES, CONSOLE_MAX_CELLS, Settings

MAX_DEPTH = 32
NARROW = ("return fewer or smaller values: add LIMIT, return properties or ids instead of "
          "whole nodes and paths, or aggregate (count, size, collect of fewer values)")
_CHECK_EVERY = 2048  # cells between two looks at the clock


@dataclass(frozen=True)
class Budget:
    """What one answer may take; `deadline` is a `time.monotonic()` instant, or None."""

    max_bytes: int = CONSOLE_MAX_BYTES
    max_cells: int = CONSOLE_MAX_CELLS
    max_depth: int = MAX_DEPTH
    deadline: float | None = None
    timeout_ms: int | None = None

    @classmethod
    def starting_now(cls, timeout_ms: int, max_bytes: int = CONSOLE_MAX_BYTES,
                     max_cells: int = CONSOLE_MAX_CELLS) -> Budget:
        """A budget whose deadline is the console's (graph/guard.py) from this moment."""
        return cls(max_bytes, max_cells).with_deadline(timeout_ms)

    @classmethod
    def for_console(cls, settings: Settings) -> Budget:
        """The console's budget as configured (`MIGKG_CONSOLE_MAX_*`, `MIGKG_QUERY_TIMEOUT_MS`),
        its deadline starting now: one ad-hoc Cypher or SPARQL answer's."""
        return cls.starting_now(settings.query_timeout_ms, settings.console_max_bytes,
                                settings.console_max_cells)

    def with_deadline(self, timeout_ms: int) -> Budget:
        """This budget, given the console's deadline from now if it has none yet."""
        if self.deadline is not None:
            return self
        return Budget(self.max_bytes, self.max_cells, self.max_depth,
                      time.monotonic() + deadline_seconds(timeout_ms), timeout_ms)

    def remaining(self) -> float:
        """Seconds left before the deadline (never negative; a day without one)."""
        if self.deadline is None:
            return 86_400.0
        return max(0.0, self.deadline - time.monotonic())

    def expired(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def check_time(self) -> None:
        """Raise the console's timeout (504) once the deadline has passed."""
        if self.expired():
            raise timed_out(self.timeout_ms)


def too_large(what: str, limit: int) -> AnswerTooLarge:
    """The 422 for an answer over its budget of `bytes`, `cells` or `nesting`."""
    if what == "bytes":
        size = f"{limit / 2**20:,.0f} MiB" if limit >= 2**20 else f"{limit:,} bytes"
        said, setting = f"the answer is larger than {size}", "MIGKG_CONSOLE_MAX_BYTES"
    elif what == "cells":
        said, setting = f"the answer holds more than {limit:,} values", "MIGKG_CONSOLE_MAX_CELLS"
    else:
        said, setting = f"the answer nests lists or maps more than {limit} levels deep", None
    if setting is None:
        return AnswerTooLarge(f"{said}; {NARROW}", budget=what, limit=limit)
    return AnswerTooLarge(f"{said} ({setting}); {NARROW}", budget=what, limit=limit,
                          setting=setting)


@dataclass
class Meter:
    """Counts one answer against its budget; the first unit over raises `AnswerTooLarge`.

    `over` keeps which budget was passed and its limit, so a reader that sees the error
    wrapped in a driver's exception can still tell a budget from a broken connection
    (`error()` makes it again). Not the exception itself: its traceback holds the
    frames that hold this meter, and that cycle kept a refused answer's buffers (some
    130 MB for four) alive until the next garbage collection.
    """

    budget: Budget
    bytes: int = 0
    cells: int = 0
    text: int = 0
    over: tuple[str, int] | None = None
    _next_check: int = field(default=_CHECK_EVERY, repr=False)

    def add_bytes(self, n: int) -> None:
        """Count `n` bytes of the answer as it arrives."""
        self.bytes += n
        if self.bytes > self.budget.max_bytes:
            self._fail("bytes", self.budget.max_bytes)

    def add_text(self, n: int) -> None:
        """Count `n` characters of text (strings and map keys) against the bytes."""
        self.text += n
        if self.text > self.budget.max_bytes:
            self._fail("bytes", self.budget.max_bytes)

    def cell(self, depth: int, n: int = 1) -> None:
        """Count `n` values found `depth` containers deep; look at the clock now and then."""
        self.cells += n
        if self.cells > self.budget.max_cells:
            self._fail("cells", self.budget.max_cells)
        if depth > self.budget.max_depth:
            self._fail("nesting", self.budget.max_depth)
        if self.cells >= self._next_check:
            self._next_check = self.cells + _CHECK_EVERY
            self.budget.check_time()
            time.sleep(0)  # let the event loop's thread have the GIL if it waits for it

    def fail_nesting(self) -> None:
        """An engine or parser refused the answer's depth before it reached us."""
        self._fail("nesting", self.budget.max_depth)

    def error(self) -> AnswerTooLarge | None:
        """The error for the budget this answer passed, if it passed one."""
        return too_large(*self.over) if self.over is not None else None

    def _fail(self, what: str, limit: int) -> None:
        if self.over is None:
            self.over = (what, limit)
        raise too_large(*self.over)


class _QuietGC:
    """Counts the threads decoding answers; the cyclic collector rests while any does."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._was_enabled = False

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0 and self._was_enabled:
                    gc.enable()


quiet_gc = _QuietGC()
"""`with quiet_gc():` around decoding an answer. Decoding allocates millions of lists
that form no cycles, and each time they grow the heap by a quarter the collector walks
all of it with the GIL held: pauses of 100 ms and more that stalled the event loop
(`/health`) while four large answers were decoded. The collector resumes when the last
decoding thread is done; a decode is bounded by its budget and deadline."""
