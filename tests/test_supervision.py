"""An engine that is owned and supervised, and loads that never leave a lie behind.

Each test gets a home of its own and real FalkorDB processes: `serve` owns its
engine even when another process started it, a killed engine comes back with
the persisted graph, staging graphs of interrupted loads are removed, and a load
whose snapshot cannot be written leaves the served and persisted graph as it was.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import MINI, ROOT, run_cli
from graph.embedded import DB_FILE, EmbeddedServer, _ping
from graph.falkor import FalkorBackend
from loaders.facts import Facts
from loaders.pipeline import load_facts, loaded_digest, read_facts
from migkg.exc import BackendUnavailable


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def mini() -> Facts:
    return read_facts(MINI)


@pytest.fixture
def owned(home: Path) -> Iterator[EmbeddedServer]:
    server = EmbeddedServer(home)
    server.own()
    yield server
    server.stop()


def _wait(predicate: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def test_a_killed_engine_comes_back_with_the_persisted_graph(
    owned: EmbeddedServer, facts: Facts
) -> None:
    backend = FalkorBackend(owned, "g")
    load_facts(facts, backend)
    first = owned.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    _wait(lambda: owned.pid not in (None, first) and _ping(owned.socket_path))
    assert owned.restarts == 1
    assert loaded_digest(backend) == facts.digest  # reloaded from graph.rdb
    log = (owned.home / "falkordb.log").read_text()
    assert "Ready to accept connections" in log
    backend.close()


def test_ready_reports_the_outage_and_recovers(owned: EmbeddedServer, facts: Facts) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from migkg.settings import Settings

    backend = FalkorBackend(owned, "g")
    load_facts(facts, backend)
    with TestClient(create_app(Settings(), backend=backend)) as client:
        assert client.get("/ready").status_code == 200
        owned.kill()
        statuses = set()
        deadline = time.monotonic() + 60  # generous: a busy machine restarts the engine late
        while time.monotonic() < deadline:
            status = client.get("/ready").status_code
            statuses.add(status)
            assert client.get("/health").status_code == 200
            if status == 200 and 503 in statuses:
                break
            time.sleep(0.02)
    assert statuses == {200, 503}, statuses
    backend.close()


OTHER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from graph.embedded import EmbeddedServer
    server = EmbeddedServer(Path(sys.argv[1]))
    server.ensure()
    print(server.pid, flush=True)
    time.sleep(600)
""")


def test_serve_takes_over_an_engine_another_process_started(home: Path) -> None:
    other = subprocess.Popen([sys.executable, "-c", OTHER, str(home)], stdout=subprocess.PIPE,
                             text=True, cwd=ROOT)
    try:
        assert other.stdout is not None
        their_pid = int(other.stdout.readline())
        server = EmbeddedServer(home)
        server.own()
        try:
            assert server.owned and server.pid != their_pid
            other.kill()  # the short-lived command ends: our engine stays
            other.wait(10)
            time.sleep(0.3)
            assert _ping(server.socket_path) and server.restarts == 0
        finally:
            server.stop()
    finally:
        other.kill()
        other.wait(10)


def test_a_second_serve_on_one_home_is_refused(owned: EmbeddedServer) -> None:
    with pytest.raises(BackendUnavailable, match="another `migkg serve` owns the engine"):
        EmbeddedServer(owned.home).own()


def test_staging_graphs_of_interrupted_loads_are_removed(owned: EmbeddedServer,
                                                        mini: Facts) -> None:
    backend = FalkorBackend(owned, "g")
    conn = backend._db.connection
    backend._db.select_graph("g__staging_deadbeef").query("CREATE (:X {id: 1})")
    backend._db.select_graph("other__staging_0badf00d").query("CREATE (:X {id: 1})")
    load_facts(mini, backend)  # the next load removes both
    assert sorted(conn.scan_iter(match="*__staging_*")) == []
    backend._db.select_graph("g__staging_cafe").query("CREATE (:X {id: 1})")
    assert backend.remove_staging() == 1  # and so does the next start (`own_engine`)
    backend.close()


def test_a_load_whose_snapshot_cannot_be_written_changes_nothing(
    owned: EmbeddedServer, mini: Facts, facts: Facts
) -> None:
    backend = FalkorBackend(owned, "g")
    load_facts(facts, backend)
    rdb = owned.home / DB_FILE
    saved = rdb.read_bytes()
    rdb.unlink()
    rdb.mkdir()  # SAVE writes a temporary file, then cannot rename it onto a directory
    try:
        with pytest.raises(BackendUnavailable, match="could not persist the new graph"):
            load_facts(mini, backend)
    finally:
        rdb.rmdir()
        rdb.write_bytes(saved)
    assert loaded_digest(backend) == facts.digest  # still served: the old graph
    assert sorted(backend._db.connection.scan_iter(match="*__staging_*")) == []
    backend.close()


