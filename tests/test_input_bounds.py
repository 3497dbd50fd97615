"""Input is bounded by depth, not only by brackets, before any engine sees it (issue 19).

FalkorDB's parser doubles its time with each level of expression nesting, and a
`NOT`, a unary sign or a `CASE` is a level as much as a bracket: 24 NOTs in a row
(about 110 characters) once ran to the deadline and got the console engine
killed, 40 nested CASE the same. The guard now measures every construct that
nests, and what no real query reaches is refused with a 400 that names it. The
SPARQL endpoint bounds its form fields, assignment chains and VALUES the same
way. Every named query, and every statement the docs and the explorer show,
passes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from conftest import ROOT
from graph.falkor import FalkorBackend
from graph.guard import (
    MAX_CASE_NESTING,
    MAX_EXPRESSION_DEPTH,
    MAX_NESTING_WEIGHT,
    MAX_PREFIX_RUN,
    check_statement,
    expression_nesting,
)
from graph.neo4j_backend import Neo4jBackend
from graph.sandbox import console_of
from migkg.exc import QueryRejected
from migkg.settings import Settings
from sparql.check import MAX_ASSIGNMENT_CHAIN, MAX_VALUES_CELLS, check_query

NOT_24 = "RETURN " + "NOT " * 24 + "true AS x"
CASE_40 = "RETURN " + "CASE WHEN true THEN " * 40 + "1" + " END" * 40 + " AS x"
BIND_24 = ("SELECT * WHERE { ?x ?p ?s0 "
           + " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(24)) + " }")
FORM = {"content-type": "application/x-www-form-urlencoded"}
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CYPHER_START = re.compile(r"^\s*(MATCH|OPTIONAL|RETURN|WITH|UNWIND|CALL)\b", re.I)


# ---------------------------------------------------------------- what real queries hold


def _doc_statements() -> list[tuple[str, str]]:
    """Every Cypher statement the docs show (`-d '{"query": …}'`, `migkg query "…"`) and
    the explorer offers (its examples and the queries its pages run)."""
    found: list[tuple[str, str]] = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"-d '(\{.*?\})'", text):
            body = json.loads(m.group(1))
            if "query" in body:
                found.append((path.name, body["query"]))
        for m in re.finditer(r'migkg query "([^"]*)"', text):
            found.append((path.name, m.group(1)))
    for path in sorted((ROOT / "api" / "static" / "js").rglob("*.js")):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r'"((?:[^"\\\n]|\\.)*)"', text):
            if CYPHER_START.match(m.group(1)) and "RETURN" in m.group(1):
                found.append((path.name, json.loads(f'"{m.group(1)}"')))
    return [(name, q) for name, q in found if CYPHER_START.match(q)]


DOC_STATEMENTS = _doc_statements()
NAMED = sorted((ROOT / "cypher").glob("*.cypher"))


def test_the_docs_show_statements_to_check() -> None:
    shown = {name for name, _ in DOC_STATEMENTS}
    assert {"README.md", "api.md", "cli.md", "cypher.js"} <= shown, shown
    assert len(NAMED) >= 10


@pytest.mark.parametrize("path", NAMED, ids=lambda p: p.stem)
def test_every_named_query_passes_the_guard(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    check_statement(text)
    n = expression_nesting(text)
    # far from every limit: the limits are for hostile input, not for analysts
    assert n.depth <= MAX_EXPRESSION_DEPTH // 2 and n.weight <= MAX_NESTING_WEIGHT // 100, n


@pytest.mark.parametrize(("where", "statement"), DOC_STATEMENTS,
                         ids=[f"{w}-{i}" for i, (w, _) in enumerate(DOC_STATEMENTS)])
def test_every_statement_the_docs_show_passes_the_guard(where: str, statement: str) -> None:
    check_statement(statement)


@pytest.mark.parametrize("statement", [
    "MATCH (n) WHERE n.a IS NOT NULL AND NOT n.b IS NULL AND NOT (n)-->() RETURN n",
    "MATCH (a)<--(b)-->(c)<-[:X]-(d)-[r:Y*1..3]->(e) RETURN a.name AS a, -r.w AS w",
    "RETURN " + " AND ".join(["NOT x.flag"] * 200) + " AS all_off",  # long, not deep
    "RETURN " + " * ".join(["-1"] * 300) + " AS sign",
    "RETURN 'NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT' AS s // CASE CASE CASE CASE CASE\n",
    "MATCH (n:`Case`) WHERE n.not = 1 AND n.case <> n.end RETURN n {.case, .end} AS m",
    "RETURN CASE WHEN x > 0 THEN CASE WHEN y > 0 THEN 'a' ELSE 'b' END ELSE 'c' END AS c",
    "RETURN " + "NOT (" * 8 + "true" + ")" * 8 + " AS deepest_allowed",
])
def test_real_shapes_pass(statement: str) -> None:
    check_statement(statement)


# ---------------------------------------------------------------- what is refused


@pytest.mark.parametrize(("statement", "construct", "limit"), [
    (NOT_24, "24 prefix operators (NOT", MAX_PREFIX_RUN),
    ("RETURN " + "- " * 24 + "1", "24 prefix operators", MAX_PREFIX_RUN),
    ("RETURN NOT - NOT + NOT - NOT + NOT - true", "10 prefix operators", MAX_PREFIX_RUN),
    (CASE_40, "CASE expressions 40 deep", MAX_CASE_NESTING),
    ("RETURN " + "CASE 1 WHEN 1 THEN " * 9 + "1" + " END" * 9, "CASE expressions 9 deep",
     MAX_CASE_NESTING),
    # each NOT reaches over its operand: NOT abs(NOT abs(…)) is two levels a step
    ("RETURN " + "NOT abs(" * 9 + "1" + ")" * 9, "expressions 18 deep", MAX_EXPRESSION_DEPTH),
    ("RETURN " + "NOT (" * 9 + "true" + ")" * 9, "expressions 18 deep", MAX_EXPRESSION_DEPTH),
    ("RETURN " + "-(" * 9 + "1" + ")" * 9, "expressions 18 deep", MAX_EXPRESSION_DEPTH),
    # shallow enough one by one, too many side by side: parse time adds up
    ("RETURN " + " + ".join(["(" * 14 + "1" + ")" * 14] * 64), "nesting weighs 2,097,024",
     MAX_NESTING_WEIGHT),
])
def test_deep_expressions_are_refused_naming_the_construct_and_limit(
        statement: str, construct: str, limit: int) -> None:
    with pytest.raises(QueryRejected) as err:
        check_statement(statement)
    assert construct in err.value.detail, err.value.detail
    assert f"at most {limit:,}" in err.value.detail, err.value.detail


# ---------------------------------------------------------------- at the API, on both engines



@pytest.fixture
def console(engine: FalkorBackend | Neo4jBackend, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(home=tmp_path, query_timeout_ms=5000), backend=engine)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.neo4j
@pytest.mark.parametrize(("statement", "limit"), [(NOT_24, "prefix-run"),
                                                  (CASE_40, "case-nesting")])
def test_the_console_refuses_deep_statements_before_the_engine(
        engine: FalkorBackend | Neo4jBackend, console: TestClient, statement: str,
        limit: str) -> None:
    kills = console_of(engine.server).kills if isinstance(engine, FalkorBackend) else 0
    res = console.post("/v1/cypher", json={"query": statement})
    assert res.status_code == 400, res.text
    assert res.headers["content-type"] == "application/problem+json"
    assert res.json()["limit"] == limit
    if isinstance(engine, FalkorBackend):  # the console engine never saw it
        assert console_of(engine.server).kills == kills
    ok = console.post("/v1/cypher", json={"query": "MATCH (c:`Country` {id: 'RS'}) "
                                                   "RETURN c.name AS name"})
    assert ok.status_code == 200 and ok.json()["items"] == [{"name": "Serbia"}], ok.text


@pytest.mark.neo4j
def test_the_deepest_allowed_statement_runs(console: TestClient) -> None:
    deepest = "RETURN " + "NOT (" * 8 + "true" + ")" * 8 + " AS x"
    assert expression_nesting(deepest).depth == MAX_EXPRESSION_DEPTH
    res = console.post("/v1/cypher", json={"query": deepest})
    assert res.status_code == 200 and res.json()["items"] == [{"x": True}], res.text


# ---------------------------------------------------------------- SPARQL


def _doc_sparql() -> list[str]:
    found = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "ontology" / "queries")
                                                            .glob("*.rq"))]
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        found += re.findall(r"--data-urlencode 'query=([^']*)'", text)
        found += re.findall(r"```sparql\n(.*?)```", text, re.S)
    return found


DOC_SPARQL = _doc_sparql()


def test_every_example_and_documented_sparql_query_passes() -> None:
    assert len(DOC_SPARQL) >= 7
    for query in DOC_SPARQL:
        check_query(query)


@pytest.mark.parametrize(("query", "message"), [
    (BIND_24, f"chains 24 assignments (BIND or `(… AS ?v)`), each using the one before; at "
              f"most {MAX_ASSIGNMENT_CHAIN}"),
    ("SELECT (CONCAT(?s8, ?s8) AS ?s9) WHERE { ?x ?p ?s0 "  # a chain in any order
     + " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(8)) + " }",
     "chains 9 assignments"),
    ("SELECT * WHERE { VALUES ?x { " + " ".join(map(str, range(1001))) + " } }",
     f"VALUES hold 1,001 values (rows × variables); at most {MAX_VALUES_CELLS:,}"),
    ("SELECT * WHERE { VALUES (?a ?b) { " + "(1 \"x\"@en) " * 400 + "} } VALUES ?c { "
     + "<http://x> " * 201 + "}", "VALUES hold 1,001 values"),
])
def test_sparql_chains_and_values_are_bounded(query: str, message: str) -> None:
    with pytest.raises(QueryRejected, match=re.escape(message)):
        check_query(query)


def test_a_long_list_of_independent_binds_passes() -> None:
    check_query("SELECT * WHERE { ?x ?p ?s "
                + " ".join(f"BIND(CONCAT(?s, ?s) AS ?t{i})" for i in range(40)) + " }")
    check_query("SELECT * WHERE { VALUES (?a ?b) { " + '(1 "1"^^xsd:integer) ' * 500 + "} }")


@pytest.fixture(scope="module")
def sparql(loaded: FalkorBackend, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[TestClient]:
    settings = Settings(home=tmp_path_factory.mktemp("bounds-home"), query_timeout_ms=5000)
    with TestClient(create_app(settings, backend=loaded), raise_server_exceptions=False) as c:
        yield c


def _problem(res: Any, status: int = 400) -> dict[str, Any]:
    assert res.status_code == status, res.text
    assert res.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = res.json()
    return body


def test_a_form_with_too_many_fields_is_a_400_not_a_500(sparql: TestClient) -> None:
    body = "&".join(f"f{i}=1" for i in range(65)) + "&query=ASK{}"  # was an HTTP 500
    assert "at most 16 are accepted" in _problem(sparql.post("/sparql", content=body,
                                                             headers=FORM))["detail"]


@pytest.mark.parametrize(("how", "fields", "named"), [
    ("form", "query=ASK{}&qeury=ASK{}", ["qeury"]),
    ("get", "query=ASK{}&_=1712&timeout=9", ["_", "timeout"]),
    ("form", "query=ASK{}&query=ASK{}", ["query"]),
    ("get", "query=ASK{}&query=ASK{}", ["query"]),
    ("direct", "query=ASK{}", ["query"]),  # the body is the query already
    ("get", "query=ASK{}&format=json&format=json&format=json", ["format"]),
    ("get", "query=ASK{}&default-graph-uri=http%3A%2F%2Fexample.org%2Fg", ["default-graph-uri"]),
    ("form", "query=ASK{}&named-graph-uri=http%3A%2F%2Fexample.org%2Fg", ["named-graph-uri"]),
])
def test_unknown_repeated_or_unservable_fields_are_named(sparql: TestClient, how: str,
                                                        fields: str, named: list[str]) -> None:
    if how == "get":
        res = sparql.get(f"/sparql?{fields}")
    elif how == "form":
        res = sparql.post("/sparql", content=fields, headers=FORM)
    else:
        res = sparql.post(f"/sparql?{fields}", content="ASK {}",
                          headers={"content-type": "application/sparql-query"})
    body = _problem(res)
    assert body["fields"] == named, body
    for name in named:
        assert f"`{name}`" in body["detail"]


def test_what_clients_send_is_accepted(sparql: TestClient) -> None:
    # SPARQLWrapper: format, output and results, each with the name and the media type
    wrapper = [("query", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")] + [
        (f, v) for f in ("format", "output", "results")
        for v in ("tsv", "text/tab-separated-values")]
    res = sparql.get("/sparql", params=wrapper)
    assert res.status_code == 200 and res.text.startswith("?s"), res.text
    # an empty dataset field (some clients always send one) chooses nothing
    res = sparql.post("/sparql", content="query=ASK%7B%7D&default-graph-uri=&format=json",
                      headers=FORM)
    assert res.status_code == 200 and res.json()["boolean"] is True, res.text


def test_sparql_chains_and_values_are_refused_at_the_endpoint(sparql: TestClient) -> None:
    body = _problem(sparql.post("/sparql", content=BIND_24,
                                headers={"content-type": "application/sparql-query"}))
    assert body["limit"] == "assignment-chain"
    values = "SELECT * WHERE { VALUES ?x { " + " ".join(map(str, range(2000))) + " } }"
    assert _problem(sparql.get("/sparql", params={"query": values}))["limit"] == "values-size"
