"""The embedded backend: FalkorDB reached over the private unix socket."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import redis
from falkordb import Edge, FalkorDB, Node, Path

from graph.backend import Params, Result, StatementHook, Writer
from graph.embedded import EmbeddedServer
from graph.errors import WRITE_REFUSED, missing_parameters, timed_out
from migkg.exc import BackendUnavailable, QueryRejected


def to_plain(value: Any) -> Any:
    """Convert FalkorDB values to the engine-neutral shapes described in `Result`."""
    if isinstance(value, Node):
        return {"_eid": str(value.id), "_labels": list(value.labels or []), **value.properties}
    if isinstance(value, Edge):
        return {
            "_eid": str(value.id),
            "_type": value.relation,
            "_start": str(value.src_node if isinstance(value.src_node, int) else value.src_node.id),
            "_end": str(value.dest_node if isinstance(value.dest_node, int) else value.dest_node.id),
            **value.properties,
        }
    if isinstance(value, Path):
        return {
            "_path": True,
            "nodes": [to_plain(n) for n in value.nodes()],
            "relationships": [to_plain(e) for e in value.edges()],
        }
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    return value


def _translate(err: redis.exceptions.RedisError, cypher: str = "", params: Params | None = None,
               timeout_ms: int | None = None) -> Exception:
    if isinstance(err, redis.exceptions.ConnectionError):
        return BackendUnavailable(f"embedded FalkorDB is not answering: {err}")
    msg = str(err)
    if "timed out" in msg.lower():
        return timed_out(timeout_ms)
    if "read-only" in msg:
        return QueryRejected(WRITE_REFUSED)
    if msg.startswith("Missing parameters"):
        return missing_parameters(cypher, params or {})
    return QueryRejected(msg)


class _FalkorWriter:
    def __init__(self, graph: Any, hook: StatementHook | None) -> None:
        self._graph = graph
        self._hook = hook

    def create_indexes(self, labels: list[str], properties: list[str]) -> None:
        for label in labels:
            for prop in properties:
                self.run(f"CREATE INDEX FOR (n:{label}) ON (n.{prop})")

    def run(self, cypher: str, params: Params | None = None) -> None:
        try:
            self._graph.query(cypher, dict(params or {}))
        except redis.exceptions.RedisError as err:
            raise _translate(err) from err
        if self._hook:
            self._hook(cypher)


class FalkorBackend:
    """GraphBackend on the embedded FalkorDB server."""

    name = "embedded"

    def __init__(
        self, server: EmbeddedServer, graph: str, statement_hook: StatementHook | None = None
    ) -> None:
        """`statement_hook` sees every statement the engine accepted (tests lint them)."""
        self.server = server
        self.graph_name = graph
        self.statement_hook = statement_hook
        try:
            self._db = FalkorDB(unix_socket_path=str(server.ensure()))
        except redis.exceptions.RedisError as err:
            raise _translate(err) from err

    def read(
        self,
        cypher: str,
        params: Params | None = None,
        *,
        timeout_ms: int | None = None,
        row_cap: int | None = None,
    ) -> Result:
        graph = self._db.select_graph(self.graph_name)
        try:
            res = graph.ro_query(cypher, dict(params or {}), timeout=timeout_ms)
        except redis.exceptions.RedisError as err:
            raise _translate(err, cypher, params, timeout_ms) from err
        except (ValueError, TypeError) as err:  # the client could not encode a parameter
            raise QueryRejected(f"bad parameter: {err}") from err
        if self.statement_hook:  # only statements the engine accepted
            self.statement_hook(cypher)
        columns = [h[1] if isinstance(h, list | tuple) else str(h) for h in (res.header or [])]
        rows = res.result_set or []
        truncated = row_cap is not None and len(rows) > row_cap
        if truncated:
            rows = rows[:row_cap]
        return Result(columns, [[to_plain(v) for v in row] for row in rows], truncated)

    def replace_graph(self, build: Callable[[Writer], None]) -> None:
        staging = f"{self.graph_name}__staging_{secrets.token_hex(4)}"
        graph = self._db.select_graph(staging)
        conn = self._db.connection
        try:
            build(_FalkorWriter(graph, self.statement_hook))
            # RENAME replaces the destination key atomically: readers see the old
            # graph or the new one, never a half-built one.
            conn.rename(staging, self.graph_name)
            conn.execute_command("SAVE")
        except BaseException:
            conn.delete(staging)
            raise

    def update_graph(self, build: Callable[[Writer], None]) -> None:
        """Apply `build` to a copy of the graph (GRAPH.COPY) and RENAME the copy in.

        Readers keep the old graph until the RENAME; if anything fails the copy is
        dropped. The copy costs memory and time in proportion to the graph, far less
        than rebuilding it from the facts.
        """
        conn = self._db.connection
        staging = f"{self.graph_name}__staging_update_{secrets.token_hex(4)}"
        try:
            conn.execute_command("GRAPH.COPY", self.graph_name, staging)
            build(_FalkorWriter(self._db.select_graph(staging), self.statement_hook))
            conn.rename(staging, self.graph_name)
            conn.execute_command("SAVE")
        except redis.exceptions.RedisError as err:
            conn.delete(staging)
            raise _translate(err) from err
        except BaseException:
            conn.delete(staging)
            raise

    def exists(self) -> bool:
        try:
            return bool(self._db.connection.exists(self.graph_name))
        except redis.exceptions.RedisError as err:
            raise _translate(err) from err

    def drop(self) -> None:
        """Delete the graph (tests give each module its own graph name)."""
        self._db.connection.delete(self.graph_name)

    def close(self) -> None:
        self._db.connection.close()
