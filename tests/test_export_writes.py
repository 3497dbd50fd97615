"""`migkg export` that cannot write all its bytes says so (issue 19, item 7.3).

`-o PATH` whose write fails (a FIFO whose reader left, `/dev/full`, a file over the size
limit) exits 1 with one line that says how many bytes were written; `-o -` into a pipe
whose reader left (`| head -c 100`) stops quietly with exit 0, as Unix tools do, and
prints nothing at interpreter exit either. Real `migkg` processes, a real FIFO, the
curated data's dump (about 2 MB, well over a pipe's buffer).
"""

from __future__ import annotations

import os
import re
import resource
import stat
import subprocess
import threading
from pathlib import Path

import pytest

from conftest import MIGKG, ROOT
from graph.embedded import EmbeddedServer
from graph.falkor import FalkorBackend

FAILED = re.compile(r"^migkg export: Cannot write output: (?P<target>.+): (?P<why>[^:]+) after "
                    r"(?P<bytes>[\d,]+) bytes were written(?P<after>.*)$")


@pytest.fixture(scope="module")
def env(server: EmbeddedServer, loaded: FalkorBackend) -> dict[str, str]:
    return {**os.environ, "MIGKG_HOME": str(server.home), "MIGKG_GRAPH": loaded.graph_name}


def _export(env: dict[str, str], *args: str, **popen: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([MIGKG, "export", "--format", "nt", *args], cwd=ROOT, env=env,
                          capture_output="stdout" not in popen, timeout=120, **popen)


def _one_failure(stderr: bytes) -> re.Match[str]:
    text = stderr.decode()
    assert "Traceback" not in text and "Exception ignored" not in text, text
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    match = FAILED.match(lines[0])
    assert match, text
    return match


@pytest.fixture(scope="module")
def whole(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> int:
    """The size of the whole dump, written to a file."""
    out = tmp_path_factory.mktemp("whole") / "dump.nt"
    run = _export(env, "-o", str(out))
    assert run.returncode == 0, run.stderr
    size = out.stat().st_size
    assert size > 1 << 20  # far more than a pipe holds
    return size


def test_a_fifo_whose_reader_leaves_early_is_an_error_with_the_bytes_written(
        env: dict[str, str], whole: int, tmp_path: Path) -> None:
    fifo = tmp_path / "dump.nt"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as fh:
            got.append(fh.read(100))  # then it closes: the writer's next write fails

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    run = _export(env, "-o", str(fifo))
    thread.join(30)
    assert run.returncode == 1, run.stderr
    failure = _one_failure(run.stderr)
    assert failure["target"] == str(fifo) and failure["why"] == "the reader closed it"
    written = int(failure["bytes"].replace(",", ""))
    assert len(got[0]) == 100 and 100 <= written < whole
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still the FIFO, never replaced


def test_dev_full_is_an_error_as_a_target_and_as_stdout(env: dict[str, str]) -> None:
    if not Path("/dev/full").exists():
        pytest.fail("no /dev/full on this machine")
    run = _export(env, "-o", "/dev/full")
    assert run.returncode == 1
    failure = _one_failure(run.stderr)
    assert (failure["target"], failure["why"], failure["bytes"]) == (
        "/dev/full", "No space left on device", "0")
    with open("/dev/full", "wb") as full:
        run = _export(env, stdout=full, stderr=subprocess.PIPE)
    assert run.returncode == 1
    failure = _one_failure(run.stderr)
    assert (failure["target"], failure["why"]) == ("stdout", "No space left on device")


def _file_size_limit(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_a_file_that_cannot_be_written_whole_is_left_as_it_was(
        env: dict[str, str], tmp_path: Path) -> None:
    """A full disk, made by a file-size limit (Python ignores SIGXFSZ: the write fails EFBIG)."""
    out = tmp_path / "dump.nt"
    out.write_text("the old dump\n")
    run = _export(env, "-o", str(out), preexec_fn=lambda: _file_size_limit(100_000))
    assert run.returncode == 1
    failure = _one_failure(run.stderr)
    assert failure["target"] == str(out) and failure["why"] == "File too large"
    assert failure["bytes"] == "100,000" and failure["after"] == f"; {out} is unchanged"
    assert out.read_text() == "the old dump\n"
    assert [p.name for p in tmp_path.iterdir()] == ["dump.nt"]  # no partial file left


def test_stdout_into_a_pipe_whose_reader_leaves_stops_quietly(env: dict[str, str]) -> None:
    run = subprocess.run(["bash", "-c", f"set -o pipefail; '{MIGKG}' export --format nt -o - | head -c 100"],
                         cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr  # pipefail: migkg's own status
    assert len(run.stdout) == 100
    assert run.stderr == b""  # no traceback, no "Exception ignored" at exit
