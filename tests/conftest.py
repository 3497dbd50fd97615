"""Shared fixtures: one real embedded FalkorDB and one real Neo4j per test session.

Each test module gets a fresh FalkorDB graph. Neo4j comes, in this order of
preference, from `NEO4J_URI` (an external server), from a testcontainers
container where a Docker engine answers, or from the pinned jars in
`tests/neo4j_server/` where Java and Maven are present (tests/neo4j_local.py).
Without any of them the Neo4j tests skip with the reason, unless
`MIGKG_REQUIRE_NEO4J=1` (set by .ci/run) turns the skip into a failure.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

from cypher.registry import get_registry
from graph.backend import GraphBackend
from graph.embedded import EmbeddedServer
from graph.falkor import FalkorBackend
from graph.neo4j_backend import Neo4jBackend
from loaders.facts import Facts
from loaders.pipeline import load_facts, loaded_digest, read_facts
from migkg.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
# The reference copy of the source texts, when present (MIGKG_TEST_SEEDS=/nonexistent: as a clone).
SEEDS = Path(os.environ.get("MIGKG_TEST_SEEDS") or ROOT.parent / "shared" / "seeds")
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
# Facts in YAML for the mini folder (its document doc-a says "about Serbia").
MINI_SOURCE = "    sources:\n      - doc: doc-a\n        quote: \"about Serbia\"\n"
MINI_AGREEMENT = "    agreement_type: agreement\n    status: to_be_signed\n"


def mini_entity(kind: str, ident: str, name: str, extra: str = "") -> str:
    """One entity of a `entities:` list, citing the mini folder's document."""
    return f"  - kind: {kind}\n    id: {ident}\n    name: {name}\n{extra}{MINI_SOURCE}"


def mini_rel(rtype: str, source: str, target: str, extra: str = "") -> str:
    """One relationship of a `relationships:` list, citing the mini folder's document."""
    return f"  - type: {rtype}\n    from: {source}\n    to: {target}\n{extra}{MINI_SOURCE}"
ARTIFACTS = ROOT / "artifacts"


class Recorded(set[str]):
    """A set of statements that hands each new one to a background linter, when one runs."""

    linter: Any = None
    linting = False  # the run lints what it records (test_zz_cypher_lint.py collected)

    def add(self, statement: str) -> None:
        if statement not in self:
            super().add(statement)
            if self.linter is not None:
                self.linter.submit(statement)


# Every statement sent to the embedded engine during the run; test_zz_cypher_lint.py
# checks them all with Neo4j's own parser. When it is collected, a low-priority Node
# process lints them as they come (on the core the tests leave idle), so the final check
# finds most of them done: it took some 80 s at the end of a run.
RECORDED = Recorded()


@pytest.hookimpl(tryfirst=True)  # a worker writes its groups before xdist reports its collection
def pytest_collection_finish(session: pytest.Session) -> None:
    _write_groups(session)
    _start_neo4j_early(session)
    final = [item for item in session.items if "test_zz_cypher_lint.py::" in item.nodeid]
    if not final:
        return
    from cypher_lint.neo4j_lint import Background, available

    if available():
        RECORDED.linting = True
        RECORDED.linter = Background()
        for statement in sorted(final[0].module.static_statements()):  # type: ignore[attr-defined]
            RECORDED.linter.submit(statement)


def pytest_sessionfinish(session: pytest.Session) -> None:
    for run in NEO4J_FOR_RUN:  # started, but no test asked for it (deselected, failed early)
        run.stop()
    if RECORDED.linter is not None:
        RECORDED.linter.stop()
        RECORDED.linter = None
    spool = _worker_spool(session.config)
    if spool:
        _spool_lint(*spool)
    elif LINT_SPOOL:
        _report_spooled_lint(session)


