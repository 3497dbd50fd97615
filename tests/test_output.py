"""`migkg export -o TARGET` replaces only regular files: devices and FIFOs are written directly.

The export runs as a real `migkg` process for the FIFO and the missing folder, and
through the CLI's `main()` in-process for the rest.
"""

from __future__ import annotations

import io
import os
import stat
import threading
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from cli.main import main
from cli.output import CannotWrite, resolve_target
from conftest import MINI, run_cli
from graph.embedded import EmbeddedServer
from graph.falkor import FalkorBackend
from loaders.pipeline import load_facts, read_facts
from migkg.settings import get_settings

RS = "<https://w3id.org/migkg/id/country/RS>"


@pytest.fixture(scope="module")
def mini(backend: FalkorBackend) -> FalkorBackend:
    load_facts(read_facts(MINI), backend)
    return backend


@pytest.fixture(scope="module")
def cli_env(server: EmbeddedServer, mini: FalkorBackend) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MIGKG_HOME", str(server.home))
        mp.setenv("MIGKG_GRAPH", mini.graph_name)
        get_settings.cache_clear()
        yield
    get_settings.cache_clear()


def export(target: str | Path, fmt: str = "nt") -> tuple[int, str]:
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        code = main(["export", "--format", fmt, "-o", str(target)])
    return code, err.getvalue()


def identity(path: Path) -> tuple[int, int, int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_ino, st.st_mode, st.st_rdev


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".partial")]


