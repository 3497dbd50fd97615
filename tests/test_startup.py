"""`migkg serve` never blocks on its first load (issue 11, item 7), with a real server process.

No timing is asserted, only the order: `/health` answers 200 while `/ready` answers 503
with the load's progress, then `/ready` answers 200. Bad facts still stop serve before
it listens, with file:line problems.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import MIGKG, ROOT, _free_port, migkg_serve

ENTITIES = 5000  # big enough that the write takes a while on any machine


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("startup") / "data"
    subprocess.run([sys.executable, "bench/synthetic_data.py", str(ENTITIES), str(data)],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    return data


@pytest.fixture
def serve(tmp_path: Path, synthetic: Path) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    port = _free_port()
    env = {**os.environ, "MIGKG_HOME": str(tmp_path / "home"), "MIGKG_GRAPH": "startup"}
    log = tmp_path / "serve.log"
    with migkg_serve(port, env, log, "--data", str(synthetic), ready_within=None) as proc:
        yield proc, f"http://127.0.0.1:{port}", log


def _get(http: httpx.Client, path: str) -> httpx.Response | None:
    try:
        return http.get(path)
    except httpx.TransportError:
        return None


def test_health_answers_while_the_first_load_runs(
        serve: tuple[subprocess.Popen[bytes], str, Path]) -> None:
    proc, url, log = serve
    seen: list[tuple[int, int, dict[str, object]]] = []  # (health, ready, ready's loading)
    with httpx.Client(base_url=url, timeout=30) as http:
        while proc.poll() is None:
            health = _get(http, "/health")
            if health is None:  # not listening yet (validation runs first)
                time.sleep(0.05)
                continue
            ready = http.get("/ready")
            loading = ready.json().get("loading", {}) if ready.status_code == 503 else {}
            seen.append((health.status_code, ready.status_code, loading))
            if ready.status_code == 200:
                break
            time.sleep(0.05)
        assert proc.poll() is None, log.read_text()
        statuses = [(h, r) for h, r, _ in seen]
        assert (200, 503) in statuses, statuses  # served while loading
        assert statuses[-1] == (200, 200)
        first_ready = statuses.index((200, 200))
        assert all(r == 503 for _, r in statuses[:first_ready])  # never ready before the load
        loading = [lo for _, r, lo in seen if r == 503]
        assert all({"stage", "done", "total"} <= set(lo) for lo in loading), loading
        assert {lo["stage"] for lo in loading} <= {"checking", "validating", "nodes",
                                                   "relationships", "done"}
        assert any(lo["stage"] in ("nodes", "relationships") for lo in loading) or len(loading) == 1
        body = http.get("/ready").json()
        assert body["nodes"] >= ENTITIES
        assert http.get("/v1/countries/AB/agreements").status_code == 200
        problem = http.get("/ready")
        assert problem.status_code == 200


def test_bad_facts_stop_serve_before_it_listens(tmp_path: Path, synthetic: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(synthetic, data)
    first = data / "country-000.yaml"
    text = first.read_text(encoding="utf-8")
    first.write_text(text.replace("\n    name: ", "\n    nmae: ", 1), encoding="utf-8")
    env = {**os.environ, "MIGKG_HOME": str(tmp_path / "home"), "MIGKG_GRAPH": "startup"}
    res = subprocess.run([MIGKG, "serve", "--data", str(data), "--port", str(_free_port())],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 1, res.stdout + res.stderr
    assert f"{first.name}:" in res.stderr and "nmae" in res.stderr, res.stderr
    assert "Traceback" not in res.stderr
    assert "migration-kg: explorer" not in res.stdout  # never started serving
