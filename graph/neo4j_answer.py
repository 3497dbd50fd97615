"""Neo4j answers: driver values to plain shapes, and a console answer read under its budget.

`to_plain` turns driver values into the engine-neutral shapes of `graph.backend.Result`.
A console answer is counted at the socket, then record by record.

The driver reads a whole Bolt message (one record) into memory before it decodes
any of it, in Python: `RETURN range(1, 10000000)` is one record of some 50 MB that
took 15 s to decode, and counting records as they come could not stop it. So for
the length of a console transaction the connection's socket is read through a tap
that counts its bytes against the budget (`Meter.add_bytes`) and watches the
deadline: the first byte over either fails the read as a broken connection would.
The driver then drops the connection, and the server ends the transaction with it
(the console also asks it to, `TERMINATE TRANSACTIONS`).

Once a record is read, the driver decodes it in Python, where no socket read can
stop it: a record of 20 million one-byte integers fits the bytes, and its decoding
went on for 10 s past the deadline. So at the deadline the reading thread is stopped where it is
(`Reading.stop`: an exception raised in that thread, only while it reads the answer),
as the console engine is killed on FalkorDB.

The tap sits on the driver's own socket object (`tx._connection.inbox._socket`), not
a public interface; `tests/test_result_budget.py` fails if a driver release moves
it. Without it the records are still counted one by one, as they are decoded.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from neo4j.graph import Node, Path, Relationship
from neo4j.spatial import CartesianPoint, Point, WGS84Point
from neo4j.time import Date, DateTime, Duration, Time

from graph.budget import Meter, quiet_gc
from graph.errors import timed_out
from migkg.exc import MigkgError

log = logging.getLogger(__name__)
_WARNED: list[bool] = []
_SCALARS = frozenset({int, float, bool, type(None)})


def to_plain(value: Any, meter: Meter | None = None, depth: int = 0) -> Any:
    """Convert driver values to the engine-neutral shapes described in `Result`.

    With a `meter`, each container counts its members (and strings their characters)
    before they are converted, `depth` containers deep (graph/budget.py).
    """
    if type(value) in _SCALARS:  # most values: no conversion, no call for each
        return value
    if isinstance(value, str):
        if meter is not None:
            meter.add_text(len(value))
        return value
    if isinstance(value, Node | Relationship | dict) and meter is not None:
        meter.cell(depth + 1, len(value))
    if isinstance(value, Node):
        return {
            "_eid": value.element_id,
            "_labels": sorted(value.labels),
            **{k: to_plain(v, meter, depth + 1) for k, v in value.items()},
        }
    if isinstance(value, Relationship):
        start, end = value.start_node, value.end_node
        return {
            "_eid": value.element_id,
            "_type": value.type,
            "_start": start.element_id if start is not None else None,
            "_end": end.element_id if end is not None else None,
            **{k: to_plain(v, meter, depth + 1) for k, v in value.items()},
        }
    if isinstance(value, Path):
        if meter is not None:  # as FalkorDB's: two lists, then their members
            meter.cell(depth + 1, 2)
            meter.cell(depth + 2, len(value.nodes) + len(value.relationships))
        return {
            "_path": True,
            "nodes": [to_plain(n, meter, depth + 2) for n in value.nodes],
            "relationships": [to_plain(r, meter, depth + 2) for r in value.relationships],
        }
    if isinstance(value, Date | DateTime | Time | Duration):
        return value.iso_format()
    if isinstance(value, Point):
        return _point(value)
    if isinstance(value, list | tuple):
        if meter is not None:
            meter.cell(depth + 1, len(value))
        return [v if type(v) in _SCALARS else to_plain(v, meter, depth + 1) for v in value]
    if isinstance(value, dict):
        if meter is not None:  # its keys are text, as FalkorDB's map keys are counted
            meter.add_text(sum(len(k) for k in value))
        return {k: to_plain(v, meter, depth + 1) for k, v in value.items()}
    if isinstance(value, bytes | bytearray):
        return value.hex()
    to_native = getattr(value, "to_native", None)  # neo4j.vector.Vector (driver 6)
    if callable(to_native) and type(value).__module__.startswith("neo4j"):
        return to_plain(to_native(), meter, depth)
    return value


def _point(p: Point) -> dict[str, Any]:
    out: dict[str, Any] = {"srid": p.srid}
    if isinstance(p, WGS84Point):
        out.update(longitude=p.longitude, latitude=p.latitude)
        if len(p) > 2:
            out["height"] = p.height
    elif isinstance(p, CartesianPoint):
        out.update(x=p.x, y=p.y)
        if len(p) > 2:
            out["z"] = p.z
    else:
        out["coordinates"] = list(p)
    return out


class BudgetCut(OSError):
    """Raised inside the driver's read: an OSError, so the driver drops the connection."""


