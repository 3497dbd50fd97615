"""The query worker: a child process that answers SPARQL queries over the store, read-only.

Run as `python -m sparql.worker` by `sparql/pool.py`, which talks to it over its
stdin and stdout (length-framed messages) and kills it when a query overruns its
deadline: a thread in the server could not be stopped. It reopens the store when
the server names a new generation, and exits when its stdin closes.

Answers are held to the console's budget (graph/budget.py) while they are read:
the text of each term and the values are counted as solutions (or triples) come,
and the serialized answer is measured; the first byte or value over it stops the
reading, and the worker answers `too-large` instead of serializing further. Its
address space is capped (`ADDRESS_SPACE`), so a runaway query fails here.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from sparql.results import TABLE_WRITERS, graph_bytes
from sparql.variables import is_select_star, star_order

READY = b"ready"
ADDRESS_SPACE = 4 * 2**30  # a runaway query fails here, not in the machine's memory


class Worker:
    def __init__(self) -> None:
        self.path: str | None = None
        self.store: Any = None

    def open(self, path: str) -> Any:
        if path != self.path:
            self.store = None  # close the previous generation first
            self.store = ox.Store.read_only(path)
            self.path = path
        return self.store

    def answer(self, req: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
        store = self.open(req["db"])
        cap = int(req["row_cap"])
        budget = _Budget(int(req["max_bytes"]), int(req["max_cells"]))
        try:
            res = store.query(req["query"], prefixes=req.get("prefixes"))
        except SyntaxError as err:
            return {"ok": False, "error": "syntax", "message": str(err)}, b""
        if isinstance(res, ox.QueryBoolean):
            fmt = req.get("table")
            if fmt is None:
                return {"ok": False, "error": "not-acceptable", "kind": "table"}, b""
            body = TABLE_WRITERS[fmt]([], None, bool(res))
            return {"ok": True, "kind": "boolean", "format": fmt, "count": 1,
                    "truncated": False}, body
        if isinstance(res, ox.QuerySolutions):
            fmt = req.get("table")
            if fmt is None:
                return {"ok": False, "error": "not-acceptable", "kind": "table"}, b""
            names = [v.value for v in res.variables]
            # the engine sorts `SELECT *` columns by name: put them in the query's order
            order = (star_order(req["query"], names) if is_select_star(req["query"])
                     else list(range(len(names))))
            variables = [names[i] for i in order]
            rows: list[list[Any]] = []
            for solution in res:
                if len(rows) == cap:
                    return self._table(fmt, variables, rows, True, budget)
                row = [solution[i] for i in order]
                if not budget.take(row):
                    return budget.refusal(), b""
                rows.append(row)
            return self._table(fmt, variables, rows, False, budget)
        fmt = req.get("graph")
        if fmt is None:
            return {"ok": False, "error": "not-acceptable", "kind": "graph"}, b""
        triples: list[Any] = []
        truncated = False
        for triple in res:
            if len(triples) == cap:
                truncated = True
                break
            if not budget.take([triple.subject, triple.predicate, triple.object]):
                return budget.refusal(), b""
            triples.append(triple)
        body = graph_bytes(triples, fmt, req.get("prefixes"))
        if len(body) > budget.max_bytes:
            return budget.refusal("bytes"), b""
        return {"ok": True, "kind": "graph", "format": fmt, "count": len(triples),
                "truncated": truncated}, body

    @staticmethod
    def _table(fmt: str, variables: list[str], rows: list[list[Any]],
               truncated: bool, budget: _Budget) -> tuple[dict[str, Any], bytes]:
        body = TABLE_WRITERS[fmt](variables, rows)
        if len(body) > budget.max_bytes:
            return budget.refusal("bytes"), b""
        return {"ok": True, "kind": "table", "format": fmt, "count": len(rows),
                "truncated": truncated}, body


class _Budget:
    """Bytes of text and values of one answer, counted as its terms are read."""

    def __init__(self, max_bytes: int, max_cells: int) -> None:
        self.max_bytes = max_bytes
        self.max_cells = max_cells
        self.bytes = 0
        self.cells = 0
        self.over = ""

    def take(self, terms: list[Any]) -> bool:
        """Count a row's (or a triple's) terms; False once the answer is over its budget."""
        for term in terms:
            if term is None:
                continue
            self.cells += 1
            self.bytes += _size(term)
        if self.cells > self.max_cells:
            self.over = "cells"
        elif self.bytes > self.max_bytes:
            self.over = "bytes"
        return not self.over

    def refusal(self, what: str = "") -> dict[str, Any]:
        what = what or self.over
        return {"ok": False, "error": "too-large", "budget": what,
                "limit": self.max_bytes if what == "bytes" else self.max_cells}


def _size(term: Any) -> int:
    """The characters a term takes (its value, datatype or language; quoted triples whole)."""
    if isinstance(term, ox.Literal):
        return len(term.value) + len(term.language or term.datatype.value)
    if isinstance(term, ox.NamedNode | ox.BlankNode):
        return len(term.value)
    return len(str(term))


def main() -> int:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    requests = Connection(os.dup(sys.stdin.fileno()), writable=False)
    replies = Connection(os.dup(sys.stdout.fileno()), readable=False)
    sys.stdout = sys.stderr  # nothing else may write on the reply pipe
    worker = Worker()
    replies.send_bytes(READY)  # imports done: the server starts the query's clock after this
    while True:
        try:
            req = json.loads(requests.recv_bytes())
        except EOFError:
            return 0
        started = time.perf_counter()
        try:
            head, body = worker.answer(req)
        except MemoryError:
            head, body = {"ok": False, "error": "failed", "message": "the query ran out of memory"}, b""
        except Exception as err:  # noqa: BLE001 - the server reports it as one line
            head, body = {"ok": False, "error": "failed",
                          "message": f"{type(err).__name__}: {err}"}, b""
        head["engine_s"] = time.perf_counter() - started
        replies.send_bytes(json.dumps(head).encode())
        replies.send_bytes(body)


if __name__ == "__main__":
    sys.exit(main())
