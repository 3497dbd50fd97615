"""The Neo4j backend: Neo4j 5 or Aura through the official driver.

`bolt://` reaches one server; `neo4j://` routes, with reads going to readers.
The `+s` and `+ssc` forms of both add TLS.

Reads run in managed read transactions with a server-side timeout. The server
refuses writes in a read transaction; the update counters are also checked
after each statement, and a statement that changed anything is rolled back.

`replace_graph` keeps the promise the embedded engine keeps with RENAME:
readers see either the old graph or the new one, and a failed load leaves the
old one. Community Edition cannot rename or swap databases, so the swap is a
transaction:

1. uniqueness constraints (`create_indexes`) are created first, each in its
   own transaction, since Neo4j does not allow schema and data changes in one
   transaction;
2. `build` runs against a writer that records its statements;
3. one managed write transaction runs `MATCH (n) DETACH DELETE n`, then every
   recorded statement, then commits. Readers keep seeing the committed old
   graph until then; any error rolls everything back.

The unit of replacement is the whole database `NEO4J_DATABASE`, as the embedded
engine replaces the whole graph `MIGKG_GRAPH`: give migkg a database of its own.
The cost is that the whole load is one transaction, held in server memory;
that is fine for curated data (thousands of facts). docs/neo4j.md says how a
very large load would be committed in batches and what that gives up.
"""

from __future__ import annotations

import contextlib
import logging
import re
import secrets
import threading
from collections.abc import Callable
from typing import Any

import neo4j
from neo4j import exceptions as nx

from graph.backend import READ_TIMEOUT_MS, Params, Result, StatementHook, Writer
from graph.budget import Budget, Meter
from graph.errors import (
    WRITE_REFUSED,
    memory_exceeded,
    missing_parameters,
    statement_error,
    timed_out,
)
from graph.guard import check_params, check_statement
from graph.meta import META_LABEL, wrote
from graph.neo4j_answer import Reading, over_budget, read_metered, to_plain
from migkg import __version__
from migkg.exc import BackendUnavailable, MigkgError, QueryRejected
from migkg.settings import Settings

# The driver logs routing failures at ERROR; with no handler anywhere, Python's
# last-resort handler would print them to stderr beside our own one-line error.
logging.getLogger("neo4j").addHandler(logging.NullHandler())
log = logging.getLogger(__name__)

