"""Loads that never lie: a corpus of broken data folders, each refused with file:line and field.

Every folder under `tests/fixtures/bad/<name>/` holds a tiny data folder (`data/`,
derived from `tests/fixtures/mini/`) and `expected.yaml`: the file, line, field and
message substring of the problem `migkg validate` and `migkg load` must report, the
exit code, and optionally the exact number of problems (no knock-on errors). Cases
git cannot store (a FIFO, symlinks, a directory named x.yaml, raw NUL and non-UTF-8
bytes) are made at run time.

Every case runs through the CLI's `main()` in-process (a thread with a deadline, so
a FIFO that blocked would fail rather than hang); a representative subset also
runs as real `migkg` processes. After every failed load the graph loaded from
`mini/` must be unchanged.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from cli.main import main
from conftest import MINI, run_cli
from graph.embedded import EmbeddedServer
from graph.falkor import FalkorBackend
from graph.meta import read_meta
from graph.stats import graph_stats
from migkg.settings import get_settings

BAD = Path(__file__).resolve().parent / "fixtures" / "bad"
UNCHECKED = "--allow-unchecked-quotes"  # the stored folders carry no sources/ texts
STORED = sorted(p.name for p in BAD.iterdir() if (p / "expected.yaml").is_file())


@dataclass(frozen=True)
class Expected:
    file: str  # relative to the data folder; "." for the folder itself
    line: int
    field: str
    message: str
    exit: int = 1
    count: int | None = None

    def prefix(self, data: Path) -> str:
        where = data if self.file == "." else data / self.file
        return f"{where}:{self.line}: " + (f"{self.field}: " if self.field else "")


def stored_case(name: str) -> tuple[Path, Expected]:
    raw = yaml.safe_load((BAD / name / "expected.yaml").read_text(encoding="utf-8"))
    return BAD / name / "data", Expected(**raw)


# -- cases made at run time --------------------------------------------------------------

def _mini(tmp: Path) -> Path:
    data = tmp / "data"
    shutil.copytree(MINI, data)
    return data


def _edit(data: Path, file: str, old: bytes, new: bytes) -> None:
    raw = (data / file).read_bytes()
    assert raw.count(old) == 1, f"fixture changed: {old!r}"
    (data / file).write_bytes(raw.replace(old, new))


def make_fifo(data: Path) -> None:
    os.mkfifo(data / "pipe.yaml")


def make_symlink_loop(data: Path) -> None:
    os.symlink("loop-b.yaml", data / "loop-a.yaml")
    os.symlink("loop-a.yaml", data / "loop-b.yaml")


def make_dangling_symlink(data: Path) -> None:
    os.symlink("gone.yaml", data / "routes.yaml")


def make_directory(data: Path) -> None:
    (data / "x.yaml").mkdir()


def make_socket(data: Path) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.bind(str(data / "sock.yaml"))


def make_too_large(data: Path) -> None:
    with open(data / "huge.yaml", "wb") as fh:
        fh.truncate(65 * 2**20)  # sparse: costs no disk and is never read


def make_nul(data: Path) -> None:
    _edit(data, "facts.yaml", b"    name: Serbia\n", b"    name: Ser\x00bia\n")


def make_non_utf8(data: Path) -> None:
    _edit(data, "facts.yaml", b"    name: United Kingdom\n", b"    name: United K\xf6nigdom\n")


def make_control(data: Path) -> None:
    _edit(data, "facts.yaml", b"    status: to_be_signed\n", b"    status: to_be_signed\x1b\n")


def make_lone_cr(data: Path) -> None:
    _edit(data, "facts.yaml", b"    role: party\n", b"    role: party\r    colour: red\n")


def make_nel(data: Path) -> None:
    _edit(data, "documents.yaml", b"    file: test.txt\n", "    file: test\u0085.txt\n".encode())


def make_empty(data: Path) -> None:
    for path in data.iterdir():
        shutil.rmtree(path) if path.is_dir() else path.unlink()


RUNTIME: dict[str, tuple[Callable[[Path], None], Expected]] = {
    "fifo": (make_fifo, Expected("pipe.yaml", 1, "", "a FIFO, not a regular file", count=1)),
    "symlink-loop": (make_symlink_loop, Expected("loop-a.yaml", 1, "", "symlink loop")),
    "dangling-symlink": (make_dangling_symlink,
                         Expected("routes.yaml", 1, "", "dangling symlink to 'gone.yaml'", count=1)),
    "directory-named-yaml": (make_directory,
                             Expected("x.yaml", 1, "", "a directory, not a regular file", count=1)),
    "socket-named-yaml": (make_socket, Expected("sock.yaml", 1, "", "a socket, not a regular file")),
    "file-too-large": (make_too_large, Expected("huge.yaml", 1, "", "larger than the 64 MiB")),
    "nul-byte": (make_nul, Expected("facts.yaml", 4, "", "NUL byte is not allowed", count=1)),
    "non-utf8": (make_non_utf8, Expected("facts.yaml", 11, "", "not UTF-8: byte 0xf6 at column 19",
                                         count=1)),
    "control-character": (make_control,
                          Expected("facts.yaml", 20, "", "control character U+001B is not allowed")),
    "lone-carriage-return": (make_lone_cr,
                             Expected("facts.yaml", 28, "", "carriage return without line feed")),
    "next-line-character": (make_nel,
                            Expected("documents.yaml", 6, "", "control character U+0085 is not allowed")),
    "empty-folder": (make_empty, Expected(".", 0, "", "no *.yaml files; pass --allow-empty")),
}


@pytest.fixture(scope="module")
def runtime_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bad-runtime")


def runtime_case(root: Path, name: str) -> tuple[Path, Expected]:
    make, expected = RUNTIME[name]
    if not (root / name / "data").exists():
        data = _mini(root / name)
        make(data)
    return root / name / "data", expected


# -- running the CLI -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def cli_env(server: EmbeddedServer, backend: FalkorBackend) -> Iterator[None]:
    """In-process `main()` sees the session's server and this module's graph."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MIGKG_HOME", str(server.home))
        mp.setenv("MIGKG_GRAPH", backend.graph_name)
        mp.delenv("MIGKG_DATA", raising=False)
        get_settings.cache_clear()
        yield
    get_settings.cache_clear()


