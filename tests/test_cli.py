"""The CLI as a user runs it: exit codes, tables and JSON."""

from __future__ import annotations

import json

from conftest import DATA, run_cli
from graph.embedded import EmbeddedServer
from graph.falkor import FalkorBackend


def test_usage_errors_exit_2(server: EmbeddedServer, backend: FalkorBackend) -> None:
    for args in (["frobnicate"], ["stats", "--bogus"], ["query"]):
        run = run_cli(*args, home=server.home, graph=backend.graph_name)
        assert run.returncode == 2, (args, run.stderr)


def test_validate_load_stats_query(server: EmbeddedServer, backend: FalkorBackend) -> None:
    run = run_cli("validate", "--data", str(DATA), home=server.home, graph=backend.graph_name)
    assert run.returncode == 0 and "valid" in run.stdout
    run = run_cli("load", home=server.home, graph=backend.graph_name)
    assert run.returncode == 0, run.stderr
    assert "loaded" in run.stdout
    stats = json.loads(run_cli("stats", "--json", home=server.home,
                               graph=backend.graph_name).stdout)
    assert stats["nodes"]["Country"] == 25
    run = run_cli("query", "MATCH (c:Country {id: 'RS'}) RETURN c.name AS name",
                  home=server.home, graph=backend.graph_name)
    assert run.returncode == 0 and "Serbia" in run.stdout and "(1 row)" in run.stdout
    run = run_cli("query", "--json", "--name", "agreements_covering_country",
                  "--param", "country=serbia", home=server.home, graph=backend.graph_name)
    body = json.loads(run.stdout)
    assert "uk-serbia-agreement" in {row[0] for row in body["rows"]}


def test_query_errors_exit_1(server: EmbeddedServer, backend: FalkorBackend) -> None:
    run = run_cli("query", "CREATE (n:X) RETURN n", home=server.home, graph=backend.graph_name)
    assert run.returncode == 1 and "writes are not allowed" in run.stderr
    assert "Traceback" not in run.stderr
    run = run_cli("query", "--name", "search", "--param", "nope=1", home=server.home,
                  graph=backend.graph_name)
    assert run.returncode == 1 and "has no parameter 'nope'" in run.stderr