CLEAR = "MATCH (n) DETACH DELETE n"
EXISTS = f"MATCH (m:`{META_LABEL}`) RETURN count(m) > 0 AS present"
SCHEMES = {"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}
READ_RETRY_SECONDS = 5.0
_ACCESS_MODE_CODES = {
    "Neo.ClientError.Statement.AccessMode",
    "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase",
    "Neo.ClientError.General.ReadOnly",
    "Neo.ClientError.Transaction.ForbiddenDueToTransactionType",
}
_DB_NOT_FOUND = "Neo.ClientError.Database.DatabaseNotFound"
_PARAMETER_MISSING = "Neo.ClientError.Statement.ParameterMissing"
_NAME = re.compile(r"^(`[^`]+`|[A-Za-z_][A-Za-z0-9_]*)$")
_REASON = re.compile(r"\(reason (.+)\)\s*$", re.S)
_ERRNO = re.compile(r"^\[Errno -?\d+\] ")


def _is_timeout(err: nx.Neo4jError) -> bool:
    code = err.code or ""
    return "TimedOut" in code or (
        code.endswith("Transaction.Terminated") and "timeout" in (err.message or "").lower()
    )


def _is_memory(err: nx.Neo4jError) -> bool:
    code = err.code or ""
    return "MemoryPoolOutOfMemoryError" in code or "TransactionMemoryLimit" in code \
        or "MemoryLimitExceeded" in code


def _reason(err: BaseException) -> str:
    """The most specific one-line cause of a connection failure."""
    deepest: BaseException = err
    for _ in range(8):
        nested: BaseException | None = (
            deepest.exceptions[0]
            if isinstance(deepest, BaseExceptionGroup) and deepest.exceptions
            else deepest.__cause__
        )
        if nested is None:
            break
        deepest = nested
    text = str(deepest) or str(err) or type(err).__name__
    match = _REASON.search(text)
    return _ERRNO.sub("", " ".join((match.group(1) if match else text).split()))


def constraint_statement(label: str, prop: str) -> str:
    """The uniqueness constraint on `prop` for `label` (a backticked or plain name)."""
    return (f"CREATE CONSTRAINT IF NOT EXISTS FOR (n:{_name(label)}) "
            f"REQUIRE n.{_name(prop)} IS UNIQUE")


def _name(name: str) -> str:
    """A label or property name, safe to place in a statement (backticked or plain)."""
    if not _NAME.match(name):
        raise ValueError(f"not a safe label or property name: {name!r}")
    return name


class _RecordingWriter:
    """Collects the build's statements; constraints are created at once, outside it."""

    def __init__(self, backend: Neo4jBackend) -> None:
        self._backend = backend
        self.statements: list[tuple[str, dict[str, Any]]] = []

    def create_indexes(self, labels: list[str], properties: list[str]) -> None:
        for label in labels:
            for prop in properties:
                self._backend._schema(constraint_statement(label, prop))

    def run(self, cypher: str, params: Params | None = None) -> None:
        self._backend._hook(cypher)
        self.statements.append((cypher, dict(params or {})))


class Neo4jBackend:
    """GraphBackend on Neo4j 5 / Aura through the official driver."""

    name = "neo4j"

    def __init__(self, settings: Settings, statement_hook: StatementHook | None = None) -> None:
        self.uri = settings.neo4j_uri
        self.user = settings.neo4j_user
        self.database = settings.neo4j_database
        self.statement_hook = statement_hook
        scheme = self.uri.partition("://")[0].lower()
        if scheme not in SCHEMES:
            raise BackendUnavailable(
                f"cannot reach Neo4j at {self.uri}: unsupported URI scheme {scheme!r} "
                f"(use one of {', '.join(sorted(SCHEMES))})"
            )
        driver: neo4j.Driver | None = None
        try:
            driver = neo4j.GraphDatabase.driver(
                self.uri,
                auth=(self.user, settings.neo4j_password.get_secret_value()),
                connection_timeout=15.0,
                user_agent=f"migkg/{__version__}",
            )
            driver.verify_connectivity()
            self._driver = driver
            with self._session(neo4j.READ_ACCESS) as session:  # the database must exist
                session.execute_read(lambda tx: tx.run("RETURN 1").consume())
        except (nx.DriverError, nx.Neo4jError, OSError, ValueError) as err:
            if driver is not None:
                driver.close()
            raise BackendUnavailable(f"cannot reach Neo4j at {self.uri}: {self._why(err)}") from err

    # -- reads -----------------------------------------------------------------

    def read(
        self,
        cypher: str,
        params: Params | None = None,
        *,
        timeout_ms: int | None = None,
        row_cap: int | None = None,
    ) -> Result:
        return self._read(cypher, params, timeout_ms=timeout_ms, row_cap=row_cap)

    def _read(self, cypher: str, params: Params | None = None, *, timeout_ms: int | None = None,
              row_cap: int | None = None, metadata: dict[str, Any] | None = None,
              meter: Meter | None = None, reading: Reading | None = None) -> Result:
        """One read transaction; with a `meter`, the answer is read under its budget
        (graph/neo4j_answer.py): counted at the socket and record by record, in a region
        where `reading` can stop the thread."""
        self._hook(cypher)
        args = dict(params or {})
        timeout_ms = READ_TIMEOUT_MS if timeout_ms is None else timeout_ms

        @neo4j.unit_of_work(timeout=timeout_ms / 1000 if timeout_ms else None, metadata=metadata)
        def work(tx: neo4j.ManagedTransaction | neo4j.Transaction) -> Result:
            try:
                if meter is None:
                    res = tx.run(cypher, args)
                    columns = list(res.keys())
                    records = res.fetch(row_cap + 1) if row_cap is not None else list(res)
                    summary = res.consume()  # discards rows past the cap without fetching them
                    rows = None
                else:
                    columns, rows, truncated, summary = read_metered(tx, cypher, args, row_cap,
                                                                     meter, reading)
            except nx.Neo4jError as err:
                # Not retryable, whatever the driver thinks: leave its retry loop now.
                if _is_timeout(err):
                    raise timed_out(timeout_ms) from err
                if _is_memory(err):
                    raise memory_exceeded() from err
                raise
            except (nx.DriverError, OSError, RecursionError) as err:
                why = over_budget(meter, err, timeout_ms) if meter is not None else err
                if why is err:
                    raise
                raise why from err  # the budget, not the connection, ended the read
            counters = summary.counters
            if counters.contains_updates or counters.contains_system_updates:
                raise QueryRejected(WRITE_REFUSED)  # raised inside: the driver rolls back
            if rows is None:
                truncated = row_cap is not None and len(records) > row_cap
                rows = [[to_plain(v) for v in r.values()] for r in records[:row_cap]]
            return Result(columns, rows, truncated)

        try:
            with self._session(neo4j.READ_ACCESS, READ_RETRY_SECONDS) as session:
                if meter is None:
                    return session.execute_read(work)
                # An ad-hoc statement runs once, in a transaction of its own: the driver's
                # retry would run it again after the budget cut its connection.
                tx = session.begin_transaction(
                    metadata=metadata, timeout=timeout_ms / 1000 if timeout_ms else None)
                try:
                    return work(tx)
                finally:
                    with contextlib.suppress(nx.DriverError, nx.Neo4jError, OSError):
                        tx.close()
        except nx.Neo4jError as err:
            if err.code == _PARAMETER_MISSING:
                raise missing_parameters(cypher, args) from err
            if _is_timeout(err):
                raise timed_out(timeout_ms) from err
            translated = self._translate(err, reading=True)
            if type(translated) is QueryRejected and translated.detail != WRITE_REFUSED:
                translated = statement_error(cypher, err.message or str(err))
            raise translated from err
        except nx.DriverError as err:
            raise self._translate(err, reading=True) from err

    def console_read(self, cypher: str, params: Params | None = None, *, timeout_ms: int,
                     row_cap: int, budget: Budget | None = None) -> Result:
        """An analyst's statement: checked, then a read transaction under the server's
        timeout and per-transaction memory cap (`db.memory.transaction.max`), with the
        rows past the cap discarded on the server, and its answer read under `budget`
        (graph/budget.py): past it the connection is closed and the transaction ended."""
        args = dict(params or {})
        check_statement(cypher)
        check_params(args)
        budget = (budget or Budget()).with_deadline(timeout_ms)
        meter = Meter(budget)
        reading = Reading()
        # Neo4j checks its timeout between rows, not inside one long expression
        # (a `reduce` over a million strings), so the deadline is also kept here:
        # past it the transaction is terminated and the caller answered at once.
        token = secrets.token_hex(8)
        outcome: list[Result | BaseException] = []
        done = threading.Event()

        def run() -> None:
            try:
                outcome.append(self._read(cypher, args, timeout_ms=timeout_ms, row_cap=row_cap,
                                          metadata={"migkg_console": token}, meter=meter,
                                          reading=reading))
            except BaseException as err:  # noqa: BLE001 - handed to the caller's thread
                outcome.append(err)
            finally:
                done.set()

        def terminate() -> None:
            threading.Thread(target=self._terminate, args=(token,), name="neo4j-terminate",
                             daemon=True).start()

        threading.Thread(target=run, name="neo4j-console", daemon=True).start()
        if not done.wait(budget.remaining()):
            reading.stop()  # where it is: waiting for the server, reading or decoding
            terminate()
            raise timed_out(timeout_ms)
        if isinstance(outcome[0], BaseException):
            if meter.over is not None:
                terminate()
            raise outcome[0]
        return outcome[0]

    def _terminate(self, token: str) -> None:
        """Terminate the console transaction tagged `token` (best effort)."""
        try:
            with self._session(neo4j.WRITE_ACCESS, 0) as session:
                ids = [r["transactionId"] for r in session.run(
                    "SHOW TRANSACTIONS YIELD transactionId, metaData "
                    "WHERE metaData.migkg_console = $token RETURN transactionId", token=token)]
                if ids:
                    session.run("TERMINATE TRANSACTIONS $ids", ids=ids).consume()
        except (nx.DriverError, nx.Neo4jError) as err:
            log.warning("could not terminate an overrunning console query: %s", err)

    def exists(self) -> bool:
        return bool(self.read(EXISTS).scalar())

    # -- writes ----------------------------------------------------------------

    def replace_graph(self, build: Callable[[Writer], None]) -> None:
        try:
            self._write(build, clear=True)
        finally:
            wrote()

    def update_graph(self, build: Callable[[Writer], None]) -> None:
        """Apply `build`'s statements to the graph in one write transaction (a reload's diff)."""
        try:
            self._write(build, clear=False)
        finally:
            wrote()

    def _write(self, build: Callable[[Writer], None], *, clear: bool) -> None:
        """Record `build`'s statements, then run them (after CLEAR if asked) in one transaction."""
        writer = _RecordingWriter(self)
        build(writer)  # raises before anything is written: the graph stays
        statements = writer.statements
        if clear:
            self._hook(CLEAR)
            statements = [(CLEAR, {}), *statements]

        def work(tx: neo4j.ManagedTransaction) -> None:
            for text, params in statements:
                tx.run(text, params).consume()

        try:
            with self._session(neo4j.WRITE_ACCESS) as session:
                session.execute_write(work)
        except (nx.DriverError, nx.Neo4jError) as err:
            raise self._translate(err, reading=False) from err

    def _schema(self, statement: str) -> None:
        """Run one schema statement in its own write transaction."""
        self._hook(statement)
        try:
            with self._session(neo4j.WRITE_ACCESS) as session:
                session.execute_write(lambda tx: tx.run(statement).consume())
        except (nx.DriverError, nx.Neo4jError) as err:
            raise self._translate(err, reading=False) from err

    def close(self) -> None:
        self._driver.close()

    # -- plumbing --------------------------------------------------------------

    def _hook(self, statement: str) -> None:
        if self.statement_hook:
            self.statement_hook(statement)

    def _session(self, mode: str, retry_seconds: float = 30.0) -> neo4j.Session:
        return self._driver.session(
            database=self.database,
            default_access_mode=mode,
            max_transaction_retry_time=retry_seconds,
            # causal consistency: a read after a load in this process sees it, on any member
            bookmark_manager=self._driver.execute_query_bookmark_manager,
        )

    def _why(self, err: BaseException) -> str:
        if isinstance(err, nx.AuthError):
            return (f"authentication failed for user {self.user!r} "
                    "(check NEO4J_USER and NEO4J_PASSWORD)")
        if isinstance(err, nx.Neo4jError) and err.code == _DB_NOT_FOUND:
            return f"database {self.database!r} does not exist (check NEO4J_DATABASE)"
        if isinstance(err, nx.Neo4jError):
            return " ".join((err.message or str(err)).split())
        return f"{_reason(err)} (check NEO4J_URI and that the server is running)"

    def _translate(self, err: nx.DriverError | nx.Neo4jError, *, reading: bool) -> MigkgError:
        if isinstance(err, nx.AuthError):
            return BackendUnavailable(f"Neo4j at {self.uri}: {self._why(err)}")
        if isinstance(err, nx.ServiceUnavailable | nx.SessionExpired):
            return BackendUnavailable(f"Neo4j at {self.uri} is not answering: {self._why(err)}")
        if not isinstance(err, nx.Neo4jError):
            return BackendUnavailable(f"Neo4j at {self.uri}: {_reason(err)}")
        code, message = err.code or "", err.message or str(err)
        if _is_timeout(err):
            return timed_out(None)
        if code == _DB_NOT_FOUND:
            return BackendUnavailable(f"Neo4j at {self.uri}: {self._why(err)}")
        if reading and (code in _ACCESS_MODE_CODES or isinstance(err, nx.Forbidden)):
            return QueryRejected(WRITE_REFUSED)
        if isinstance(err, nx.ClientError):
            return QueryRejected(message)
        # transient errors that outlived the retries, and server-side failures
        return BackendUnavailable(f"Neo4j at {self.uri} could not run the statement: {message}")
