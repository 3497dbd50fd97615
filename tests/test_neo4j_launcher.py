"""The local Neo4j launcher never leaves a JVM behind, however its owner ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import ROOT
from neo4j_local import build, missing_tools

pytestmark = pytest.mark.neo4j

OWNER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from neo4j_local import LocalNeo4j
    server = LocalNeo4j(Path({workdir!r}))
    server.start({classpath!r})
    print(server.pid, server.uri, flush=True)
    time.sleep(600)
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended


def test_jvm_stops_when_its_owner_dies(tmp_path: Path) -> None:
    """Two owners at once, one killed (no finaliser runs: the kernel has to tell the JVM)
    and one terminated: their JVMs start side by side, so the test waits for one start."""
    if missing_tools():
        pytest.skip(f"the local launcher needs Java and Maven: {missing_tools()}")
    classpath = build()
    owners = {}
    for sig in (signal.SIGKILL, signal.SIGTERM):
        script = OWNER.format(tests=str(ROOT / "tests"), workdir=str(tmp_path / sig.name),
                              classpath=classpath)
        owners[sig] = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                                       text=True)
    jvms = {}
    for sig, owner in owners.items():
        assert owner.stdout is not None
        line = owner.stdout.readline().split()
        assert len(line) == 2 and line[1].startswith("bolt://127.0.0.1:"), (sig, line)
        jvms[sig] = int(line[0])
        assert _alive(jvms[sig])
    for sig, owner in owners.items():
        owner.send_signal(sig)
        owner.wait(10)
    deadline = time.monotonic() + 60
    while any(_alive(jvm) for jvm in jvms.values()) and time.monotonic() < deadline:
        time.sleep(0.2)
    outlived = {sig.name: jvm for sig, jvm in jvms.items() if _alive(jvm)}
    assert outlived == {}, f"JVMs outlived their owners: {outlived}"
