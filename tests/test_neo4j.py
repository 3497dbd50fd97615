"""The Neo4j backend.

Without a server: `migkg load` against an unreachable Neo4j fails in one line,
URIs and names are checked, driver values become plain data, and the
statements only the Neo4j backend sends are valid Neo4j Cypher.

On a real Neo4j 5.26 (marked `neo4j`; tests/conftest.py starts one from the
published jars when no other is configured): the curated data holds exactly the
same graph as on the embedded engine, every named query answers row for row as
it does there, reloads are exact and idempotent, a failed load leaves the
previous graph, read() refuses writes, and the server-side timeout and the row
cap hold. test_parity.py compares the API, the RDF export and the CLI.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import MINI, NEO4J_SENT, run_cli, snapshot
from graph.backend import Writer
from graph.falkor import FalkorBackend
from graph.meta import META_LABEL
from graph.neo4j_backend import (
    CLEAR,
    EXISTS,
    WRITE_REFUSED,
    Neo4jBackend,
    _name,
    constraint_statement,
    to_plain,
)
from graph.schema import get_schema
from graph.stats import graph_stats
from loaders.facts import Facts
from loaders.pipeline import load_facts, loaded_digest, read_facts
from migkg.exc import BackendUnavailable, QueryRejected, QueryTimeout
from migkg.settings import Settings

# -- without a server ---------------------------------------------------------------------


@pytest.mark.parametrize("uri", ["bolt://127.0.0.1:1", "neo4j://127.0.0.1:1"])
def test_load_against_unreachable_neo4j_prints_one_line_and_exits_1(
    uri: str, tmp_path: Path
) -> None:
    proc = run_cli("load", "--backend", "neo4j", home=tmp_path, graph="unused", NEO4J_URI=uri)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    prefix = "migkg load: Graph backend unavailable: cannot reach Neo4j at"
    assert lines[0].startswith(f"{prefix} {uri}: ")
    assert "Connection refused" in lines[0]
    assert "loaded" not in proc.stdout


def test_unsupported_uri_scheme_is_refused_before_connecting() -> None:
    settings = Settings(backend="neo4j", neo4j_uri="http://127.0.0.1:7474")
    with pytest.raises(BackendUnavailable, match="unsupported URI scheme 'http'"):
        Neo4jBackend(settings)


def test_only_safe_names_reach_schema_statements() -> None:
    assert _name("`Country`") == "`Country`"
    assert _name("id") == "id"
    for bad in ["Country) DETACH DELETE (n", "`a`b`", "", "1abc", "a b"]:
        with pytest.raises(ValueError):
            _name(bad)


def test_driver_values_become_plain_data() -> None:
    from neo4j.spatial import CartesianPoint, WGS84Point
    from neo4j.time import Date, DateTime, Duration, Time

    value = {
        "d": Date(2024, 1, 2),
        "dt": DateTime(2024, 1, 2, 3, 4, 5),
        "t": Time(3, 4, 5),
        "du": Duration(days=1, hours=2),
        "geo": WGS84Point((4.35, 50.85)),
        "xyz": CartesianPoint((1.0, 2.0, 3.0)),
        "list": [Date(2020, 2, 29), b"\x01\xff"],
    }
    plain = to_plain(value)
    assert plain["d"] == "2024-01-02"
    assert plain["dt"].startswith("2024-01-02T03:04:05")
    assert plain["t"].startswith("03:04:05")
    assert plain["du"] == Duration(days=1, hours=2).iso_format()
    assert plain["geo"] == {"srid": 4326, "longitude": 4.35, "latitude": 50.85}
    assert plain["xyz"] == {"srid": 9157, "x": 1.0, "y": 2.0, "z": 3.0}
    assert plain["list"] == ["2020-02-29", "01ff"]
    json.dumps(plain)


def test_neo4j_only_statements_are_valid_neo4j_cypher() -> None:
    from cypher_lint.neo4j_lint import available, format_problems, lint

    if not available():
        pytest.skip("the Neo4j Cypher linter is not installed (npm ci --prefix tests/cypher_lint)")
    schema = get_schema()
    labels = [schema.node(k).label for k in schema.nodes] + [f"`{META_LABEL}`"]
    statements = [CLEAR, EXISTS, *(constraint_statement(label, "id") for label in labels)]
    problems = {s: d for s, d in lint(statements).items() if d}
    assert not problems, format_problems(problems)


# -- on a real Neo4j 5.26 (tests/conftest.py says where it comes from) -----------------


def neutral(value: Any) -> Any:
    """Drop engine-internal ids, sort label lists and round floats, for comparison."""
    if isinstance(value, dict):
        return {k: sorted(v) if k == "_labels" else neutral(v)
                for k, v in value.items() if k not in {"_eid", "_start", "_end"}}
    if isinstance(value, list):
        return [neutral(v) for v in value]
    if isinstance(value, float):
        return round(value, 9)
    return value


@pytest.mark.neo4j
def test_load_gives_exactly_the_graph_the_embedded_engine_holds(
    neo_loaded: Neo4jBackend, loaded: FalkorBackend, facts: Facts
) -> None:
    stats = graph_stats(neo_loaded)
    nodes, rels = facts.counts()
    assert {k: v for k, v in stats.nodes.items() if v} == nodes
    assert {k: v for k, v in stats.relationships.items() if v} == rels
    assert neo_loaded.exists()
    assert loaded_digest(neo_loaded) == facts.digest
    assert snapshot(neo_loaded) == snapshot(loaded)


@pytest.mark.neo4j
def test_every_named_query_answers_as_on_the_embedded_engine(
    neo_loaded: Neo4jBackend, loaded: FalkorBackend
) -> None:
    from cypher import get_registry

    registry, settings = get_registry(), Settings()
    assert registry.names()
    differences = []
    for name in registry.names():
        example = {k: p.example for k, p in registry.get(name).params.items()
                   if p.example is not None}
        ours = registry.run(neo_loaded, name, example, settings)
        theirs = registry.run(loaded, name, example, settings)
        assert ours.rows, f"{name}: the example returned no rows on Neo4j"
        if (ours.columns, neutral(ours.rows), ours.truncated) != (
                theirs.columns, neutral(theirs.rows), theirs.truncated):
            differences.append(f"{name} {example}:\n  neo4j:    {ours}\n  embedded: {theirs}")
    assert not differences, "\n".join(differences)


@pytest.mark.neo4j
def test_reload_is_idempotent(neo_loaded: Neo4jBackend, facts: Facts) -> None:
    before = snapshot(neo_loaded)
    load_facts(facts, neo_loaded)
    assert snapshot(neo_loaded) == before


@pytest.mark.neo4j
def test_reload_is_exact_removed_facts_disappear(tmp_path: Path, neo: Neo4jBackend) -> None:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    mini = read_facts(data)
    load_facts(mini, neo)
    assert graph_stats(neo).relationships["COVERS"] == 1
    total = neo.read("MATCH (n) RETURN count(n)").scalar()
    assert total == len(mini.entities) + 1  # and the _Meta node: nothing else survived
    text = (data / "facts.yaml").read_text()
    (data / "facts.yaml").write_text(text[: text.index("  - type: COVERS")])
    load_facts(read_facts(data), neo)
    stats = graph_stats(neo)
    assert stats.relationships["COVERS"] == 0
    assert stats.relationships["PARTY_TO"] == 1
    assert stats.nodes["Country"] == 2


@pytest.mark.neo4j
def test_failed_build_leaves_the_previous_graph(neo_loaded: Neo4jBackend) -> None:
    before = snapshot(neo_loaded)

    class Boom(RuntimeError):
        pass

    def exploding(stage: str, done: int, total: int) -> None:
        if stage == "relationships":
            raise Boom("disk on fire")

    with pytest.raises(Boom):
        load_facts(read_facts(MINI), neo_loaded, progress=exploding)
    assert snapshot(neo_loaded) == before


@pytest.mark.neo4j
def test_statement_failing_mid_load_rolls_back_everything(neo_loaded: Neo4jBackend) -> None:
    before = snapshot(neo_loaded)

    def build(writer: Writer) -> None:
        writer.create_indexes(["`Probe`"], ["id"])
        writer.run("UNWIND range(1, 100) AS i CREATE (:`Probe` {id: i})")
        writer.run("UNWIND $zeros AS z RETURN 1 / z", {"zeros": [0]})

    with pytest.raises(QueryRejected):
        neo_loaded.replace_graph(build)
    assert snapshot(neo_loaded) == before  # the DETACH DELETE was rolled back too
    assert neo_loaded.read("MATCH (p:`Probe`) RETURN count(p)").scalar() == 0


@pytest.mark.neo4j
@pytest.mark.parametrize("statement", [
    "CREATE (n:`Intruder` {id: 'x'}) RETURN n",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n:`Country`) SET n.name = 'renamed'",
    f"MERGE (m:`{META_LABEL}` {{id: 'dataset'}}) SET m.digest = 'forged'",
])
def test_read_refuses_writes(neo_loaded: Neo4jBackend, facts: Facts, statement: str) -> None:
    before = snapshot(neo_loaded)
    with pytest.raises(QueryRejected) as caught:
        neo_loaded.read(statement)
    assert caught.value.detail == WRITE_REFUSED
    assert snapshot(neo_loaded) == before
    assert loaded_digest(neo_loaded) == facts.digest


@pytest.mark.neo4j
def test_read_refuses_schema_changes(neo_loaded: Neo4jBackend) -> None:
    with pytest.raises(QueryRejected):
        neo_loaded.read("CREATE INDEX intruder FOR (n:`Intruder`) ON (n.id)")


@pytest.mark.neo4j
def test_syntax_error_is_rejected_with_the_engines_message(neo: Neo4jBackend) -> None:
    with pytest.raises(QueryRejected) as caught:
        neo.read("MATCH (n RETURN n")
    assert "RETURN" in caught.value.detail and caught.value.detail != WRITE_REFUSED


@pytest.mark.neo4j
def test_slow_query_times_out_on_the_server(neo: Neo4jBackend) -> None:
    with pytest.raises(QueryTimeout):
        neo.read("UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b "
                 "RETURN count(*) AS n", timeout_ms=200)
    assert neo.read("RETURN 1 AS one").scalar() == 1  # the session still works


@pytest.mark.neo4j
def test_row_cap_stops_reading_and_says_so(neo: Neo4jBackend) -> None:
    capped = neo.read("UNWIND range(1, 2500) AS x RETURN x", row_cap=1001)
    assert capped.truncated and capped.rows == [[x] for x in range(1, 1002)]
    exact = neo.read("UNWIND range(1, 2500) AS x RETURN x", row_cap=2500)
    assert not exact.truncated and len(exact.rows) == 2500
    assert len(neo.read("UNWIND range(1, 2500) AS x RETURN x").rows) == 2500


@pytest.mark.neo4j
def test_values_have_the_engine_neutral_shapes(neo_loaded: Neo4jBackend) -> None:
    row = neo_loaded.read("MATCH p = (a)-[r]->(b) RETURN a, r, b, p ORDER BY r.key LIMIT 1"
                          ).records()[0]
    a, r, b, p = row["a"], row["r"], row["b"], row["p"]
    assert isinstance(a["_eid"], str) and a["_labels"] and a["id"]
    assert r["_type"] and r["_start"] == a["_eid"] and r["_end"] == b["_eid"]
    assert p == {"_path": True, "nodes": [a, b], "relationships": [r]}
    values = neo_loaded.read(
        "RETURN date('2024-01-02') AS d, duration('P1D') AS du, "
        "point({longitude: 4.35, latitude: 50.85}) AS geo"
    ).records()[0]
    assert values == {"d": "2024-01-02", "du": "P1D",
                      "geo": {"srid": 4326, "longitude": 4.35, "latitude": 50.85}}
    json.dumps(row)


@pytest.mark.neo4j
def test_exists_only_when_a_graph_is_loaded(neo: Neo4jBackend, facts: Facts) -> None:
    neo.replace_graph(lambda writer: None)
    assert not neo.exists()
    assert loaded_digest(neo) is None
    assert not any(graph_stats(neo).nodes.values())
    load_facts(facts, neo)
    assert neo.exists()


@pytest.mark.neo4j
def test_statement_hook_sees_every_statement(neo_loaded: Neo4jBackend) -> None:
    sent = NEO4J_SENT
    assert CLEAR in sent and EXISTS in sent
    assert constraint_statement("`Country`", "id") in sent
    assert any(s.startswith("UNWIND $rows AS row CREATE (n:`Country`") for s in sent)


@pytest.mark.neo4j
def test_api_serves_from_neo4j(neo_loaded: Neo4jBackend, facts: Facts) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app

    with TestClient(create_app(Settings(backend="neo4j"), backend=neo_loaded)) as client:
        ready = client.get("/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["backend"] == "neo4j"
        assert ready.json()["nodes"] == len(facts.entities)


@pytest.mark.neo4j
def test_cli_loads_and_queries_neo4j(neo4j_settings: Settings, tmp_path: Path,
                                     facts: Facts) -> None:
    env = {"NEO4J_URI": neo4j_settings.neo4j_uri, "NEO4J_USER": neo4j_settings.neo4j_user,
           "NEO4J_PASSWORD": neo4j_settings.neo4j_password.get_secret_value()}
    load = run_cli("load", "--backend", "neo4j", home=tmp_path, graph="unused", **env)
    assert load.returncode == 0, load.stderr
    assert "into neo4j" in load.stdout
    query = run_cli("query", "--backend", "neo4j", "--json",
                f"MATCH (m:`{META_LABEL}`) RETURN m.node_count AS n",
                home=tmp_path, graph="unused", **env)
    assert query.returncode == 0, query.stderr
    assert json.loads(query.stdout)["rows"] == [[len(facts.entities)]]


@pytest.mark.neo4j
def test_unknown_database_is_named(neo4j_settings: Settings) -> None:
    settings = neo4j_settings.model_copy(update={"neo4j_database": "nosuchdb"})
    with pytest.raises(BackendUnavailable, match="database 'nosuchdb' does not exist"):
        Neo4jBackend(settings)


@pytest.mark.neo4j
def test_wrong_password_is_named(neo4j_settings: Settings) -> None:
    # Last: Neo4j briefly locks a user out after repeated failures.
    from pydantic import SecretStr

    settings = neo4j_settings.model_copy(update={"neo4j_password": SecretStr("wrong-password")})
    with pytest.raises(BackendUnavailable, match="authentication failed for user 'neo4j'"):
        Neo4jBackend(settings)
