"""A real Neo4j Community 5.26 without Docker: the published jars, run by a short launcher.

`tests/neo4j_server/` holds a pinned `pom.xml` and one Java class. `build()` asks
Maven for it (offline when `~/.m2` already has the artifacts, online otherwise);
`LocalNeo4j` starts the JVM with a data directory and a `neo4j.conf` in a folder
of its own, Bolt on a free loopback port and auth on with a generated password,
and reads the Bolt URI the launcher prints once it is ready.

The JVM never outlives us: it stops when its standard input closes, which the
kernel does when this process dies however it dies, and the kernel also sends it
SIGTERM then (PR_SET_PDEATHSIG). `stop()` closes the pipe and waits.

Used by the test suite (tests/conftest.py) and the benchmarks (bench/).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import secrets
import selectors
import shutil
import signal
import subprocess
import time
from pathlib import Path

LAUNCHER_DIR = Path(__file__).resolve().parent / "neo4j_server"
MAIN_CLASS = "migkg.Neo4jLauncher"
USER = "neo4j"
# Modest on a 2-core machine that runs the rest of the suite beside it. The
# per-transaction cap is what makes a runaway query fail instead of the server.
SETTINGS = {
    "server.memory.pagecache.size": "128m",
    "db.memory.transaction.total.max": "768m",
    "db.memory.transaction.max": "384m",
    "db.tx_log.rotation.retention_policy": "1 files",
    "server.logs.gc.enabled": "false",
}
HEAP = "1g"
_PR_SET_PDEATHSIG = 1


class Neo4jUnavailable(RuntimeError):
    """The local Neo4j could not be built or started; the message says why."""


def pinned_version() -> str:
    """The Neo4j version `pom.xml` pins."""
    pom = (LAUNCHER_DIR / "pom.xml").read_text(encoding="utf-8")
    match = re.search(r"<neo4j\.version>([^<]+)</neo4j\.version>", pom)
    if not match:
        raise Neo4jUnavailable(f"no <neo4j.version> in {LAUNCHER_DIR / 'pom.xml'}")
    return match.group(1).strip()


def missing_tools() -> str | None:
    """Why the launcher cannot run here, or None when Java and Maven are present."""
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    return f"{' and '.join(missing)} not on PATH" if missing else None


def _built_classpath() -> str | None:
    """The classpath of a build that is newer than pom.xml and the sources, and whose jars
    are all still in ~/.m2; None when Maven has to run."""
    target = LAUNCHER_DIR / "target"
    listing, classes = target / "classpath.txt", target / "classes"
    if not listing.is_file() or not classes.is_dir():
        return None
    inputs = [LAUNCHER_DIR / "pom.xml", *(LAUNCHER_DIR / "src").rglob("*")]
    built = min(listing.stat().st_mtime, *(p.stat().st_mtime for p in classes.rglob("*.class")))
    if any(p.stat().st_mtime > built for p in inputs):
        return None
    deps = listing.read_text(encoding="utf-8").strip()
    if not all(Path(jar).is_file() for jar in deps.split(os.pathsep)):
        return None
    return f"{classes}{os.pathsep}{deps}"


def build() -> str:
    """Compile the launcher and return its classpath (offline first, then online).

    An up-to-date build is reused: even with nothing to do, Maven takes some 6 s of a
    2-core machine, and a test session asks three times."""
    problem = missing_tools()
    if problem:
        raise Neo4jUnavailable(problem)
    reused = _built_classpath()
    if reused is not None:
        return reused
    base = ["mvn", "-q", "-B", "-f", str(LAUNCHER_DIR / "pom.xml"), "compile"]
    offline = subprocess.run([*base[:4], "-o", *base[4:]], capture_output=True, text=True,
                             timeout=600)
    if offline.returncode != 0:  # first run on this machine: fetch from Maven Central
        online = subprocess.run(base, capture_output=True, text=True, timeout=1200)
        if online.returncode != 0:
            tail = (online.stdout + online.stderr).strip().splitlines()[-15:]
            raise Neo4jUnavailable("Maven could not build the Neo4j launcher:\n" + "\n".join(tail))
    target = LAUNCHER_DIR / "target"
    deps = (target / "classpath.txt").read_text(encoding="utf-8").strip()
    return f"{target / 'classes'}{os.pathsep}{deps}"


def _die_with_parent() -> None:  # in the child, between fork and exec
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    os.setpgid(0, 0)  # a terminal's Ctrl-C reaches us, and we stop the JVM cleanly


class LocalNeo4j:
    """One Neo4j server in a JVM, its files under `workdir`."""

    def __init__(self, workdir: Path, *, heap: str = HEAP,
                 settings: dict[str, str] | None = None) -> None:
        self.workdir = workdir
        self.heap = heap
        self.settings = {**SETTINGS, **(settings or {})}
        self.user = USER
        self.password = secrets.token_urlsafe(18)
        self.uri = ""
        self.version = pinned_version()
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return self.workdir / "launcher.log"

    def start(self, classpath: str | None = None, timeout: float = 180.0) -> str:
        """Start the server; return its Bolt URI once it accepts connections."""
        classpath = classpath or build()
        self.workdir.mkdir(parents=True, exist_ok=True)
        conf = self.workdir / "neo4j.conf"
        conf.write_text("".join(f"{k}={v}\n" for k, v in self.settings.items()),
                        encoding="utf-8")
        args = ["java", "-Xms256m", f"-Xmx{self.heap}", "-XX:+UseG1GC",
                "-XX:+ExitOnOutOfMemoryError", "-cp", classpath, MAIN_CLASS,
                str(self.workdir / "home"), str(conf)]
        env = {**os.environ, "MIGKG_NEO4J_TEST_PASSWORD": self.password}
        with open(self.log_path, "wb") as log:
            self._proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env,
                preexec_fn=_die_with_parent,  # noqa: PLW1509
            )
        self.uri = self._await_uri(timeout)
        return self.uri

    def _await_uri(self, timeout: float) -> str:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        deadline = time.monotonic() + timeout
        buffer = b""
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if sel.select(timeout=0.5):
                    chunk = os.read(proc.stdout.fileno(), 4096)
                    if not chunk:
                        break
                    buffer += chunk
                    for line in buffer.decode("utf-8", "replace").splitlines():
                        if line.startswith("bolt://"):
                            return line.strip()
                elif proc.poll() is not None:
                    break
        self.stop()
        tail = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-20:]
        raise Neo4jUnavailable(
            f"Neo4j {self.version} did not print its Bolt URI within {timeout:.0f} s "
            f"(log: {self.log_path}):\n" + "\n".join(tail))

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server and wait for the JVM to exit."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            if proc.stdin:
                proc.stdin.close()  # the launcher's cue to shut down cleanly
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout:
            proc.stdout.close()
