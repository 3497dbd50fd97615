"""`bash scripts/run.sh` as a new user runs it, in a copy of the repository, and the packaging.

The copy's `.venv` reuses this one's programs (its `bin/` entries are links), so no
test installs anything; a fake `pip` records whether run.sh called it.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from conftest import ROOT, _free_port

URL_LINE = re.compile(r"Uvicorn running on (http://\S+)")

# as scripts/test.sh runs it: a worker per core (nproc counts this process's cores) and one more
PYTEST = f"python -m pytest tests -n {len(os.sched_getaffinity(0)) + 1} --dist loadscope -q"


def _clone(tmp: Path) -> Path:
    clone = tmp / "clone"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.splitlines()
    for name in files:
        source = ROOT / name
        if source.is_file():
            target = clone / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    venv_bin = clone / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    real_bin = Path(sys.executable).parent
    for entry in real_bin.iterdir():
        if entry.name != "pip":
            (venv_bin / entry.name).symlink_to(entry)
    (venv_bin / "pip").write_text(f"#!/bin/sh\necho \"$@\" >> {clone / 'pip-calls'}\n")
    (venv_bin / "pip").chmod(0o755)
    return clone


def _run_until_serving(clone: Path, port: int) -> tuple[list[str], float, subprocess.Popen[str]]:
    env = {**os.environ, "MIGKG_PORT": str(port), "MIGKG_HOME": str(clone / ".migkg")}
    env.pop("MIGKG_GRAPH", None)
    started = time.monotonic()
    proc = subprocess.Popen(["bash", "scripts/run.sh"], cwd=clone, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = started + 120
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if URL_LINE.search(line):
            return lines, time.monotonic() - started, proc
    proc.kill()
    raise AssertionError("run.sh never printed its URL:\n" + "\n".join(lines))


def _stop(proc: subprocess.Popen[str]) -> int:
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl+C, as the README says
    return proc.wait(timeout=30)


def test_run_sh_serves_on_migkg_port_quietly_and_installs_only_when_needed(tmp_path: Path) -> None:
    clone = _clone(tmp_path)
    digest = hashlib.sha256((clone / "pyproject.toml").read_bytes()).hexdigest()
    stamp = clone / ".venv" / ".migkg-installed"

    # pyproject.toml unknown to the venv: run.sh installs, then records it
    port = _free_port()
    lines, _, proc = _run_until_serving(clone, port)
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).status_code == 200
    finally:
        assert _stop(proc) == 0
    assert (clone / "pip-calls").read_text().count("install") == 2
    assert stamp.read_text().strip() == digest

    # a restart with the same pyproject.toml: no pip at all
    (clone / "pip-calls").unlink()
    port = _free_port()
    lines, seconds, proc = _run_until_serving(clone, port)
    try:
        url = URL_LINE.search(lines[-1]).group(1)  # type: ignore[union-attr]
        assert url == f"http://127.0.0.1:{port}"
        assert httpx.get(f"{url}/docs", timeout=10).status_code == 200
    finally:
        assert _stop(proc) == 0
    assert not (clone / "pip-calls").exists()
    text = "\n".join(lines)
    assert len(lines) < 30, text
    assert "is absent from the" not in text and "Traceback" not in text
    assert sum("entities" in line for line in lines) == 1, text  # the counts, once
    print(f"\nrun.sh restart: {len(lines)} lines, serving after {seconds:.1f}s:\n{text}")


def _no_setuptools_warning(output: str) -> None:
    assert "is absent from the" not in output
    assert "BuildBackendWarning" not in output, output[-3000:]
    assert not [ln for ln in output.splitlines() if "Warning" in ln and "setuptools" in ln.lower()]


def test_editable_install_emits_no_warnings() -> None:
    """What run.sh runs, verbose: reinstalls this same checkout in place (no dependencies)."""
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check", "-v",
         "-e", str(ROOT)], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert install.returncode == 0, install.stderr[-2000:]
    _no_setuptools_warning(install.stdout + install.stderr)


def test_packaging_emits_no_setuptools_warnings(tmp_path: Path) -> None:
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-v",
         "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr[-2000:]
    _no_setuptools_warning(build.stdout + build.stderr)
    (wheel,) = tmp_path.glob("*.whl")
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("api/static/vendor/swagger-ui/swagger-ui-bundle.js", "api/static/vendor/redoc/LICENSE",
                   "api/templates/index.html", "cypher/search.cypher", "ontology/schema.yaml",
                   "api/static/vendor/world-atlas/countries-50m.json", "api/static/vendor/d3-geo/LICENSE"):
        assert needed in names, needed


def _fake(folder: Path, name: str, body: str) -> None:
    (folder / name).write_text(f"#!/bin/sh\n{body}\n")
    (folder / name).chmod(0o755)


def test_test_sh_installs_only_what_changed_and_quietly(tmp_path: Path) -> None:
    """scripts/test.sh in a copy, with pip, npm, apt and the final pytest faked: each records
    its call. A second run installs nothing; install output stays in .venv/install.log."""
    clone = _clone(tmp_path)
    calls = clone / "calls"
    fake = tmp_path / "fakebin"
    fake.mkdir()
    _fake(fake, "npm", f'echo "npm $*" >> {calls}; echo "added 12 packages"; '
                       'for last; do :; done; mkdir -p "$last/node_modules"')
    for name in ("apt-get", "sudo"):
        _fake(fake, name, f'echo "{name} $*" >> {calls}')
    for name in ("chromium", "docker-compose", "java", "mvn"):  # present: apt is not needed
        _fake(fake, name, "exit 0")
    pip = clone / ".venv" / "bin" / "pip"
    _fake(pip.parent, "pip", f'echo "pip $*" >> {calls}; echo "Collecting noise"; '
                             '[ -z "$FAIL_PIP" ] || exit 1')
    (clone / ".venv" / "bin" / "python").unlink()
    _fake(clone / ".venv" / "bin", "python", f'echo "python $*" >> {calls}')
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"}

    def run(**extra: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
        calls.unlink(missing_ok=True)
        done = subprocess.run(["bash", "scripts/test.sh", "-q"], cwd=clone, env={**env, **extra},
                              capture_output=True, text=True, timeout=60)
        return done, calls.read_text().splitlines() if calls.exists() else []

    first, made = run()
    assert first.returncode == 0, first.stderr
    assert [c.split()[0] for c in made] == ["pip", "pip", "npm", "npm", "python"], made
    assert made[-1] == PYTEST
    digest = hashlib.sha256((clone / "pyproject.toml").read_bytes()).hexdigest()
    for stamp in (".migkg-installed-test", ".migkg-installed"):  # run.sh's too: no pip there
        assert (clone / ".venv" / stamp).read_text().strip() == digest
    log = (clone / ".venv" / "install.log").read_text()
    assert "Collecting noise" in log and "added 12 packages" in log
    assert "Collecting" not in first.stdout + first.stderr
    assert "added" not in first.stdout + first.stderr

    second, made = run()  # nothing changed: straight to the tests
    assert second.returncode == 0 and made == [PYTEST], made
    assert second.stdout == second.stderr == ""

    lock = clone / "tests" / "cypher_lint" / "package-lock.json"
    lock.write_text(lock.read_text() + "\n")
    third, made = run()  # one lock file changed: that npm ci only
    assert made == ["npm ci --no-audit --no-fund --prefix tests/cypher_lint", PYTEST], made

    (clone / "pyproject.toml").write_text((clone / "pyproject.toml").read_text() + "\n")
    failed, made = run(FAIL_PIP="1")  # a failing step shows the end of the log, then stops
    assert failed.returncode == 1 and made[-1].startswith("pip install"), made
    assert "Collecting noise" in failed.stderr and "install.log" in failed.stderr


def test_test_sh_installs_the_debian_packages_of_missing_commands(tmp_path: Path) -> None:
    fake = tmp_path / "fakebin"
    fake.mkdir()
    calls = tmp_path / "calls"
    _fake(fake, "apt-get", f'echo "apt-get $*" >> {calls}')
    _fake(fake, "sudo", f'echo "sudo" >> {calls}; exec "$@"')
    script = ("source scripts/lib.sh; INSTALL_LOG=$1/install.log; "
              "install_debs sh=never-installed no-such-command-here=pkg-a,pkg-b")
    done = subprocess.run(["bash", "-c", script, "lib", str(tmp_path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"})
    assert done.returncode == 0, done.stderr
    made = [c for c in calls.read_text().splitlines() if c != "sudo"]
    assert made[0].startswith("apt-get") and made[0].endswith(" update"), made
    assert made[1].endswith("install -y --no-install-recommends pkg-a pkg-b"), made
    assert "never-installed" not in calls.read_text()
