"""One behaviour on both engines: the API, the RDF export and the CLI answer the same.

Every check here runs the same request against the curated data on the embedded
FalkorDB and on a real Neo4j 5.26 (tests/conftest.py), and asserts that users
see the same thing: the same status, the same JSON (engine-internal element ids
aside), the same problem+json for errors, isomorphic RDF, the same `migkg stats`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS

from conftest import curated, run_cli, serving
from graph.falkor import FalkorBackend
from graph.neo4j_backend import Neo4jBackend
from loaders.facts import Facts
from migkg.settings import Settings
from ontology.export import build_graph

pytestmark = pytest.mark.neo4j
ROW_CAP = 7
SETTINGS = Settings(row_cap=ROW_CAP, query_timeout_ms=5000)
BASE = "https://w3id.org/migkg"


def neutral(value: Any) -> Any:
    """The value without engine-internal element ids (`_eid`, `_start`, `_end`)."""
    if isinstance(value, dict):
        return {k: neutral(v) for k, v in value.items() if k not in {"_eid", "_start", "_end"}}
    if isinstance(value, list):
        return [neutral(v) for v in value]
    return value


def app_for(backend: FalkorBackend | Neo4jBackend, settings: Settings = SETTINGS) -> FastAPI:
    from api.app import create_app

    return create_app(settings, backend=backend)


@pytest.fixture(scope="module")
def clients(loaded: FalkorBackend, neo: Neo4jBackend, facts: Facts) -> Iterator[dict[str, TestClient]]:
    """One app per engine for the module: every request here reads, so each answers from
    the curated graph throughout (an app starts in about a second; 80 requests share two)."""
    with (TestClient(app_for(loaded), raise_server_exceptions=False) as embedded,
          TestClient(app_for(curated(neo, facts)), raise_server_exceptions=False) as neo4j):
        yield {"embedded": embedded, "neo4j": neo4j}


def answers(clients: dict[str, TestClient], method: str, url: str,
            **kwargs: Any) -> dict[str, tuple[int, str, Any]]:
    out = {}
    for engine, client in clients.items():
        res = client.request(method, url, **kwargs)
        body = res.json() if "json" in res.headers.get("content-type", "") else res.text
        out[engine] = (res.status_code, res.headers.get("content-type", ""), neutral(body))
    return out


GETS = [
    # the signature question, by name, ISO code and lower case
    "/v1/countries/Serbia/agreements",
    "/v1/countries/RS/agreements",
    "/v1/countries/serbia/agreements",
    "/v1/countries/United Kingdom/agreements",
    # entity detail, by id, code, name and alias; not found; ambiguous
    "/v1/entities/RS",
    "/v1/entities/france",
    "/v1/entities/Yvette Cooper",
    "/v1/entities/Europol",
    "/v1/countries/DE",
    "/v1/agreements/uk-germany-joint-action-plan",
    "/v1/entities/Narnia",
    "/v1/entities/EPC",
    # names resolved like a search box (issue 12): reference names, words, 409, 404
    "/v1/entities/Aegean",
    "/v1/entities/Cooper",
    "/v1/entities/whole of route approach",
    "/v1/entities/Aegaen route",
    "/v1/routes/Western Balkans/path",
    "/v1/queries/events_at_place?place=Budapest",
    "/v1/queries/framework_principles?framework=Border Security Command",
    "/v1/search?q=western%20bal",
    "/v1/search?q=cooper",
    # lists: filters, sorting and paging
    "/v1/countries?limit=5&offset=3",
    "/v1/countries?q=ser",
    "/v1/agreements?limit=4&offset=4",
    "/v1/agreements?sort=-date&limit=20",
    "/v1/agreements?status=signed",
    "/v1/events?date_from=2024-01-01&date_to=2025-12-31",
    "/v1/people?sort=-name&limit=3",
    "/v1/organisations?type=agency",
    # search
    "/v1/search?q=ser",
    "/v1/search?q=prevot",
    "/v1/search?q=uk&kind=Country",
    "/v1/search?q=balkans%20western",
    "/v1/search?q=joint&limit=2&offset=1",
    # one shape (issue 13): facets, CSV, enum refusals
    "/v1/agreements?facets=status,agreement_type,confidence",
    "/v1/events?type=summit&facets=status",
    "/v1/agreements?status=signedd",
    "/v1/agreements?format=csv",
    "/v1/countries/RS/agreements?format=csv",
    "/v1/queries/shortest_connection?from=Serbia&to=Europol&format=csv",
    # named-query shortcuts and the query library
    "/v1/agreements/uk-germany-joint-action-plan/parties",
    "/v1/routes/western-balkans-route/path",
    "/v1/actors/Europol/profile",
    "/v1/queries",
    "/v1/queries/shortest_connection?from=Serbia&to=Europol",
    "/v1/queries/events_in_range?from=2024-01-01&to=2026-01-01",
    # readiness (counts) and an entity IRI as JSON-LD
    "/id/country/RS",
]


@pytest.mark.parametrize("url", GETS)
def test_get_answers_the_same(clients: dict[str, TestClient], url: str) -> None:
    got = answers(clients, "GET", url, headers={"Accept": "application/json"})
    assert got["embedded"][0] in {200, 404, 409, 422}, got["embedded"]
    assert got["neo4j"] == got["embedded"]


def test_lists_actually_filter_and_page(clients: dict[str, TestClient]) -> None:
    """The parity above is not vacuous: the requests return real, different data."""
    page = clients["neo4j"].get("/v1/agreements?limit=4&offset=4").json()
    assert page["total"] > 8 and len(page["items"]) == 4 and page["offset"] == 4
    signature = clients["neo4j"].get("/v1/countries/RS/agreements").json()
    assert signature["country"]["id"] == "RS" and signature["items"]
    epc = clients["neo4j"].get("/v1/entities/EPC")  # the forum's acronym only (issue 12)
    assert epc.status_code == 200 and epc.json()["id"] == "european-political-community"
    assert clients["neo4j"].get("/v1/entities/whole of route approach").status_code == 409


def test_ready_reports_the_same_counts(clients: dict[str, TestClient]) -> None:
    bodies = {engine: c.get("/ready").json() for engine, c in clients.items()}
    for body in bodies.values():
        body.pop("loaded_at")
    assert bodies["embedded"].pop("backend") == "embedded"
    assert bodies["neo4j"].pop("backend") == "neo4j"
    assert bodies["neo4j"] == bodies["embedded"]


CYPHER = [
    # plain rows, ordering, nulls, lists, maps and numbers
    {"query": "MATCH (c:`Country`) RETURN c.id AS id, c.name AS name, c.iso3 AS iso3 "
              "ORDER BY id LIMIT 5"},
    {"query": "MATCH (a:`Agreement`) RETURN a.id AS id, a.date AS date ORDER BY date, id"},
    {"query": "RETURN [1, 2.5, 'x', null, true] AS l, {a: 1, b: [2]} AS m, 7 / 2 AS i, "
              "7 / 2.0 AS f, toUpper($s) AS s", "params": {"s": "abc"}},
    {"query": "MATCH (c:`Country` {id: $id})<-[r]-(a) RETURN type(r) AS t, a.id AS a "
              "ORDER BY t, a", "params": {"id": "RS"}},
    {"query": "MATCH (n) RETURN labels(n)[0] AS kind, count(*) AS n ORDER BY kind"},
    # nodes, relationships and paths in the engine-neutral shapes
    {"query": "MATCH (c:`Country` {id: 'RS'}) RETURN c"},
    {"query": "MATCH p = (:`Country` {id: 'RS'})<-[:`COVERS`]-(a) RETURN p ORDER BY a.id LIMIT 2"},
    # the row cap cuts and says so; exactly the cap is not truncated
    {"query": "UNWIND range(1, 50) AS x RETURN x"},
    {"query": f"UNWIND range(1, {ROW_CAP}) AS x RETURN x"},
    # writes are refused with the same problem
    {"query": "CREATE (n:`Intruder` {id: 'x'}) RETURN n"},
    {"query": "MATCH (n:`Country`) SET n.name = 'renamed'"},
    {"query": "MATCH (n) DETACH DELETE n"},
    {"query": "MERGE (n:`Country` {id: 'XX'})"},
    # input problems caught before the engine
    {"query": ""},
    {"query": "RETURN 1", "params": {"bad name": 1}},
]


@pytest.mark.parametrize("body", CYPHER, ids=lambda b: b["query"][:50])
def test_cypher_answers_the_same(clients: dict[str, TestClient], body: dict[str, Any]) -> None:
    got = answers(clients, "POST", "/v1/cypher", json=body)
    assert got["neo4j"] == got["embedded"]


def test_cypher_cap_and_write_refusal_are_real(clients: dict[str, TestClient]) -> None:
    capped = clients["neo4j"].post("/v1/cypher", json={"query": "UNWIND range(1, 50) AS x RETURN x"})
    assert capped.json()["truncated"] is True and len(capped.json()["items"]) == ROW_CAP
    refused = clients["neo4j"].post("/v1/cypher", json={"query": "CREATE (n:`Intruder`)"})
    assert refused.status_code == 400
    assert refused.headers["content-type"] == "application/problem+json"
    assert "writes are not allowed" in refused.json()["detail"]
    for client in clients.values():
        gone = client.post("/v1/cypher", json={"query": "MATCH (n:`Intruder`) RETURN count(n) AS n"})
        assert gone.json()["items"] == [{"n": 0}]


ENGINE_WORDED = [
    # The engines' own parsers word these differently; users get the same problem type,
    # status and title, and a detail that names the trouble.
    ("MATCH (n RETURN n", {}, 400),
    ("RETURN $missing AS x", {}, 400),
    ("RETURN nosuchfunction(1)", {}, 400),
]


@pytest.mark.parametrize(("query", "params", "status"), ENGINE_WORDED)
def test_engine_errors_are_the_same_problem(clients: dict[str, TestClient], query: str,
                                            params: dict[str, Any], status: int) -> None:
    got = {}
    for engine, client in clients.items():
        res = client.post("/v1/cypher", json={"query": query, "params": params})
        assert res.headers["content-type"] == "application/problem+json"
        body = res.json()
        assert body["detail"], engine
        got[engine] = (res.status_code, body["type"], body["title"], sorted(body))
    assert got["neo4j"] == got["embedded"]
    assert got["neo4j"][0] == status


POSITIONED = [
    # (statement, line, column): where both engines place the trouble
    ("MATCH (n RETURN n", 1, 10),
    ("RETURN nosuchfunction(1)", 1, 8),
    ("MATCH (c:`Country`)\nRETURN c.id AS id,\n       nosuchfunction(c) AS x", 3, 8),
]


@pytest.mark.parametrize(("query", "line", "column"), POSITIONED, ids=lambda x: str(x)[:30])
def test_cypher_errors_give_line_column_and_caret_on_both(
        clients: dict[str, TestClient], query: str, line: int, column: int) -> None:
    got = {}
    for engine, client in clients.items():
        body = client.post("/v1/cypher", json={"query": query}).json()
        assert "errMsg" not in body["detail"] and "\n" not in body["detail"], (engine, body)
        assert body["detail"].endswith(f"(line {line}, column {column})"), (engine, body)
        got[engine] = {k: body[k] for k in ("line", "column", "offset", "context", "caret")}
    lines = query.split("\n")
    offset = sum(len(text) + 1 for text in lines[:line - 1]) + column - 1
    assert got["embedded"] == got["neo4j"] == {
        "line": line, "column": column, "offset": offset, "context": lines[line - 1],
        "caret": " " * (column - 1) + "^"}


def test_cypher_error_shape_is_the_same_where_positions_differ(clients: dict[str, TestClient]) -> None:
    """FalkorDB points at the bad character, Neo4j at the start of the bad word."""
    bodies = {e: c.post("/v1/cypher", json={"query": "MATCH (n)\nWHERE n.x = 1\nRETRUN n"}).json()
              for e, c in clients.items()}
    assert sorted(bodies["embedded"]) == sorted(bodies["neo4j"])
    for body in bodies.values():
        assert body["line"] == 3 and body["context"] == "RETRUN n" and body["caret"].endswith("^")


def test_missing_parameter_is_named_on_both(clients: dict[str, TestClient]) -> None:
    for client in clients.values():
        body = client.post("/v1/cypher", json={"query": "RETURN $missing AS x"}).json()
        assert "missing" in body["detail"]


# -- the RDF export ---------------------------------------------------------------------


def _export(backend: FalkorBackend | Neo4jBackend) -> Graph:
    g = build_graph(backend, BASE)
    created = list(g.triples((None, DCTERMS.created, None)))
    assert len(created) == 1  # the load time: the one triple that differs by design
    g.remove(created[0])
    return g


def test_rdf_export_is_isomorphic(loaded: FalkorBackend, neo_loaded: Neo4jBackend) -> None:
    embedded, neo4j = _export(loaded), _export(neo_loaded)
    assert len(embedded) > 1000
    if not isomorphic(embedded, neo4j):
        _, only_embedded, only_neo4j = graph_diff(to_isomorphic(embedded), to_isomorphic(neo4j))
        pytest.fail("exports differ:\nonly on embedded:\n"
                    + "\n".join(sorted(t.n3() for t in only_embedded)[:20])
                    + "\nonly on neo4j:\n" + "\n".join(sorted(t.n3() for t in only_neo4j)[:20]))


# -- the CLI -------------------------------------------------------------------------------


def test_cli_stats_prints_the_same(loaded: FalkorBackend, neo_loaded: Neo4jBackend,
                                   neo4j_settings: Settings) -> None:
    env = {"NEO4J_URI": neo4j_settings.neo4j_uri, "NEO4J_USER": neo4j_settings.neo4j_user,
           "NEO4J_PASSWORD": neo4j_settings.neo4j_password.get_secret_value()}
    home, graph = loaded.server.home, loaded.graph_name
    for flags in ([], ["--json"]):
        embedded = run_cli("stats", *flags, home=home, graph=graph)
        neo4j = run_cli("stats", "--backend", "neo4j", *flags, home=home, graph=graph, **env)
        assert embedded.returncode == neo4j.returncode == 0, embedded.stderr + neo4j.stderr
        assert neo4j.stdout == embedded.stdout
    counts = json.loads(neo4j.stdout)
    assert counts["nodes"]["Country"] > 10 and counts["relationships"]["PARTY_TO"] > 10


# -- a runaway query: stopped by the server, and the service keeps answering -----------------
# Order and outcome, not speed: the answer is 504, /health answered while the query ran,
# and the bound (ten times the limit) only tells "stopped" from "left to run".


LIMIT_MS = 1000
RUNAWAY = "UNWIND range(1, 100000000) AS i RETURN count(i) AS n"


@pytest.mark.parametrize("engine", ["embedded", "neo4j"])
def test_runaway_query_is_stopped_and_health_keeps_answering(
    engine: str, loaded: FalkorBackend, neo_loaded: Neo4jBackend
) -> None:
    backend = loaded if engine == "embedded" else neo_loaded
    settings = Settings(query_timeout_ms=LIMIT_MS)
    app = app_for(backend, settings)
    outcome: dict[str, Any] = {}
    sent = threading.Event()
    with serving(app) as url, httpx.Client(base_url=url, timeout=30) as http, \
            httpx.Client(base_url=url, timeout=60,
                         event_hooks={"request": [lambda _: sent.set()]}) as attacker:
        def runaway() -> None:
            started = time.perf_counter()
            outcome["res"] = attacker.post("/v1/cypher", json={"query": RUNAWAY})
            outcome["seconds"] = time.perf_counter() - started

        worker = threading.Thread(target=runaway)
        worker.start()
        assert sent.wait(30), "the runaway query was never sent"
        meanwhile = 0  # /health answers sent after the runaway query and received before its
        while worker.is_alive():
            assert http.get("/health").status_code == 200
            meanwhile += worker.is_alive()
            time.sleep(0.05)
        worker.join()
    res = outcome["res"]
    limit_s = settings.query_timeout_ms / 1000
    assert res.status_code == 504, res.text
    assert res.headers["content-type"] == "application/problem+json"
    assert res.json()["detail"] == f"the query did not finish within {settings.query_timeout_ms} ms"
    assert outcome["seconds"] < 10 * limit_s, outcome["seconds"]
    assert meanwhile >= 1, outcome["seconds"]


@pytest.mark.parametrize("module", ["graph.falkor", "graph.neo4j_backend"])
def test_a_read_without_a_timeout_is_stopped_at_the_default_one(
        module: str, loaded: FalkorBackend, neo_loaded: Neo4jBackend,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """No read waits forever: one that sets no timeout gets READ_TIMEOUT_MS (made short here)."""
    from migkg.exc import QueryTimeout

    backend = loaded if module == "graph.falkor" else neo_loaded
    monkeypatch.setattr(f"{module}.READ_TIMEOUT_MS", 200)
    with pytest.raises(QueryTimeout, match="200 ms"):
        backend.read("MATCH (a), (b), (c), (d) WHERE a.id < b.id RETURN count(*) AS n")
    assert backend.read("MATCH (c:`Country` {id: 'RS'}) RETURN c.name").scalar() == "Serbia"