class _Tap:
    """A socket whose reads are counted against a meter; the rest passes through."""

    def __init__(self, sock: Any, meter: Meter) -> None:
        self._sock = sock
        self._meter = meter

    def recv_into(self, buffer: Any, nbytes: int = 0) -> int:
        meter = self._meter
        if meter.over is not None or meter.budget.expired():
            raise BudgetCut("the console stopped reading this answer")
        n: int = self._sock.recv_into(buffer, nbytes)
        try:
            meter.add_bytes(n)
        except MigkgError as err:
            raise BudgetCut(str(err)) from err
        return n

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class Reading:
    """The thread that reads one console answer, which the console can stop where it is
    while it is in the driver's code (running the statement, fetching and decoding a
    record): in its own code the thread looks at the clock itself."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: int | None = None
        self._stopped = False
        self._fired = False

    @contextmanager
    def inside(self) -> Iterator[None]:
        """A call into the driver, in which `stop` may interrupt the calling thread."""
        with self._lock:
            if self._stopped:
                raise BudgetCut("the console stopped reading this answer")
            self._thread = threading.get_ident()
        try:
            yield
        finally:
            with self._lock:
                if self._fired:  # not taken inside: it must not land wherever we go next
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self._thread),
                                                               None)
                self._thread = None

    def stop(self) -> None:
        """Raise `BudgetCut` in the reading thread if it is in the driver; else it stops at
        its next call into the driver.

        The driver takes it, as any OSError in a read, for a broken connection, which it
        drops; the thread then leaves with the exception. A thread blocked in a socket
        read takes it when the read returns (the transaction is terminated meanwhile).
        """
        with self._lock:
            self._stopped = True
            if self._thread is not None:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self._thread),
                                                           ctypes.py_object(BudgetCut))
                self._fired = True


def _inbox(tx: Any) -> Any:
    return getattr(getattr(tx, "_connection", None), "inbox", None)


def tap_installed(tx: Any) -> bool:
    """Whether the reads of `tx`'s connection are counted (for the tests)."""
    return isinstance(getattr(_inbox(tx), "_socket", None), _Tap)


@contextmanager
def tapped(tx: Any, meter: Meter) -> Iterator[None]:
    """Count the reads of `tx`'s connection against `meter` while the block runs.

    The tap stays when the budget ended the read, so nothing more is read from that
    connection (the driver's clean-up included): it is closed instead.
    """
    inbox = _inbox(tx)
    sock = getattr(inbox, "_socket", None)
    if sock is None:
        if not _WARNED:
            _WARNED.append(True)
            log.warning("cannot count Neo4j answers at the socket (the driver's internals "
                        "moved); counting them record by record only")
        yield
        return
    inbox._socket = _Tap(sock, meter)
    try:
        yield
    except BaseException:
        if meter.over is None and not meter.budget.expired():
            inbox._socket = sock
        raise
    inbox._socket = sock


def read_metered(tx: Any, cypher: str, args: dict[str, Any], row_cap: int | None, meter: Meter,
                 reading: Reading | None) -> tuple[list[str], list[list[Any]], bool, Any]:
    """Run `cypher` in `tx` and read its answer under `meter`: columns, plain rows (at most
    `row_cap`, each counted before it is converted), whether the cap cut them, and the
    summary. Every call into the driver is a region where `reading` may stop the thread."""
    driver = reading.inside if reading is not None else contextlib.nullcontext
    with tapped(tx, meter):
        with driver():
            res = tx.run(cypher, args)
            columns = list(res.keys())
        records = iter(res)
        rows: list[list[Any]] = []
        truncated = False
        with quiet_gc():  # the driver decodes each record as it is fetched
            while True:
                with driver():
                    record = next(records, None)
                if record is None:
                    break
                if row_cap is not None and len(rows) == row_cap:
                    truncated = True
                    break
                values = record.values()
                meter.cell(0, len(values))
                rows.append([v if type(v) in _SCALARS else to_plain(v, meter, 0)
                             for v in values])
        with driver():
            summary = res.consume()  # discards rows past the cap without fetching them
    return columns, rows, truncated, summary


def over_budget(meter: Meter, err: BaseException, timeout_ms: int | None) -> BaseException:
    """What to raise for a read that failed with `err` while `meter` counted it."""
    over = meter.error()
    if over is not None:
        return over
    if meter.budget.expired():
        return timed_out(timeout_ms)
    if isinstance(err, RecursionError):  # the driver decodes nested lists recursively
        try:
            meter.fail_nesting()
        except MigkgError as nesting:
            return nesting
    return err
