"""The query console's own engine: ad-hoc Cypher can never slow the rest of the service.

Analysts' ad-hoc statements run on a second FalkorDB process, started from the
same persisted `graph.rdb` as the main engine, and never on the main engine that
serves named queries, entity pages and exports. Around each statement:

- `graph/guard.py` rejects what no parser should be fed (size, nesting,
  parameters) before anything is sent;
- the console engine caps each query's memory (`QUERY_MEM_CAPACITY`), the rows
  it produces (`RESULTSET_SIZE`, so the row cap applies while the result is
  built, not after) and the process's address space;
- a hard wall-clock deadline is enforced from outside: the client's socket
  timeout. A query that overruns it is killed together with its process
  (SIGKILL), whatever the engine was doing (parsing included), and a fresh
  console engine is started at once from `graph.rdb`;
- the answer is read from the socket under a budget of bytes, values and nesting
  and the same deadline (graph/budget.py, graph/falkor_reply.py): the first byte
  over it closes the connection, which ends the engine's work on that answer.

The console engine restarts by itself when `graph.rdb` changes, that is after
every load, so it always answers from the loaded graph.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from typing import Any

import redis
from falkordb.graph import Graph
from redis.backoff import NoBackoff
from redis.retry import Retry

from graph import falkor_reply
from graph.backend import Params
from graph.budget import Budget, Meter
from graph.embedded import DB_FILE, EmbeddedServer
from graph.errors import timed_out
from graph.guard import deadline_seconds
from migkg.exc import BackendUnavailable

log = logging.getLogger(__name__)

QUERY_MEMORY = 256 * 2**20
ADDRESS_SPACE = 4 * 2**30
# As many query threads as the console has slots by default (MIGKG_CONSOLE_CONCURRENCY):
# a query waiting inside the engine for a thread spends its deadline there, and the kill
# at a deadline ends every query on the engine, other clients' too.
THREADS = 4


@dataclass(frozen=True)
class Generation:
    """Which snapshot a console engine was started from."""

    inode: int
    mtime_ns: int
    size: int


def console_of(server: EmbeddedServer) -> ConsoleEngine:
    """This process's console engine beside `server`, started on first use, stopped with it."""
    return server.companion("console", ConsoleEngine)


def snapshot_generation(server: EmbeddedServer) -> Generation | None:
    try:
        st = os.stat(server.home / DB_FILE)
    except FileNotFoundError:
        return None
    return Generation(st.st_ino, st.st_mtime_ns, st.st_size)


