"""The console engine's answers, read from the socket under a budget and decoded to plain values.

redis-py hands a reply to Python only once hiredis has parsed all of it, so a ten
million value answer cost seconds of parsing, holding the GIL, before anything could
count it. The console therefore sends its statement on a unix socket of its own and
reads the reply raw, counting bytes (`Meter.add_bytes`): the first byte over the
budget closes the connection. FalkorDB has computed the whole result before it sends
the first byte, so what the close ends is the sending, and the engine frees the
reply; other analysts' queries on the console engine go on.

A reply within the budget is parsed by hiredis in slices, so no single call holds the
GIL for long (the event loop, `/health` included, keeps its turn), and only once it
is complete, so a reply refused on its bytes is never parsed. Then it is decoded
straight to the engine-neutral shapes of `graph.backend.Result` (the same shapes as
`graph.falkor.to_plain` gives), counting values, text and nesting, with the clock
checked as it goes.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import hiredis
from dateutil.relativedelta import relativedelta
from redis.exceptions import ResponseError

from graph.budget import Meter, quiet_gc
from migkg.exc import BackendUnavailable

SLICE = 256 * 1024  # bytes parsed per hiredis call: some 10 ms of GIL at most
SMALL = 64 * 1024  # replies this small are parsed as they come
IDLE = 0.05  # a quiet socket with unparsed bytes: parse what is there (a safety net)
# Every answer to GRAPH.RO_QUERY ends with its statistics, the last one its run time.
END = b" milliseconds\r\n"
(UNKNOWN, NULL, STRING, INTEGER, BOOLEAN, DOUBLE, ARRAY, EDGE, NODE, PATH, MAP, POINT,
 VECTORF32, DATETIME, DATE, TIME, DURATION) = range(17)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def pack(*args: str | int) -> bytes:
    """A command in RESP, as redis-py would send it."""
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg.encode() if isinstance(arg, str) else str(arg).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


def _error(message: str) -> ResponseError:
    # redis-py strips a leading error code; FalkorDB's own errors carry none.
    return ResponseError(message[4:] if message.startswith("ERR ") else message)


def ask(path: Path, command: Sequence[str | int], meter: Meter) -> Any:
    """Send `command` on a fresh connection to `path` and read its reply within `meter`.

    Raises `TimeoutError` when the deadline passes while waiting for the engine,
    `AnswerTooLarge` at the first byte over the budget, `ConnectionError` when the
    engine goes away; the connection is closed whatever happens.
    """
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(max(0.001, min(2.0, meter.budget.remaining())))
        sock.connect(str(path))
        sock.sendall(pack(*command))
        return _read(sock, meter)


def _read(sock: socket.socket, meter: Meter) -> Any:
    reader = hiredis.Reader(replyError=_error, encoding="utf-8", errors="replace")
    data = bytearray()
    fed = 0
    chunk = bytearray(256 * 1024)  # under the mmap threshold (api/answers.py)
    view = memoryview(chunk)
    while True:
        left = meter.budget.remaining()
        if left <= 0:
            raise TimeoutError("the deadline passed")
        sock.settimeout(min(left, IDLE) if fed < len(data) else left)
        try:
            n = sock.recv_into(chunk)
        except TimeoutError:
            if fed < len(data) and not meter.budget.expired():
                with quiet_gc():  # a reply without our end mark
                    reply, fed = _parse(reader, data, fed, meter)
                if reply is not False:
                    return reply
                continue
            raise
        if n == 0:
            raise ConnectionError("the console engine closed the connection")
        meter.add_bytes(n)
        data += view[:n]
        if len(data) <= SMALL or data.endswith(END):
            with quiet_gc():
                reply, fed = _parse(reader, data, fed, meter)
            if reply is not False:
                return reply


def _parse(reader: Any, data: bytearray, fed: int, meter: Meter) -> tuple[Any, int]:
    """Feed `data[fed:]` to hiredis a slice at a time; the reply once it is complete."""
    while fed < len(data):
        end = min(fed + SLICE, len(data))
        reader.feed(data, fed, end - fed)
        fed = end
        try:
            reply = reader.gets()
        except hiredis.ProtocolError as err:
            if "nesting" in str(err):
                meter.fail_nesting()
            raise ConnectionError(f"the console engine sent a reply we cannot read: {err}") from err
        if reply is not False:
            return reply, fed
        meter.budget.check_time()
        time.sleep(0)  # hiredis held the GIL for the slice: the event loop's turn
    return False, fed


class Names:
    """Label, relationship type and property key names by id (the graph's schema lists)."""

    def __init__(self, labels: list[str], types: list[str], keys: list[str]) -> None:
        self.labels, self.types, self.keys = labels, types, keys

    @staticmethod
    def _of(table: list[str], i: int, what: str) -> str:
        if 0 <= i < len(table):
            return table[i]
        raise BackendUnavailable(f"the console engine answered with an unknown {what} "
                                 f"(#{i}); try again")

    def label(self, i: int) -> str:
        return self._of(self.labels, i, "label")

    def type(self, i: int) -> str:
        return self._of(self.types, i, "relationship type")

    def key(self, i: int) -> str:
        return self._of(self.keys, i, "property key")


def decode(reply: Any, names: Names, meter: Meter,
           row_cap: int) -> tuple[list[str], list[list[Any]], bool]:
    """Columns, rows (at most `row_cap`, plain values) and whether the cap cut them."""
    if isinstance(reply, ResponseError):
        raise reply
    if not isinstance(reply, list) or not reply:
        raise ConnectionError(f"the console engine sent an unexpected reply: {str(reply)[:80]}")
    if isinstance(reply[-1], ResponseError):  # a run-time error after the header
        raise reply[-1]
    if len(reply) < 3:
        return [], [], False
    columns = [str(h[1]) if isinstance(h, list) else str(h) for h in reply[0]]
    raw_rows = reply[1]
    rows = []
    with quiet_gc():
        for i in range(min(len(raw_rows), row_cap)):
            raw, raw_rows[i] = raw_rows[i], None  # the raw row goes as its values come
            meter.cell(0, len(raw))
            rows.append([value(cell, names, meter, 0) for cell in raw])
    return columns, rows, len(raw_rows) > row_cap


def value(cell: list[Any], names: Names, meter: Meter, depth: int) -> Any:
    """One compact `[type, value]` cell, `depth` containers deep, as a plain value.

    The container counts its members before they are decoded (`Meter.cell`), so a long
    list is refused before any of it is turned into Python values.
    """
    kind, raw = cell[0], cell[1]
    if kind == INTEGER:
        return int(raw)
    if kind == STRING:
        text = raw if isinstance(raw, str) else str(raw)
        meter.add_text(len(text))
        return text
    if kind == ARRAY:
        return _array(raw, names, meter, depth + 1)
    if kind in (NULL, UNKNOWN):
        return None
    if kind == BOOLEAN:
        return raw == "true"
    if kind == DOUBLE:
        return float(raw)
    if kind == NODE:
        return {"_eid": str(raw[0]), "_labels": [names.label(i) for i in raw[1]],
                **_properties(raw[2], names, meter, depth)}
    if kind == EDGE:
        return {"_eid": str(raw[0]), "_type": names.type(raw[1]), "_start": str(raw[2]),
                "_end": str(raw[3]), **_properties(raw[4], names, meter, depth)}
    if kind == PATH:
        meter.cell(depth + 1, 2)
        return {"_path": True, "nodes": value(raw[0], names, meter, depth + 1),
                "relationships": value(raw[1], names, meter, depth + 1)}
    if kind == MAP:
        meter.cell(depth + 1, len(raw) // 2)
        out: dict[str, Any] = {}
        for i in range(0, len(raw), 2):
            key = str(raw[i])
            meter.add_text(len(key))
            out[key] = value(raw[i + 1], names, meter, depth + 1)
        return out
    return _other(kind, raw, meter, depth)


def _array(raw: list[list[Any]], names: Names, meter: Meter, depth: int) -> list[Any]:
    """A list's elements; integers and strings (most of any long list) without a call each."""
    meter.cell(depth, len(raw))
    out: list[Any] = []
    append = out.append
    text = 0
    for cell in raw:
        kind = cell[0]
        if kind == INTEGER:
            append(int(cell[1]))
        elif kind == STRING and isinstance(cell[1], str):
            text += len(cell[1])
            append(cell[1])
        else:
            append(value(cell, names, meter, depth))
    meter.add_text(text)
    return out


def _properties(props: list[list[Any]], names: Names, meter: Meter,
                depth: int) -> dict[str, Any]:
    meter.cell(depth + 1, len(props))
    return {names.key(p[0]): value(p[1:], names, meter, depth + 1) for p in props}


def _other(kind: int, raw: Any, meter: Meter, depth: int) -> Any:
    """Points, vectors and temporal values, as the falkordb client reads them."""
    if kind == POINT:
        return {"latitude": float(raw[0]), "longitude": float(raw[1])}
    if kind == VECTORF32:
        meter.cell(depth + 1, len(raw))
        return [float(v) for v in raw]
    if kind == DATETIME:
        return datetime.fromtimestamp(raw, tz=UTC)
    if kind == DATE:
        return datetime.fromtimestamp(raw, tz=UTC).date()
    if kind == TIME:
        return datetime.fromtimestamp(raw, tz=UTC).time()
    if kind == DURATION:
        return relativedelta(datetime.fromtimestamp(raw, tz=UTC), _EPOCH)
    return None
