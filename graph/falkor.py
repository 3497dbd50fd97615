"""The embedded backend: FalkorDB reached over the private unix socket."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from typing import Any

import redis
from falkordb import Edge, FalkorDB, Node, Path
from redis.backoff import NoBackoff
from redis.retry import Retry

from graph.backend import READ_TIMEOUT_MS, Params, Result, StatementHook, Writer
from graph.budget import Budget
from graph.embedded import EmbeddedServer
from graph.errors import (
    WRITE_REFUSED,
    memory_exceeded,
    missing_parameters,
    not_loaded,
    statement_error,
    timed_out,
)
from graph.generation import GenerationReader, Replaced, new_token
from graph.generation import key as generation_key
from graph.guard import check_params, check_statement, deadline_seconds
from graph.meta import wrote
from graph.sandbox import console_of
from migkg.exc import BackendUnavailable, QueryRejected

STAGING = "__staging_"
# Loads and their SAVE, GRAPH.COPY and RENAMEs: slow on a big graph, never an analyst's.
WRITE_SOCKET_TIMEOUT = 120.0
# Reads: the engine stops a statement at its timeout (the caller's, or READ_TIMEOUT_MS);
# the socket gives up a little later, should the engine itself not answer. A hung
# engine is killed sooner by its watchdog (graph/embedded.py), failing reads at once.


def remove_staging(conn: redis.Redis) -> int:
    """Delete staging graphs left by interrupted loads; call it holding the load lock."""
    keys = list(conn.scan_iter(match=f"*{STAGING}*", count=1000))
    if keys:
        conn.delete(*keys)
    return len(keys)


_SCALARS = frozenset({str, int, float, bool, type(None)})


def to_plain(value: Any) -> Any:
    """Convert FalkorDB values to the engine-neutral shapes described in `Result`."""
    if type(value) in _SCALARS:  # most values: one set lookup instead of five isinstance
        return value
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
    if isinstance(err, redis.exceptions.TimeoutError):  # the engine ran on past its limit
        return timed_out(timeout_ms)
    msg = str(err)
    if "empty key" in msg:  # FalkorDB's word for a graph that does not exist
        return not_loaded()
    if "timed out" in msg.lower():
        return timed_out(timeout_ms)
    if "read-only" in msg:
        return QueryRejected(WRITE_REFUSED)
    if "mem consumption exceeded" in msg:
        return memory_exceeded()
    if msg.startswith("Missing parameters"):
        return missing_parameters(cypher, params or {})
    return statement_error(cypher, msg)


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
            socket = str(server.ensure())
            # No retries: a read whose engine died answers 503 at once, rather than being
            # sent again to an engine that is still starting or loading its snapshot.
            self._db = FalkorDB(unix_socket_path=socket, socket_connect_timeout=2,
                                socket_timeout=deadline_seconds(READ_TIMEOUT_MS),
                                retry=Retry(NoBackoff(), 0))
            self._admin = FalkorDB(unix_socket_path=socket, socket_connect_timeout=5,
                                   socket_timeout=WRITE_SOCKET_TIMEOUT)
        except redis.exceptions.RedisError as err:
            raise _translate(err) from err
        # Label, type and property names are kept per graph generation (graph/generation.py),
        # so a load by another process never leaves this process decoding with stale names.
        self._reader = GenerationReader(self._db, graph)

    def read(
        self,
        cypher: str,
        params: Params | None = None,
        *,
        timeout_ms: int | None = None,
        row_cap: int | None = None,
    ) -> Result:
        timeout_ms = READ_TIMEOUT_MS if timeout_ms is None else timeout_ms
        try:
            res = self._reader.ro_query(cypher, dict(params or {}), timeout_ms, row_cap)
        except redis.exceptions.RedisError as err:
            raise _translate(err, cypher, params, timeout_ms) from err
        except Replaced as err:
            raise BackendUnavailable(f"{err}; try again") from err
        except (ValueError, TypeError) as err:  # the client could not encode a parameter
            raise QueryRejected(f"bad parameter: {err}") from err
        return self._result(cypher, res, row_cap)

    def console_read(self, cypher: str, params: Params | None = None, *, timeout_ms: int,
                     row_cap: int, budget: Budget | None = None) -> Result:
        """An analyst's statement, checked and run on the console's own engine (graph/sandbox.py),
        its answer read under `budget` (graph/budget.py)."""
        args = dict(params or {})
        check_statement(cypher)
        check_params(args)
        console = console_of(self.server)
        try:
            columns, rows, truncated = console.query(self.graph_name, cypher, args,
                                                     timeout_ms=timeout_ms, row_cap=row_cap,
                                                     budget=budget)
        except redis.exceptions.RedisError as err:
            raise _translate(err, cypher, args, timeout_ms) from err
        except (ValueError, TypeError) as err:
            raise QueryRejected(f"bad parameter: {err}") from err
        if self.statement_hook:  # only statements the engine accepted
            self.statement_hook(cypher)
        return Result(columns, rows, truncated)

    def _result(self, cypher: str, res: Any, row_cap: int | None) -> Result:
        if self.statement_hook:  # only statements the engine accepted
            self.statement_hook(cypher)
        columns = [h[1] if isinstance(h, list | tuple) else str(h) for h in (res.header or [])]
        rows = res.result_set or []
        truncated = row_cap is not None and len(rows) > row_cap
        if truncated:
            rows = rows[:row_cap]
        return Result(columns, [[to_plain(v) for v in row] for row in rows], truncated)

    def replace_graph(self, build: Callable[[Writer], None]) -> None:
        """Build into a staging graph, swap it in, persist; all of it or none of it.

        Loads never overlap (`load.lock`), so any staging graph found first was
        left by a load that was killed: it is removed. If the snapshot cannot be
        written, the previous graph is put back, so the graph served and the one
        persisted never differ.
        """
        conn = self._admin.connection
        with self.server.load_lock():
            remove_staging(conn)
            staging = f"{self.graph_name}{STAGING}{secrets.token_hex(4)}"
            try:
                build(_FalkorWriter(self._admin.select_graph(staging), self.statement_hook))
                self._swap_in(conn, staging)
            except BaseException:
                with contextlib.suppress(redis.exceptions.RedisError):
                    conn.delete(staging)
                raise

    def _swap_in(self, conn: redis.Redis, staging: str) -> None:
        previous = f"{self.graph_name}{STAGING}previous"
        had_graph = bool(conn.exists(self.graph_name))
        # One MULTI: readers see the old graph or the new one, never none.
        swap = conn.pipeline(transaction=True)
        if had_graph:
            swap.rename(self.graph_name, previous)
        swap.rename(staging, self.graph_name)
        swap.set(generation_key(self.graph_name), new_token())  # readers' names follow it
        swap.execute()
        wrote()
        try:
            conn.save()
        except redis.exceptions.RedisError as err:
            back = conn.pipeline(transaction=True)
            back.rename(self.graph_name, staging)
            if had_graph:
                back.rename(previous, self.graph_name)
            back.set(generation_key(self.graph_name), new_token())
            back.execute()
            wrote()
            why = str(err) or "the engine could not write its snapshot"
            raise BackendUnavailable(
                f"could not persist the new graph in {self.server.home} ({why}; see "
                f"{self.server.log_path}); the previous graph is still served and persisted"
            ) from err
        if had_graph:
            conn.delete(previous)

    def remove_staging(self) -> int:
        """Delete staging graphs left by interrupted loads (waits for a running load)."""
        with self.server.load_lock():
            try:
                return remove_staging(self._admin.connection)
            except redis.exceptions.RedisError as err:
                raise _translate(err) from err

    def update_graph(self, build: Callable[[Writer], None]) -> None:
        """Apply `build` to a copy of the graph (GRAPH.COPY) and RENAME the copy in.

        Readers keep the old graph until the RENAME; if anything fails the copy is
        dropped. The copy costs memory and time in proportion to the graph, far less
        than rebuilding it from the facts.
        """
        conn = self._admin.connection
        with self.server.load_lock():
            remove_staging(conn)
            staging = f"{self.graph_name}{STAGING}update_{secrets.token_hex(4)}"
            try:
                conn.execute_command("GRAPH.COPY", self.graph_name, staging)
                build(_FalkorWriter(self._admin.select_graph(staging), self.statement_hook))
                self._swap_in(conn, staging)
            except redis.exceptions.RedisError as err:
                with contextlib.suppress(redis.exceptions.RedisError):
                    conn.delete(staging)
                raise _translate(err) from err
            except BaseException:
                with contextlib.suppress(redis.exceptions.RedisError):
                    conn.delete(staging)
                raise

    def exists(self) -> bool:
        try:
            return bool(self._db.connection.exists(self.graph_name))
        except redis.exceptions.RedisError as err:
            raise _translate(err) from err

    def drop(self) -> None:
        """Delete the graph (tests give each module its own graph name)."""
        drop = self._admin.connection.pipeline(transaction=True)
        drop.delete(self.graph_name)
        drop.set(generation_key(self.graph_name), new_token())
        drop.execute()
        wrote()

    def close(self) -> None:
        self._db.connection.close()
        self._admin.connection.close()
