"""Shared fixtures: one real embedded FalkorDB per test session, a fresh graph per module."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

from graph.embedded import EmbeddedServer
from graph.falkor import FalkorBackend
from loaders.facts import Facts, read_facts
from loaders.load import load_facts

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SEEDS = ROOT.parent / "shared" / "seeds"
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
ARTIFACTS = ROOT / "artifacts"
# Every statement sent to the embedded engine during the run; test_zz_cypher_lint.py
# checks them all with Neo4j's own parser.
RECORDED: set[str] = set()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    srv = EmbeddedServer(tmp_path_factory.mktemp("migkg-home"))
    srv.ensure()
    yield srv
    srv.stop()


def graph_name(request: pytest.FixtureRequest) -> str:
    module = request.module.__name__.rsplit(".", 1)[-1]
    return f"{module}_{secrets.token_hex(3)}"


@pytest.fixture(scope="module")
def backend(server: EmbeddedServer, request: pytest.FixtureRequest) -> Iterator[FalkorBackend]:
    b = FalkorBackend(server, graph_name(request), statement_hook=RECORDED.add)
    yield b
    b.drop()
    b.close()


@pytest.fixture(scope="session")
def facts() -> Facts:
    return read_facts(DATA)


@pytest.fixture(scope="module")
def loaded(backend: FalkorBackend, facts: Facts) -> FalkorBackend:
    load_facts(facts, backend)
    return backend


def run_cli(*args: str, home: Path, graph: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `migkg` as a user would, against the session's server and a given graph."""
    full_env = {**os.environ, "MIGKG_HOME": str(home), "MIGKG_GRAPH": graph, **env}
    exe = shutil.which("migkg", path=str(Path(sys.executable).parent)) or "migkg"
    return subprocess.run([exe, *args], capture_output=True, text=True, env=full_env,
                          cwd=ROOT, timeout=120)


@pytest.fixture(scope="module")
def client(loaded: FalkorBackend) -> Iterator[TestClient]:
    """The API over the module's loaded graph."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from migkg.settings import Settings

    app = create_app(Settings(cors_origins=["https://example.org"]), backend=loaded)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