def test_load_via_cli_reports_an_unwritable_snapshot_in_one_line(
    owned: EmbeddedServer,
) -> None:
    home = owned.home  # the CLI reuses the running engine
    assert run_cli("load", home=home, graph="g").returncode == 0
    (home / DB_FILE).unlink()
    (home / DB_FILE).mkdir()
    proc = run_cli("load", "--full", home=home, graph="g")
    (home / DB_FILE).rmdir()
    assert proc.returncode == 1
    lines = [ln for ln in proc.stderr.strip().splitlines() if not ln.strip().startswith("loading ")]
    assert len(lines) == 1 and "could not persist the new graph" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


def test_concurrent_loads_wait_for_each_other(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "MIGKG_HOME": str(home), "MIGKG_GRAPH": "g"}
    exe = str(Path(sys.executable).parent / "migkg")
    procs = [subprocess.Popen([exe, "load"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], results
    stats = run_cli("stats", "--json", home=home, graph="g")
    assert stats.returncode == 0 and '"Country"' in stats.stdout


@pytest.mark.parametrize("delay", [0.05, 0.2, 0.4, 0.8])
def test_load_killed_at_any_point_leaves_the_old_graph_or_the_new(
    owned: EmbeddedServer, facts: Facts, mini: Facts, delay: float
) -> None:
    backend = FalkorBackend(owned, "g")
    load_facts(mini, backend)
    env = {**os.environ, "MIGKG_HOME": str(owned.home), "MIGKG_GRAPH": "g"}
    exe = str(Path(sys.executable).parent / "migkg")
    proc = subprocess.Popen([exe, "load", "--full"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.kill()
    proc.wait(10)
    assert loaded_digest(backend) in {mini.digest, facts.digest}
    load_facts(mini, backend)  # the next load clears whatever the killed one left
    assert sorted(backend._db.connection.scan_iter(match="*__staging_*")) == []
    assert loaded_digest(backend) == mini.digest
    backend.close()


# uvicorn's timeout_graceful_shutdown in `migkg serve`: in-flight requests get that long.
GRACE_S = 3


def test_serve_shuts_down_within_seconds_with_a_query_in_flight(tmp_path: Path) -> None:
    """SIGTERM ends serve with a query in flight that is allowed ten minutes.

    The bound, five times the grace period, tells "stopped" from "waited for the query";
    it is no claim about speed."""
    import httpx

    from conftest import _free_port

    port = _free_port()
    home = tmp_path / "home"
    env = {**os.environ, "MIGKG_HOME": str(home), "MIGKG_QUERY_TIMEOUT_MS": "600000"}
    exe = str(Path(sys.executable).parent / "migkg")
    serve = subprocess.Popen([exe, "serve", "--port", str(port)], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait(lambda: _answers(f"{url}/ready"), timeout=60)
        hostile = "RETURN size(reduce(s = '', x IN range(1, 1000000) | s + 'xxxxxxxxxx'))"
        client = httpx.Client(timeout=120)
        import threading

        threading.Thread(target=lambda: _swallow(client.post, f"{url}/v1/cypher",
                                                 json={"query": hostile}), daemon=True).start()
        # In flight: the request has started the console engine it runs on.
        _wait(lambda: any(_ping(s) for s in home.glob("console-*.sock")), timeout=60)
        started = time.monotonic()
        serve.send_signal(signal.SIGTERM)
        serve.wait(60)
        assert time.monotonic() - started < 5 * GRACE_S
    finally:
        serve.kill()
        serve.wait(10)
    def engines() -> str:
        return subprocess.run(["pgrep", "-f", f"unixsocket:{home}"],
                              capture_output=True, text=True).stdout.strip()

    deadline = time.monotonic() + 60  # an engine told to stop may take a moment
    while engines() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert engines() == "", "an engine outlived serve"


def _answers(url: str) -> bool:
    import httpx

    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _swallow(fn: object, *args: object, **kwargs: object) -> None:
    import contextlib

    import httpx

    with contextlib.suppress(httpx.HTTPError):
        fn(*args, **kwargs)  # type: ignore[operator]