# Under pytest-xdist each worker records the statements of the tests it ran, and
# test_zz_cypher_lint.py runs on one of them only. So each worker lints all it recorded
# when it ends and leaves the problems in a spool; the controller fails the run on any.
LINT_SPOOL: list[Path] = []
LINT_WORKERS: list[str] = []


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist, on the controller: hand each worker the spool it reports its groups and lint to."""
    import tempfile

    if not LINT_SPOOL:
        LINT_SPOOL.append(Path(tempfile.mkdtemp(prefix="migkg-lint-")))
    node.workerinput["spool"] = str(LINT_SPOOL[0])
    LINT_WORKERS.append(node.workerinput.get("workerid", "?"))


def _group(item: pytest.Item) -> str:
    """The worker unit of a test: all the Neo4j tests together (one JVM for the run, and one
    database that no other worker's test rewrites), else its module (whose tests may count
    on each other's order, as without xdist)."""
    if _uses_neo4j(item):
        return "neo4j"
    return item.nodeid.split("::", 1)[0]


def _worker_spool(config: pytest.Config) -> tuple[Path, str] | None:
    """On an xdist worker, the controller's spool and this worker's id; else None."""
    given: dict[str, Any] = getattr(config, "workerinput", {})
    return (Path(given["spool"]), given["workerid"]) if "spool" in given else None


def _write_groups(session: pytest.Session) -> None:
    spool = _worker_spool(session.config)
    if spool:
        import json

        groups = spool[0] / f"groups-{spool[1]}.json"
        groups.with_suffix(".tmp").write_text(
            json.dumps({item.nodeid: _group(item) for item in session.items}), encoding="utf-8")
        groups.with_suffix(".tmp").rename(groups)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """xdist, on the controller: schedule whole groups (`_group`), the largest first come."""
    from xdist.scheduler import LoadScopeScheduling

    class ByGroup(LoadScopeScheduling):  # type: ignore[misc]
        groups: dict[str, str]

        def _split_scope(self, nodeid: str) -> str:
            if not hasattr(self, "groups"):  # read once: every worker has collected by now
                self.groups = {}
                import json

                for file in sorted(LINT_SPOOL[0].glob("groups-*.json")):
                    self.groups.update(json.loads(file.read_text(encoding="utf-8")))
            return self.groups.get(nodeid) or nodeid.split("::", 1)[0]

    return ByGroup(config, log)


def _spool_lint(spool: Path, worker: str) -> None:
    import json

    from cypher_lint.neo4j_lint import lint

    problems = {s: d for s, d in lint(sorted(RECORDED)).items() if d} if RECORDED.linting else {}
    (spool / f"{worker}.json").write_text(json.dumps(
        {"linted": RECORDED.linting, "statements": len(RECORDED), "problems": problems}),
        encoding="utf-8")


def _report_spooled_lint(session: pytest.Session) -> None:
    import json

    from cypher_lint.neo4j_lint import format_problems

    reports = [json.loads(f.read_text(encoding="utf-8"))
               for f in sorted(LINT_SPOOL[0].glob("gw*.json"))]
    shutil.rmtree(LINT_SPOOL[0], ignore_errors=True)
    workers = len(LINT_WORKERS)
    problems = {s: d for report in reports for s, d in report["problems"].items()}
    say = session.config.get_terminal_writer().line
    if not any(report["linted"] for report in reports):
        return  # test_zz_cypher_lint.py was not collected, or Node is missing (it says so)
    if len(reports) < workers:
        say(f"Cypher lint: only {len(reports)} of {workers} workers reported their statements",
            red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    elif problems:
        say("Cypher lint: statements the tests sent are not valid Neo4j Cypher:\n"
            + format_problems(problems), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    else:
        say(f"Cypher lint: {sum(r['statements'] for r in reports):,} statements recorded "
            f"by {len(reports)} workers, all valid Neo4j Cypher")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    srv = EmbeddedServer(tmp_path_factory.mktemp("migkg-home"))
    srv.ensure()
    yield srv
    srv.stop()


def graph_name(request: pytest.FixtureRequest) -> str:
    module = request.module.__name__.rsplit(".", 1)[-1]
    return f"{module}_{secrets.token_hex(3)}"


@pytest.fixture(scope="module")
def backend(server: EmbeddedServer, request: pytest.FixtureRequest) -> Iterator[FalkorBackend]:
    b = FalkorBackend(server, graph_name(request), statement_hook=RECORDED.add)
    yield b
    b.drop()
    b.close()


class Counted:
    """A statement hook that counts what the engine ran (and records it for the Cypher lint)."""

    def __init__(self) -> None:
        self.statements = 0

    def __call__(self, cypher: str) -> None:
        self.statements += 1
        RECORDED.add(cypher)


@pytest.fixture(scope="module")
def counted() -> Counted:
    return Counted()


@pytest.fixture(scope="module")
def counted_graph(server: EmbeddedServer, facts: Facts, counted: Counted,
                  request: pytest.FixtureRequest) -> Iterator[FalkorBackend]:
    """The curated data loaded into a graph of the module's own, its statements counted."""
    b = FalkorBackend(server, graph_name(request), statement_hook=counted)
    load_facts(facts, b)
    yield b
    b.drop()
    b.close()


@pytest.fixture(scope="session")
def facts() -> Facts:
    return read_facts(DATA)


@pytest.fixture(scope="module")
def loaded(backend: FalkorBackend, facts: Facts) -> FalkorBackend:
    load_facts(facts, backend)
    return backend


# The `migkg` command the package installed beside this interpreter.
MIGKG = shutil.which("migkg", path=str(Path(sys.executable).parent)) or "migkg"


def run_cli(*args: str, home: Path, graph: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `migkg` as a user would, against the session's server and a given graph."""
    # The width of the terminal the tests run in (pytest-xdist sets COLUMNS) is not the CLI's.
    ambient = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    full_env = {**ambient, "MIGKG_HOME": str(home), "MIGKG_GRAPH": graph, **env}
    return subprocess.run([MIGKG, *args], capture_output=True, text=True, env=full_env,
                          cwd=ROOT, timeout=120)


@contextmanager
def migkg_serve(port: int, env: dict[str, str], log: Path, *args: str,
                ready_within: float | None = 120.0) -> Iterator[subprocess.Popen[bytes]]:
    """`migkg serve --port PORT ARGS` as a user starts it, stopped at the end.

    Its output goes to `log`, a file: a pipe nobody reads would fill up and stop the
    server mid-line. Yields once `/ready` answers 200, within `ready_within` seconds
    (generous: a busy machine starts it late), and fails at once if the process exits
    or `/ready` reports a load error; with `ready_within=None` it yields at once.
    """
    import time

    import httpx

    with log.open("w") as out:
        proc = subprocess.Popen([MIGKG, "serve", "--port", str(port), *args], cwd=ROOT,
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        if ready_within is not None:
            deadline = time.monotonic() + ready_within
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
                while True:
                    assert proc.poll() is None, log.read_text()
                    try:
                        ready: httpx.Response | None = http.get("/ready")
                    except httpx.TransportError:  # not listening yet
                        ready = None
                    if ready is not None and ready.status_code == 200:
                        break
                    assert ready is None or "error" not in ready.json(), ready.text
                    assert time.monotonic() < deadline, "serve did not become ready"
                    time.sleep(0.1)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def snapshot(backend: GraphBackend) -> tuple[list[Any], list[Any]]:
    """Every node and relationship with all its properties, in a fixed order."""
    nodes = backend.read(
        "MATCH (n) RETURN labels(n) AS labels, n.id AS id, properties(n) AS p ORDER BY id"
    ).rows
    rels = backend.read(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p "
        "ORDER BY a, t, b, r.key"
    ).rows
    for row in nodes:
        row[0] = sorted(row[0])
        row[2].pop("loaded_at", None)
    return nodes, rels


@pytest.fixture(scope="module")
def client(loaded: FalkorBackend) -> Iterator[TestClient]:
    """The API over the module's loaded graph."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from migkg.settings import Settings

    app = create_app(Settings(cors_origins=["https://example.org"]), backend=loaded)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """The app on a real uvicorn server in a thread, as `migkg serve` runs it."""
    import threading
    import time

    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           timeout_graceful_shutdown=3))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60  # generous: a busy machine starts it late
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


# Cheap reads that must keep answering whatever else the service is doing.
PROBES = ("/health", "/ready", "/v1/countries/RS/agreements")


def while_probing(url: str, send: Callable[[httpx.Client], httpx.Response]
                  ) -> tuple[httpx.Response, int, float]:
    """`send` in a thread of its own while the PROBES run again and again.

    Returns its answer, the rounds of probes sent after it and answered while it was
    still in flight, and its seconds. Every probe must answer 200.
    """
    import threading
    import time

    outcome: dict[str, Any] = {}
    sent = threading.Event()
    with httpx.Client(base_url=url, timeout=60) as http, \
            httpx.Client(base_url=url, timeout=120,
                         event_hooks={"request": [lambda _: sent.set()]}) as big:
        for path in PROBES:  # plans cached, JVM warm
            assert http.get(path).status_code == 200

        def run() -> None:
            started = time.perf_counter()
            outcome["res"] = send(big)
            outcome["seconds"] = time.perf_counter() - started

        worker = threading.Thread(target=run)
        worker.start()
        assert sent.wait(30), "the big request was never sent"
        rounds = answered = 0
        while worker.is_alive() or answered < 2:
            for path in PROBES:
                res = http.get(path)
                assert res.status_code == 200, (path, res.text)
            answered += 1
            rounds += worker.is_alive()
            time.sleep(0.02)
        worker.join()
    return outcome["res"], rounds, outcome["seconds"]


# -- Neo4j --------------------------------------------------------------------------------

# Every statement the session's Neo4j backend sent, in order.
NEO4J_SENT: list[str] = []


def _docker_problem() -> str | None:
    try:
        import docker

        docker.from_env(timeout=5).ping()
    except Exception as err:  # noqa: BLE001 - any failure means: no usable engine
        return f"{type(err).__name__}: {str(err)[:120]}"
    return None


def compose_neo4j_image() -> str:
    """The Neo4j image docker-compose.yml runs, so the tests and the stack agree."""
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return str(compose["services"]["neo4j"]["image"])


def _no_neo4j(reason: str) -> None:
    message = f"no Neo4j to test against: {reason}"
    if os.environ.get("MIGKG_REQUIRE_NEO4J") == "1":
        pytest.fail(f"{message} (MIGKG_REQUIRE_NEO4J=1 forbids skipping)", pytrace=False)
    pytest.skip(message)


class Neo4jForRun:
    """The run's Neo4j, started in a background thread as soon as collection ends.

    A JVM takes some 20 s to start; started early, it overlaps the first tests instead
    of stalling the first Neo4j one. `settings()` waits for it; `stop()` ends it.
    """

    def __init__(self, workdir: Path) -> None:
        self._stack = ExitStack()
        # The starting thread lives until stop(): the launcher's JVM gets SIGTERM when the
        # thread that started it ends (PR_SET_PDEATHSIG is per thread).
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="neo4j-start")
        self._future = self._thread.submit(self._start, workdir)

    def _start(self, workdir: Path) -> Settings:
        if os.environ.get("NEO4J_URI"):
            return Settings(backend="neo4j")  # NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD from the env
        docker_problem = _docker_problem()
        if docker_problem is None:
            try:
                from testcontainers.community.neo4j import Neo4jContainer
            except ImportError:  # testcontainers < 4.14
                from testcontainers.neo4j import Neo4jContainer
            password = secrets.token_urlsafe(18)
            container = self._stack.enter_context(
                Neo4jContainer(compose_neo4j_image(), password=password))
            return Settings(backend="neo4j", neo4j_uri=container.get_connection_url(),
                            neo4j_user="neo4j", neo4j_password=password)
        from neo4j_local import LocalNeo4j, Neo4jUnavailable, missing_tools

        tools = missing_tools()
        if tools:
            raise Neo4jUnavailable(
                f"NEO4J_URI is not set, no Docker engine ({docker_problem}), and {tools}")
        server = LocalNeo4j(workdir)
        self._stack.callback(server.stop)
        server.start()
        return Settings(backend="neo4j", neo4j_uri=server.uri, neo4j_user=server.user,
                        neo4j_password=server.password)

    def settings(self) -> Settings:
        from neo4j_local import Neo4jUnavailable

        try:
            return self._future.result()
        except Neo4jUnavailable as err:
            _no_neo4j(str(err))
            raise  # unreachable: _no_neo4j skips or fails

    def stop(self) -> None:
        self._future.cancel()
        with suppress(Exception):  # a start that failed has nothing to stop
            self._future.result()
        self._stack.close()
        self._thread.shutdown()


NEO4J_FOR_RUN: list[Neo4jForRun] = []


def _uses_neo4j(item: pytest.Item) -> bool:
    return bool(item.get_closest_marker("neo4j")) or "neo4j_settings" in getattr(item, "fixturenames", ())


def _start_neo4j_early(session: pytest.Session) -> None:
    """Start the run's Neo4j now when any collected test will use it."""
    if _worker_spool(session.config):
        return  # a worker learns which tests it runs only as it runs them
    if any(_uses_neo4j(item) for item in session.items):
        factory: pytest.TempPathFactory = session.config._tmp_path_factory  # type: ignore[attr-defined]
        NEO4J_FOR_RUN.append(Neo4jForRun(factory.mktemp("neo4j")))


@pytest.fixture(scope="session")
def neo4j_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings that reach a real Neo4j 5: external, container or local jars, in that order."""
    if not NEO4J_FOR_RUN:  # collected without it (a plugin added the fixture late)
        NEO4J_FOR_RUN.append(Neo4jForRun(tmp_path_factory.mktemp("neo4j")))
    run = NEO4J_FOR_RUN[0]
    try:
        yield run.settings()
    finally:
        run.stop()
        NEO4J_FOR_RUN.clear()


@pytest.fixture(scope="session")
def neo(neo4j_settings: Settings) -> Iterator[Neo4jBackend]:
    backend = Neo4jBackend(neo4j_settings, statement_hook=NEO4J_SENT.append)
    yield backend
    backend.close()


def curated(neo: Neo4jBackend, facts: Facts) -> Neo4jBackend:
    """`neo` holding the curated data: reloaded only when a test left something else."""
    if not neo.exists() or loaded_digest(neo) != facts.digest:
        load_facts(facts, neo)
    return neo


@pytest.fixture
def neo_loaded(neo: Neo4jBackend, facts: Facts) -> Neo4jBackend:
    """Neo4j holding the curated data (reloaded when a test left something else)."""
    return curated(neo, facts)


@pytest.fixture(params=["embedded", "neo4j"])
def engine(request: pytest.FixtureRequest, loaded: FalkorBackend) -> FalkorBackend | Neo4jBackend:
    """The curated graph on each engine in turn (mark the test `neo4j`)."""
    if request.param == "embedded":
        return loaded
    neo: Neo4jBackend = request.getfixturevalue("neo_loaded")
    # Plan the named query once with time to spare: a cold JVM on a busy machine plans it slowly.
    get_registry().execute(neo, "agreements_covering_country", {"country": "RS"},
                           Settings(query_timeout_ms=120_000))
    return neo
