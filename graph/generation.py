"""Reads that know which graph they ran on, so a swap by any process never garbles an answer.

FalkorDB answers in its compact form: labels, relationship types and property keys
come as numbers, which the client turns into names through a table it reads from
the graph once and keeps. A load replaces the graph (a new graph RENAMEd over the
old one), and the new graph numbers its names in its own order. A serving process
that kept the old table after another process's load would print a digest under
`confidence`, or fail on a number it has no name for.

So every swap also writes a new *generation* token beside the graph, in the same
MULTI as the RENAME. A read sends `GET token`, the query, `GET token` in one
pipeline: equal tokens prove the query ran on that generation, and its answer is
decoded with that generation's table, read once in the same way (token, the three
name procedures, token). Tables are kept per generation, never patched, so a
thread decoding an answer of the previous generation is not disturbed.
"""

from __future__ import annotations

import secrets
import threading
from typing import Any

import redis
from falkordb import FalkorDB, Graph
from falkordb.query_result import QueryResult

PREFIX = "migkg:generation:"
KEPT = 2  # the current generation's table, and the one before for reads in flight
ATTEMPTS = 3
_NAME_PROCEDURES = ("db.labels", "db.relationshipTypes", "db.propertyKeys")


class Replaced(Exception):
    """The graph was replaced while a read ran, `ATTEMPTS` times in a row."""


def key(graph: str) -> str:
    return PREFIX + graph


def new_token() -> str:
    return secrets.token_hex(8)


class GenerationReader:
    """Runs read-only statements on `graph` and decodes each with its own generation's names."""

    def __init__(self, db: FalkorDB, graph: str) -> None:
        self._db = db
        self._graph = graph
        self._key = key(graph)
        self._encoder = db.select_graph(graph)  # only for its parameter encoding
        self._lock = threading.Lock()
        self._tables: dict[str | None, Graph] = {}

    def ro_query(self, cypher: str, params: dict[str, Any], timeout_ms: int | None,
                 row_cap: int | None = None) -> QueryResult:
        """The statement's answer, decoded with the names of the graph it ran on; with a
        `row_cap`, only its first `row_cap + 1` rows are decoded (enough to tell it was cut)."""
        for _ in range(ATTEMPTS):
            command: list[Any] = ["GRAPH.RO_QUERY", self._graph,
                                  self._encoder._build_params_header(params) + cypher, "--compact"]
            if timeout_ms is not None:
                command += ["timeout", timeout_ms]
            pipe = self._db.connection.pipeline(transaction=False)
            pipe.get(self._key)
            pipe.execute_command(*command)
            pipe.get(self._key)
            before, raw, after = pipe.execute(raise_on_error=False)
            if isinstance(raw, redis.exceptions.RedisError):
                raise raw
            if row_cap is not None and len(raw) == 3:  # [header, rows, statistics]
                raw[1] = raw[1][:row_cap + 1]  # decoding is the costly part: skip the rest
            if before != after:
                continue  # swapped while the query ran: ask the new graph
            table = self._table(before)
            if table is None:
                continue  # swapped again while reading the names
            sizes = _sizes(table)
            result = QueryResult(table, raw)
            if _sizes(table) == sizes or self._current() == before:
                return result
            # A name beyond the table made the client fetch names of whatever graph is
            # current; if that is another generation, the decoding cannot be trusted.
            self._forget(before)
        raise Replaced(f"the graph was replaced {ATTEMPTS} times during one read")

    def _current(self) -> str | None:
        value = self._db.connection.get(self._key)
        return None if value is None else str(value)

    def _table(self, generation: str | None) -> Graph | None:
        with self._lock:
            table = self._tables.get(generation)
        if table is not None:
            return table
        pipe = self._db.connection.pipeline(transaction=False)
        pipe.get(self._key)
        for procedure in _NAME_PROCEDURES:
            pipe.execute_command("GRAPH.RO_QUERY", self._graph, f"CALL {procedure}()", "--compact")
        pipe.get(self._key)
        before, labels, types, properties, after = pipe.execute(raise_on_error=False)
        if before != generation or after != generation:
            return None
        table = self._db.select_graph(self._graph)
        for answer in (labels, types, properties):
            if isinstance(answer, redis.exceptions.RedisError):
                return table  # no graph yet: the client reads names on demand, as before
        table.schema.labels = _names(table, labels)
        table.schema.relationships = _names(table, types)
        table.schema.properties = _names(table, properties)
        with self._lock:
            self._tables[generation] = table
            while len(self._tables) > KEPT:
                del self._tables[next(iter(self._tables))]
        return table

    def _forget(self, generation: str | None) -> None:
        with self._lock:
            self._tables.pop(generation, None)


def _names(table: Graph, answer: Any) -> list[str]:
    return [str(row[0]) for row in QueryResult(table, answer).result_set]


def _sizes(table: Graph) -> tuple[int, int, int]:
    schema = table.schema
    return len(schema.labels), len(schema.relationships), len(schema.properties)