def cli(*args: str, deadline: float = 30.0) -> tuple[int, str]:
    """`migkg ARGS` in-process: (exit code, stderr). Fails, rather than hangs, past `deadline`."""
    err, out, result = io.StringIO(), io.StringIO(), []

    def run() -> None:
        with redirect_stderr(err), redirect_stdout(out):
            result.append(main(list(args)))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(deadline)
    assert not thread.is_alive(), f"migkg {' '.join(args)} still running after {deadline} s"
    return result[0], err.getvalue()


@dataclass(frozen=True)
class Snapshot:
    nodes: dict[str, int]
    relationships: dict[str, int]
    digest: str


def snapshot(backend: FalkorBackend) -> Snapshot:
    stats = graph_stats(backend)
    return Snapshot(stats.nodes, stats.relationships, str(read_meta(backend).get("digest")))


@pytest.fixture(scope="module")
def baseline(server: EmbeddedServer, backend: FalkorBackend) -> Snapshot:
    run = run_cli("load", "--data", str(MINI), home=server.home, graph=backend.graph_name)
    assert run.returncode == 0, run.stderr
    snap = snapshot(backend)
    assert snap.nodes["Country"] == 2
    return snap


def check_report(code: int, stderr: str, data: Path, expected: Expected, verb: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert code == expected.exit, f"exit {code}, expected {expected.exit}:\n{stderr}"
    lines = stderr.splitlines()
    prefix = expected.prefix(data)
    hits = [ln for ln in lines if ln.startswith(prefix) and expected.message in ln[len(prefix):]]
    assert hits, f"no line starting {prefix!r} with {expected.message!r} in:\n{stderr}"
    assert lines[-1].startswith(f"migkg {verb}: ") and lines[-1].endswith("nothing was written")
    if expected.count is not None:
        assert len(lines) - 1 == expected.count, f"expected {expected.count} problem(s):\n{stderr}"


def check_case(data: Path, expected: Expected, backend: FalkorBackend, before: Snapshot) -> None:
    for verb in ("validate", "load"):
        code, stderr = cli(verb, "--data", str(data), UNCHECKED)
        check_report(code, stderr, data, expected, verb)
    assert snapshot(backend) == before, "a failed load changed the graph"


# -- the tests -----------------------------------------------------------------------------

def test_the_corpus_is_large_enough() -> None:
    assert len(STORED) + len(RUNTIME) >= 60, (len(STORED), len(RUNTIME))
    assert len(STORED) >= 60


@pytest.mark.parametrize("name", STORED)
def test_stored_case(name: str, cli_env: None, backend: FalkorBackend, baseline: Snapshot) -> None:
    data, expected = stored_case(name)
    check_case(data, expected, backend, baseline)


@pytest.mark.parametrize("name", sorted(RUNTIME))
def test_runtime_case(name: str, runtime_root: Path, cli_env: None, backend: FalkorBackend,
                      baseline: Snapshot) -> None:
    data, expected = runtime_case(runtime_root, name)
    check_case(data, expected, backend, baseline)


# As real processes: the reproductions from the issue and the special files.
SUBPROCESS_STORED = ["syntax-broken-documents", "billion-laughs", "date-trailing-newline",
                     "figure-value-nan", "pages-huge", "nul-escape", "key-is-a-list"]
SUBPROCESS_RUNTIME = ["fifo", "non-utf8", "symlink-loop"]


@pytest.mark.parametrize("case", [f"stored:{n}" for n in SUBPROCESS_STORED]
                         + [f"runtime:{n}" for n in SUBPROCESS_RUNTIME])
def test_as_a_process(case: str, runtime_root: Path, server: EmbeddedServer,
                      backend: FalkorBackend, baseline: Snapshot) -> None:
    source, name = case.split(":")
    data, expected = stored_case(name) if source == "stored" else runtime_case(runtime_root, name)
    for verb in ("validate", "load"):
        # A hang fails as run_cli's timeout; how long a verb takes is no business of a test.
        run = run_cli(verb, "--data", str(data), UNCHECKED, home=server.home,
                      graph=backend.graph_name)
        check_report(run.returncode, run.stderr, data, expected, verb)
    assert snapshot(backend) == baseline


def test_allow_empty_accepts_what_is_otherwise_refused(cli_env: None, runtime_root: Path) -> None:
    for data in (BAD / "near-empty" / "data", BAD / "all-files-empty" / "data",
                 runtime_case(runtime_root, "empty-folder")[0]):
        code, stderr = cli("validate", "--data", str(data), "--allow-empty", UNCHECKED)
        assert code == 0, stderr


def test_the_mini_folder_is_still_valid(cli_env: None) -> None:
    code, stderr = cli("validate", "--data", str(MINI))
    assert code == 0, stderr


@pytest.mark.parametrize("layout", ["file", "beneath-a-file"])
def test_unusable_migkg_home_is_one_line(layout: str, tmp_path: Path, backend: FalkorBackend) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    home = blocker if layout == "file" else blocker / "home"
    run = run_cli("load", "--data", str(MINI), home=home, graph=backend.graph_name)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("migkg load: bad setting MIGKG_HOME: "), run.stderr
    assert str(home) in lines[0]  # says which path, and (below) why
    assert lines[0].endswith("is a file, not a folder" if layout == "file" else "Not a directory")


def test_serve_lists_bad_facts_without_a_traceback(server: EmbeddedServer, backend: FalkorBackend) -> None:
    data, expected = stored_case("pages-huge")
    run = run_cli("serve", "--data", str(data), "--port", "18766", home=server.home,
                  graph=backend.graph_name)
    assert "Traceback" not in run.stderr
    assert run.returncode == 1
    assert run.stderr.splitlines()[0].startswith(expected.prefix(data)), run.stderr
