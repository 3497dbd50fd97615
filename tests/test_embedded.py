"""The embedded engine: unix socket only, persistent, never orphaned."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import MINI, ROOT, run_cli
from graph.embedded import EmbeddedServer
from graph.falkor import FalkorBackend


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split()[2] != "Z"


def test_listens_on_unix_socket_only(server: EmbeddedServer, backend: FalkorBackend) -> None:
    conn = backend._db.connection
    assert conn.config_get("port") == {"port": "0"}
    assert server.socket_path.parent == server.home
    assert oct(server.socket_path.stat().st_mode & 0o777) == "0o700"


def test_persists_across_restart(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run = run_cli("load", "--data", str(MINI), home=home, graph="persist")
    assert run.returncode == 0, run.stderr
    assert not (home / "falkordb.sock").exists()  # the CLI stopped its server on exit
    run = run_cli("stats", "--json", home=home, graph="persist")
    assert run.returncode == 0, run.stderr
    assert '"Country": 2' in run.stdout


def test_child_dies_with_killed_parent(tmp_path: Path) -> None:
    home = tmp_path / "home"
    code = (
        "import sys, time; from pathlib import Path; from graph.embedded import EmbeddedServer;"
        "s = EmbeddedServer(Path(sys.argv[1])); s.ensure(); print(s._proc.pid, flush=True);"
        "time.sleep(120)"
    )
    parent = subprocess.Popen([sys.executable, "-c", code, str(home)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert _alive(child)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 60  # generous: on a busy machine the kernel may take a while
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child), "FalkorDB outlived its killed parent"


def test_second_process_reuses_running_server(server: EmbeddedServer, backend: FalkorBackend) -> None:
    run = run_cli("load", "--data", str(MINI), home=server.home, graph=backend.graph_name)
    assert run.returncode == 0, run.stderr
    assert server.owned  # still ours, not replaced by the CLI's
    assert backend.read("MATCH (n:`Country`) RETURN count(n)").scalar() == 2
