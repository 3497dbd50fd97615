"""SPARQL over the loaded graph: the store kept in step with it, and the worker pool.

Shared by the API (`api/routers/sparql.py`) and the CLI (`migkg sparql`).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from graph.backend import GraphBackend
from graph.budget import Budget, too_large
from migkg.exc import NotAcceptable, QueryRejected
from migkg.settings import Settings
from ontology.vocab import PREFIXES
from sparql.check import check_query
from sparql.pool import WorkerPool
from sparql.results import GRAPH_FORMATS, TABLE_FORMATS
from sparql.store import Generation, refresh, store_root
from sparql.syntax import syntax_error

log = logging.getLogger(__name__)


@dataclass
class Answer:
    """A query's serialised result and what it is."""

    body: bytes
    media_type: str
    kind: str  # table, boolean or graph
    count: int
    truncated: bool
    seconds: float


MEDIA = {f.name: f.media_type for f in (*TABLE_FORMATS, *GRAPH_FORMATS)}


class SparqlService:
    """The store for one backend's graph and the workers that query it."""

    def __init__(self, backend: GraphBackend, settings: Settings) -> None:
        self.backend = backend
        self.settings = settings
        self.root = store_root(settings.home, backend)
        self.pool = WorkerPool(settings.console_concurrency)
        self._build_lock = threading.Lock()

    def generation(self) -> Generation:
        """The store for the loaded graph, rebuilt first if the graph changed since."""
        with self._build_lock:
            return refresh(self.backend, self.settings.base_iri, self.root)

    def start(self) -> None:
        """At start-up of the app serving the configured graph (`migkg serve`): bring the
        store up to date and start a worker, in the background. An app over another
        graph (the tests' own) builds its store at its first query instead."""
        if str(getattr(self.backend, "graph_name", self.settings.graph)) != self.settings.graph:
            return

        def run() -> None:
            try:
                self.generation()
            except Exception as err:  # noqa: BLE001 - a query will say it again, in its answer
                log.warning("SPARQL store not built at start-up: %s", err)
            self.pool.warm()

        threading.Thread(target=run, name="sparql-start", daemon=True).start()

    def query(self, query: str, *, table: str | None, graph: str | None,
              timeout_ms: int | None = None, row_cap: int | None = None,
              budget: Budget | None = None) -> Answer:
        """Run a read-only query; `table` / `graph` name the format for each kind of result
        (None: the client accepts none, answered with 406 if the result is of that kind).

        The answer is held to `budget` (the settings' by default, graph/budget.py) in the
        worker, which refuses it past its bytes or values (422), and its deadline bounds
        the wait for it (504)."""
        check_query(query)
        gen = self.generation()
        timeout_ms = timeout_ms or self.settings.query_timeout_ms
        row_cap = row_cap or self.settings.row_cap
        budget = budget or Budget(self.settings.console_max_bytes, self.settings.console_max_cells)
        request = {"query": query, "db": str(gen.db), "table": table, "graph": graph,
                   "row_cap": row_cap, "prefixes": PREFIXES, "max_bytes": budget.max_bytes,
                   "max_cells": budget.max_cells}
        wait = budget.remaining() if budget.deadline is not None else None
        reply = self.pool.run(request, timeout_ms, wait)
        head = reply.head
        if not head["ok"]:
            if head["error"] == "syntax":
                raise syntax_error(head["message"], query)
            if head["error"] == "too-large":
                raise too_large(head["budget"], int(head["limit"]))
            if head["error"] == "not-acceptable":
                offers = TABLE_FORMATS if head["kind"] == "table" else GRAPH_FORMATS
                what = "SELECT and ASK" if head["kind"] == "table" else "CONSTRUCT and DESCRIBE"
                raise NotAcceptable(f"{what} results come as "
                                    + ", ".join(f.media_type for f in offers),
                                    available=[f.media_type for f in offers])
            raise QueryRejected(f"the query failed: {head['message']}")
        return Answer(reply.body, MEDIA[head["format"]], head["kind"], int(head["count"]),
                      bool(head["truncated"]), reply.seconds)

    def stop(self) -> None:
        self.pool.stop()