def test_export_into_a_fifo_writes_it_and_leaves_it_a_fifo(
        tmp_path: Path, server: EmbeddedServer, mini: FalkorBackend) -> None:
    fifo = tmp_path / "dump.nt"
    os.mkfifo(fifo)
    before = identity(fifo)
    received: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as fh:
            received.append(fh.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    run = run_cli("export", "--format", "nt", "-o", str(fifo), home=server.home,
                  graph=mini.graph_name)
    thread.join(30)
    assert run.returncode == 0, run.stderr
    assert not thread.is_alive()
    assert RS.encode() in received[0]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and identity(fifo) == before
    assert leftovers(tmp_path) == []


def _device(tmp_path: Path) -> Path:
    """A character device like /dev/null made by the test; /dev/null itself only when
    device nodes cannot be made here (it is then only written, as the check requires)."""
    node = tmp_path / "null"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        with open(node, "wb") as fh:  # a devices cgroup may refuse to open it
            fh.write(b"")
    except OSError:
        return Path("/dev/null")
    return node


def test_export_into_a_device_writes_it_and_never_replaces_it(tmp_path: Path, cli_env: None) -> None:
    device = _device(tmp_path)
    before = identity(device)
    assert stat.S_ISCHR(before[2])
    code, stderr = export(device)
    assert code == 0, stderr
    assert identity(device) == before, "the device node was replaced"
    assert leftovers(device.parent) == []


def test_dev_stdout_is_written_directly(tmp_path: Path, cli_env: None) -> None:
    target = resolve_target("/dev/stdout")
    assert target.direct and target.path == Path("/dev/stdout")
    assert resolve_target("-").path is None


def test_a_regular_file_is_replaced_whole_and_keeps_its_mode(tmp_path: Path, cli_env: None) -> None:
    out = tmp_path / "dump.ttl"
    out.write_text("old")
    out.chmod(0o640)
    code, stderr = export(out, "ttl")
    assert code == 0, stderr
    assert "\"Serbia\"" in out.read_text()
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_a_symlink_is_followed_and_stays_a_symlink(tmp_path: Path, cli_env: None) -> None:
    real = tmp_path / "real.nt"
    real.write_text("old")
    link = tmp_path / "link.nt"
    link.symlink_to(real)
    code, stderr = export(link)
    assert code == 0, stderr
    assert link.is_symlink() and RS in real.read_text()
    dangling = tmp_path / "dangling.nt"
    dangling.symlink_to(tmp_path / "new.nt")
    code, stderr = export(dangling)
    assert code == 0, stderr
    assert dangling.is_symlink() and RS in (tmp_path / "new.nt").read_text()


@pytest.mark.parametrize("case", ["loop", "directory", "missing-folder", "folder-is-a-file"])
def test_unwritable_targets_are_one_line(case: str, tmp_path: Path, cli_env: None) -> None:
    target = {"loop": tmp_path / "a.nt", "directory": tmp_path,
              "missing-folder": tmp_path / "no" / "such" / "x.nt",
              "folder-is-a-file": tmp_path / "file" / "x.nt"}[case]
    if case == "loop":
        (tmp_path / "a.nt").symlink_to(tmp_path / "b.nt")
        (tmp_path / "b.nt").symlink_to(tmp_path / "a.nt")
    if case == "folder-is-a-file":
        (tmp_path / "file").write_text("x")
    with pytest.raises(CannotWrite):
        resolve_target(str(target))
    code, stderr = export(target)
    assert code == 1
    assert len(stderr.strip().splitlines()) == 1 and "Cannot write output" in stderr, stderr


def test_missing_folder_is_one_line_from_the_process(server: EmbeddedServer, mini: FalkorBackend) -> None:
    run = run_cli("export", "-o", "/nonexistent/dir/x.ttl", home=server.home, graph=mini.graph_name)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert run.stderr.strip() == ("migkg export: Cannot write output: /nonexistent/dir/x.ttl: "
                                  "folder /nonexistent/dir does not exist")


def test_a_failed_export_leaves_the_old_file(tmp_path: Path, cli_env: None,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "dump.nt"
    out.write_text("old")
    monkeypatch.setenv("MIGKG_GRAPH", "never_loaded_graph")
    get_settings.cache_clear()
    try:
        code, stderr = export(out)
    finally:
        get_settings.cache_clear()
    assert code == 1 and "not loaded" in stderr
    assert out.read_text() == "old"
    assert leftovers(tmp_path) == []


# -- how the CLI shows values (migkg/render.py) --------------------------------------------------

def test_cells_read_as_a_person_writes_them() -> None:
    from cli.render import cell_text

    rs = {"_eid": "1", "_labels": ["Country"], "id": "RS", "name": "Serbia"}
    deal = {"_eid": "2", "_labels": ["Agreement"], "id": "uk-rs", "name": "UK-Serbia deal"}
    gb = {"_eid": "3", "_labels": ["Country"], "id": "GB", "name": "United Kingdom"}
    path = {"_path": True, "nodes": [rs, deal, gb],
            "relationships": [{"_type": "COVERS", "_start": "2", "_end": "1"},
                              {"_type": "PARTY_TO", "_start": "3", "_end": "2"}]}
    assert cell_text(path) == "Serbia <-[COVERS]- UK-Serbia deal <-[PARTY_TO]- United Kingdom"
    forward = {**path, "nodes": [gb, deal], "relationships": [path["relationships"][1]]}
    assert cell_text(forward) == "United Kingdom -[PARTY_TO]-> UK-Serbia deal"
    assert cell_text(rs) == "Serbia (Country RS)"
    assert cell_text([{"doc": "d1", "quote": "a quote"}, {"doc": "d2", "quote": "another"}]) == \
        "“a quote” — d1\n“another” — d2"
    assert cell_text({"type": "COVERS", "from": "uk-rs", "to": "RS"}) == "uk-rs -[COVERS]-> RS"
    assert cell_text(None) == "" and cell_text(True) == "true" and cell_text(2.5) == "2.5"


def test_narrow_screens_get_records_and_nothing_is_cut_silently(monkeypatch: pytest.MonkeyPatch) -> None:
    from cli.render import print_rows

    monkeypatch.setenv("COLUMNS", "60")
    long = " ".join(f"w{i}" for i in range(80))
    out = io.StringIO()
    print_rows(["a_long_identifier", "b_long_identifier", "c", "d", "text"],
               [["x" * 20, "y" * 20, "z" * 15, "q" * 15, long]], out=out)
    text = out.getvalue()
    assert text.startswith("row 1 ")  # five columns cannot share 60 characters: one record
    assert all(w in text.split() for w in long.split()), text
    assert all(len(line) <= 60 for line in text.splitlines()), text
    assert text.rstrip().endswith("(1 row)")
    out = io.StringIO()
    print_rows(["id", "text"], [["RS", long]], out=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["id", "text"] and all(len(ln) <= 60 for ln in lines)
    assert all(w in out.getvalue().split() for w in long.split())
