"""docker-compose.yml, the Dockerfile and the image's entrypoint, checked without a Docker engine.

`docker-compose config` (Debian package `docker-compose`; the `docker compose`
plugin also does) validates and normalises the file without an engine. CI
installs it, so a missing binary fails here rather than skipping.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT

COMPOSE = ROOT / "docker-compose.yml"
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
DEV_PASSWORD = "migkg-dev-password"  # noqa: S105 - the documented development default


def compose_command() -> list[str]:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker") and subprocess.run(
        ["docker", "compose", "version"], capture_output=True, timeout=30
    ).returncode == 0:
        return ["docker", "compose"]
    pytest.fail("docker-compose is not installed: `apt-get install -y docker-compose` "
                "(Debian package docker-compose), or the docker compose plugin")


def compose_config(**env: str) -> dict[str, Any]:
    """The file as Compose resolves it, with only `env` set among its variables."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("NEO4J_", "MIGKG_", "COMPOSE_", "DOCKER_"))}
    proc = subprocess.run([*compose_command(), "-f", str(COMPOSE), "config"],
                          capture_output=True, text=True, cwd=ROOT, env={**clean, **env},
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    config: dict[str, Any] = yaml.safe_load(proc.stdout)
    return config


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return compose_config()


def published(service: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(host ip, host port, container port) for each published port, in either syntax."""
    out = []
    for port in service.get("ports", []):
        if isinstance(port, dict):
            out.append((str(port.get("host_ip", "")), str(port.get("published", "")),
                        str(port["target"])))
        else:
            parts = str(port).split("/")[0].split(":")
            host_ip = parts[0] if len(parts) == 3 else ""
            out.append((host_ip, parts[-2] if len(parts) > 1 else "", parts[-1]))
    return out


def test_the_file_is_valid_and_has_the_two_services(config: dict[str, Any]) -> None:
    assert set(config["services"]) == {"neo4j", "api"}


def test_neo4j_is_community_with_a_healthcheck_and_a_named_volume(
    config: dict[str, Any],
) -> None:
    neo4j = config["services"]["neo4j"]
    assert neo4j["image"].startswith("neo4j:5.")
    assert neo4j["image"].endswith("-community")
    health = neo4j["healthcheck"]
    assert not health.get("disable") and health["test"][0] in {"CMD", "CMD-SHELL"}
    assert "cypher-shell" in " ".join(health["test"])
    mounts = [v if isinstance(v, str) else f"{v['source']}:{v['target']}"
              for v in neo4j["volumes"]]
    data = [m for m in mounts if m.split(":")[1] == "/data"]
    assert data and data[0].split(":")[0] in config["volumes"]  # named, not a host path


def test_compose_runs_the_neo4j_version_the_tests_run(config: dict[str, Any]) -> None:
    """The image users run and the jars the suite tests against are one release."""
    from neo4j_local import pinned_version

    image = config["services"]["neo4j"]["image"]
    assert image == f"neo4j:{pinned_version()}-community"
    assert pinned_version().startswith("5.26."), "Neo4j 5.26 is the LTS line we support"


def test_api_waits_for_a_healthy_neo4j_and_uses_it(config: dict[str, Any]) -> None:
    api = config["services"]["api"]
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert Path(api["build"]["context"]).resolve() == ROOT
    env = api["environment"]
    assert env["MIGKG_BACKEND"] == "neo4j"
    assert env["NEO4J_URI"] == "bolt://neo4j:7687"
    assert ("127.0.0.1", "8000", "8000") in published(api)


def test_every_port_is_bound_to_localhost(config: dict[str, Any]) -> None:
    ports = [p for s in config["services"].values() for p in published(s)]
    assert ports
    assert all(host_ip == "127.0.0.1" for host_ip, _, _ in ports), ports


def test_one_password_setting_reaches_both_services(config: dict[str, Any]) -> None:
    services = config["services"]
    assert services["neo4j"]["environment"]["NEO4J_AUTH"] == f"neo4j/{DEV_PASSWORD}"
    assert services["api"]["environment"]["NEO4J_PASSWORD"] == DEV_PASSWORD
    custom = compose_config(NEO4J_PASSWORD="a-real-secret-1")["services"]
    assert custom["neo4j"]["environment"]["NEO4J_AUTH"] == "neo4j/a-real-secret-1"
    assert custom["api"]["environment"]["NEO4J_PASSWORD"] == "a-real-secret-1"


def test_dockerfile_builds_the_api_image() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if line.startswith("FROM")] == [
        "FROM python:3.11-slim"]
    assert "pip install" in text and "COPY . ." in text
    assert 'ENTRYPOINT ["migkg-entrypoint"]' in text and "USER migkg" in text
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", ".env", ".migkg", "tests"} <= set(ignored)
    assert not {"data", "cypher", "ontology", "docker"} & set(ignored)


def _entrypoint(tmp_path: Path, *args: str, load_fails: bool = False) -> tuple[int, list[str]]:
    """Run docker/entrypoint.sh with a stand-in `migkg` that logs its arguments."""
    log = tmp_path / "calls"
    stub = tmp_path / "bin" / "migkg"
    stub.parent.mkdir()
    stub.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\n'
                    f'[ "$1" = load ] && exit {1 if load_fails else 0}\nexit 0\n')
    stub.chmod(0o755)
    env = {**os.environ, "PATH": f"{stub.parent}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(["sh", str(ENTRYPOINT), *args], env=env, capture_output=True,
                          text=True, timeout=30)
    calls = log.read_text().splitlines() if log.exists() else []
    return proc.returncode, calls


def test_entrypoint_loads_then_serves_on_port_8000(tmp_path: Path) -> None:
    assert os.access(ENTRYPOINT, os.X_OK)
    assert _entrypoint(tmp_path, "serve") == (0, ["load", "serve --host 0.0.0.0 --port 8000"])


def test_entrypoint_stops_when_the_load_fails(tmp_path: Path) -> None:
    assert _entrypoint(tmp_path, load_fails=True) == (1, ["load"])


def test_entrypoint_runs_other_commands_as_given(tmp_path: Path) -> None:
    assert _entrypoint(tmp_path, "migkg", "stats") == (0, ["stats"])