class ConsoleEngine:
    """The console's FalkorDB process beside `main`, restarted when it overran or went stale."""

    def __init__(self, main: EmbeddedServer, *, query_memory: int = QUERY_MEMORY,
                 address_space: int = ADDRESS_SPACE) -> None:
        self.main = main
        # One per process: another process's console may hold another snapshot.
        self.server = EmbeddedServer(main.home, name=f"console-{os.getpid()}",
                                     log_name="console", address_space=address_space,
                                     module_args={"QUERY_MEM_CAPACITY": str(query_memory),
                                                  "THREAD_COUNT": str(THREADS)})
        self.kills = 0
        self._lock = threading.Lock()
        self._generation: Generation | None = None
        self._row_cap: int | None = None
        self._graphs: dict[tuple[str, float], Graph] = {}

    def _graph(self, name: str, row_cap: int, deadline: float) -> Graph:
        """`name` on a console engine that holds the current snapshot (starting one if not)."""
        with self._lock:
            generation = snapshot_generation(self.main)
            if generation != self._generation or not self.server.owned:
                self._reset()
                self._generation = generation
                self.server.ensure()
            key = (name, deadline)
            if key not in self._graphs:
                # Its own connection pool, with the deadline as the socket timeout.
                # No retries: redis-py would resend an overrunning query after the timeout.
                conn = redis.Redis(unix_socket_path=str(self.server.socket_path),
                                   socket_timeout=deadline, socket_connect_timeout=2,
                                   decode_responses=True, retry=Retry(NoBackoff(), 0))
                self._graphs[key] = Graph(conn, name)
                self._schema(self._graphs[key])
            graph = self._graphs[key]
            if self._row_cap != row_cap:  # the engine stops producing rows past the cap
                graph.client.execute_command("GRAPH.CONFIG", "SET", "RESULTSET_SIZE",
                                             str(row_cap + 1))
                self._row_cap = row_cap
            return graph

    def _schema(self, graph: Graph) -> None:
        """Read the graph's label, type and property names while no row cap applies.

        The client decodes compact results through these names and fetches them
        with procedures, whose answers the row cap would cut; the snapshot never
        changes under a console engine, so they are read once.
        """
        graph.client.execute_command("GRAPH.CONFIG", "SET", "RESULTSET_SIZE", "-1")
        self._row_cap = None
        graph.schema.refresh_labels()
        graph.schema.refresh_relations()
        graph.schema.refresh_properties()

    def query(self, graph: str, cypher: str, params: Params, *, timeout_ms: int, row_cap: int,
              budget: Budget | None = None) -> tuple[list[str], list[list[Any]], bool]:
        """Run one read-only statement: its columns, plain rows and whether the cap cut them.

        The answer is read under `budget` (graph/falkor_reply.py), whose deadline also
        bounds the wait for the engine: past it the engine is killed, with the query.
        """
        budget = (budget or Budget()).with_deadline(timeout_ms)
        deadline = deadline_seconds(timeout_ms)
        for attempt in range(2):
            try:
                handle = self._graph(graph, row_cap, deadline)
            except redis.exceptions.ResponseError:
                raise  # the engine's answer (no such graph, ...): the backend words it
            except redis.exceptions.RedisError as err:
                raise BackendUnavailable(f"the console engine is not answering: {err}") from err
            left_ms = max(1, min(timeout_ms, int(budget.remaining() * 1000)))
            command = ["GRAPH.RO_QUERY", graph, handle._build_params_header(dict(params)) + cypher,
                       "--compact", "timeout", left_ms]
            meter = Meter(budget)
            kills = self.kills
            try:
                reply = falkor_reply.ask(self.server.socket_path, command, meter)
                break
            except TimeoutError as err:  # the engine was still at work: it goes, with the query
                self._kill(f"a query overran its {budget.timeout_ms or timeout_ms} ms deadline")
                raise timed_out(timeout_ms) from err
            except OSError as err:
                # Another query's overrun killed the engine under this one: run it again on
                # the new engine, once, if at least half its time is left; a victim of
                # someone else's query should not pay for it.
                if attempt == 0 and self.kills != kills and budget.remaining() >= deadline / 2:
                    continue
                raise BackendUnavailable(
                    "the console engine stopped while the query ran (another query overran its "
                    "limit, or the engine ran out of memory); try again") from err
        schema = handle.schema
        names = falkor_reply.Names(schema.labels, schema.relationships, schema.properties)
        return falkor_reply.decode(reply, names, meter, row_cap)

    def _reset(self) -> None:
        for graph in self._graphs.values():
            graph.client.close()
        self._graphs.clear()
        self._row_cap = None
        self.server.stop()

    def _kill(self, why: str) -> None:
        with self._lock:
            self.kills += 1
            log.warning("killing the console engine (pid %s): %s", self.server.pid, why)
            self.server.kill()
            self._reset()
            self._generation = None
        self.warm()  # the next analyst need not wait for the new engine

    def warm(self) -> None:
        """Start the console engine in the background, so the first query does not wait."""
        threading.Thread(target=self._restart, name="console-warm", daemon=True).start()

    def _restart(self) -> None:
        with self._lock:
            try:
                generation = snapshot_generation(self.main)
                if generation != self._generation and self.server.owned:
                    # A running engine holds an older snapshot: recording the new one's
                    # generation without a restart left the console answering from it.
                    self._reset()
                self._generation = generation
                self.server.ensure()
            except BackendUnavailable as err:
                log.warning("could not restart the console engine: %s", err)

    def stop(self) -> None:
        with self._lock:
            self._reset()
