"""The SPARQL endpoint: the store holds the export, the Protocol's basic cases, limits,
an off-the-shelf client, and each example query against its Cypher twin."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from sparql_twins import cypher_rows, multiset, sparql_rows

from api.app import create_app
from conftest import run_cli, serving
from graph.falkor import FalkorBackend
from loaders.pipeline import load_facts
from migkg.settings import Settings
from ontology.export import export_bytes
from sparql.examples import examples
from sparql.service import SparqlService
from sparql.store import current

BASE = "https://w3id.org/migkg"
SERBIA = f"""PREFIX migkg: <https://w3id.org/migkg/ontology#>
SELECT ?agreement ?name WHERE {{
  ?agreement migkg:covers <{BASE}/id/country/RS> ;
             migkg:name ?name .
}} ORDER BY ?agreement"""
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
JSON_RESULTS = "application/sparql-results+json"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(home=tmp_path_factory.mktemp("sparql-home"), query_timeout_ms=1000)


@pytest.fixture(scope="module")
def url(loaded: FalkorBackend, settings: Settings) -> Iterator[str]:
    with serving(create_app(settings, backend=loaded)) as base:
        yield base


@pytest.fixture(scope="module")
def http(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=30) as client:
        yield client


def rows(resp: httpx.Response) -> list[dict[str, Any]]:
    assert resp.status_code == 200, resp.text
    return sparql_rows(resp.json())


# ---------------------------------------------------------------- the store

NUMBERS = {f"http://www.w3.org/2001/XMLSchema#{t}" for t in ("double", "float", "decimal")}
# Oxigraph keeps integers as values of xsd:integer: the Web Annotation offsets we type
# xsd:nonNegativeInteger (oa:start, oa:end) come back as xsd:integer, the same number.
INTEGERS = {f"http://www.w3.org/2001/XMLSchema#{t}" for t in ("integer", "nonNegativeInteger")}


def canonical(triple: ox.Triple) -> tuple[Any, ...]:
    """A triple with numbers and times by value: Oxigraph keeps them as values, so
    `"16000.0"^^xsd:double` comes back in canonical form (`"16000"`), the same value."""
    o = triple.object
    if isinstance(o, ox.Literal) and o.datatype.value in NUMBERS:
        return (triple.subject, triple.predicate, o.datatype.value, float(o.value))
    if isinstance(o, ox.Literal) and o.datatype.value in INTEGERS:
        return (triple.subject, triple.predicate, "integer", int(o.value))
    if isinstance(o, ox.Literal) and o.datatype.value.endswith("#dateTime"):  # +00:00 is Z
        return (triple.subject, triple.predicate, o.datatype.value, datetime.fromisoformat(o.value))
    return (triple.subject, triple.predicate, o)


def test_the_store_holds_exactly_the_export(loaded: FalkorBackend, settings: Settings) -> None:
    service = SparqlService(loaded, settings)
    try:
        gen = service.generation()
    finally:
        service.stop()
    dump = b"".join(export_bytes(loaded, settings.base_iri, "nt"))
    parsed = [q.triple for q in ox.parse(dump, ox.RdfFormat.N_TRIPLES)]
    exported = {canonical(t) for t in parsed}
    store = ox.Store.read_only(str(gen.db))
    stored = {canonical(q.triple) for q in store.quads_for_pattern(None, None, None)}
    assert not any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
                   for t in parsed), "without blank nodes, equal sets are isomorphic graphs"
    assert stored == exported
    assert gen.triples == len(exported) == len(dump.splitlines())
    assert len(exported) > 5000


def test_the_store_is_rebuilt_when_the_graph_changes(loaded: FalkorBackend, settings: Settings,
                                                      facts: Any, tmp_path: Path) -> None:
    own = settings.model_copy(update={"home": tmp_path})
    service = SparqlService(loaded, own)
    try:
        first = service.generation()
        assert service.generation() == first, "a fresh store is reused, not rebuilt"
        # A new load: a new load time (to the second), so a new dump.
        time.sleep(1.05 - time.time() % 1)
        load_facts(facts, loaded, full=True)
        second = service.generation()
        answer = service.query("ASK { ?s ?p ?o }", table="json", graph=None)
    finally:
        service.stop()
    assert second.path != first.path and second.stamp != first.stamp
    assert current(service.root) == second
    assert (service.root / "current").is_symlink()
    assert first.path.is_dir(), "the previous generation stays for queries still reading it"
    assert json.loads(answer.body) == {"head": {}, "boolean": True}


# ---------------------------------------------------------------- the Protocol

def test_get_post_and_form_answer_the_same(http: httpx.Client) -> None:
    accept = {"Accept": JSON_RESULTS}
    got = rows(http.get("/sparql", params={"query": SERBIA}, headers=accept))
    direct = rows(http.post("/sparql", content=SERBIA.encode(), headers={
        **accept, "Content-Type": "application/sparql-query"}))
    form = rows(http.post("/sparql", data={"query": SERBIA}, headers=accept))
    assert got == direct == form
    assert {r["agreement"] for r in got} == {f"{BASE}/id/agreement/uk-serbia-agreement"}


@pytest.mark.parametrize("accept", [JSON_RESULTS, "application/sparql-results+xml", "text/csv",
                                    "text/tab-separated-values"])
def test_select_in_each_results_format(http: httpx.Client, accept: str) -> None:
    resp = http.get("/sparql", params={"query": SERBIA}, headers={"Accept": accept})
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].split(";")[0] == accept
    iri, name = f"{BASE}/id/agreement/uk-serbia-agreement", "UK-Serbia agreement on organised immigration crime"
    if accept == JSON_RESULTS:
        assert sparql_rows(resp.json()) == [{"agreement": iri, "name": name}]
    elif "xml" in accept:
        ns = {"s": "http://www.w3.org/2005/sparql-results#"}
        root = ElementTree.fromstring(resp.content)
        assert [v.get("name") for v in root.findall("s:head/s:variable", ns)] == ["agreement", "name"]
        assert root.find("s:results/s:result/s:binding[@name='agreement']/s:uri", ns).text == iri  # type: ignore[union-attr]
    elif accept == "text/csv":
        assert list(csv.reader(io.StringIO(resp.text))) == [["agreement", "name"], [iri, name]]
        assert resp.text.endswith("\r\n")
    else:
        assert resp.text.splitlines() == ["?agreement\t?name", f'<{iri}>\t"{name}"']


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                        ("application/ld+json", "json-ld"),
                                        ("application/rdf+xml", "xml")])
def test_construct_and_describe_in_each_rdf_format(http: httpx.Client, accept: str, fmt: str) -> None:
    serbia = f"{BASE}/id/country/RS"
    for query in (f"DESCRIBE <{serbia}>", f"CONSTRUCT {{ <{serbia}> ?p ?o }} WHERE {{ <{serbia}> ?p ?o }}"):
        resp = http.post("/sparql", data={"query": query}, headers={"Accept": accept})
        assert resp.status_code == 200, resp.text
        assert resp.headers["content-type"].split(";")[0] == accept
        graph = rdflib.Graph().parse(data=resp.content, format=fmt)
        assert (rdflib.URIRef(serbia), rdflib.RDFS.label, rdflib.Literal("Serbia", lang="en")) in graph


def test_ask_in_json_and_xml(http: httpx.Client) -> None:
    query = f"ASK {{ ?a <{BASE}/ontology#covers> <{BASE}/id/country/RS> }}"
    assert http.get("/sparql", params={"query": query}).json() == {"head": {}, "boolean": True}
    xml = http.get("/sparql", params={"query": query},
                   headers={"Accept": "application/sparql-results+xml"}).text
    assert "<boolean>true</boolean>" in xml


def problem(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = resp.json()
    return body


def test_a_malformed_query_names_line_and_column(http: httpx.Client) -> None:
    body = problem(http.get("/sparql", params={"query": "SELECT ?s\nWHERE { ?s ?p }"}), 400)
    assert (body["line"], body["column"]) == (2, 16)  # the parser's: just past `}`
    assert "line 2, column 16" in body["detail"] and "\n" not in body["detail"]
    assert "LATERAL" not in body["detail"]  # in our words (more cases: test_discovery.py)


UPDATE = f"INSERT DATA {{ <{BASE}/id/country/ZZ> <{BASE}/ontology#name> \"Narnia\" }}"


@pytest.mark.parametrize("how", ["get-query", "get-update", "form-query", "form-update", "direct"])
def test_an_update_is_refused_and_not_applied(http: httpx.Client, how: str) -> None:
    if how == "get-query":
        resp = http.get("/sparql", params={"query": UPDATE})
    elif how == "get-update":
        resp = http.get("/sparql", params={"update": UPDATE})
    elif how == "form-query":
        resp = http.post("/sparql", data={"query": UPDATE})
    elif how == "form-update":
        resp = http.post("/sparql", data={"update": UPDATE})
    else:
        resp = http.post("/sparql", content=UPDATE.encode(),
                         headers={"Content-Type": "application/sparql-update"})
    body = problem(resp, 400)
    assert body["operation"] == "update" and "read-only" in body["detail"]
    ask = http.get("/sparql", params={"query": f"ASK {{ <{BASE}/id/country/ZZ> ?p ?o }}"})
    assert ask.json()["boolean"] is False


def test_missing_query_wrong_type_and_unacceptable_format(http: httpx.Client) -> None:
    assert http.get("/sparql").headers["content-type"].startswith("text/turtle")  # the
    # Service Description (test_discovery.py); a POST without a query is still a 400
    assert "missing `query`" in problem(http.post("/sparql", data={"other": "x"}), 400)["detail"]
    problem(http.post("/sparql", content=b"{}", headers={"Content-Type": "application/json"}), 400)
    problem(http.get("/sparql", params={"query": SERBIA}, headers={"Accept": "image/png"}), 406)
    resp = http.get("/sparql", params={"query": SERBIA}, headers={"Accept": "text/turtle"})
    assert "SELECT and ASK" in problem(resp, 406)["detail"]


def test_service_is_refused(http: httpx.Client) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    assert "SERVICE" in problem(http.get("/sparql", params={"query": query}), 400)["detail"]


# ---------------------------------------------------------------- limits

def test_a_runaway_query_is_stopped_and_health_answers_meanwhile(url: str, http: httpx.Client,
                                                                 settings: Settings) -> None:
    """Order and outcome, not speed: 504, and /health answered while the query ran.

    The bound, ten times the limit, only tells "stopped" from "left to run"."""
    http.get("/sparql", params={"query": "ASK {}"})  # a worker is up
    sent = threading.Event()
    health: list[float] = []

    def probe() -> None:
        assert sent.wait(30), "the runaway query was never sent"
        assert httpx.get(f"{url}/health", timeout=30).status_code == 200
        health.append(time.perf_counter())

    thread = threading.Thread(target=probe)
    thread.start()
    started = time.perf_counter()
    with httpx.Client(base_url=url, timeout=60, event_hooks={"request": [lambda _: sent.set()]}) as own:
        resp = own.get("/sparql", params={"query": RUNAWAY})
    ended = time.perf_counter()
    thread.join()
    body = problem(resp, 504)
    assert f"{settings.query_timeout_ms} ms" in body["detail"]
    assert ended - started < 10 * settings.query_timeout_ms / 1000, ended - started
    assert health and health[0] < ended, "/health answered while the query ran"
    assert http.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_the_row_cap_cuts_results(loaded: FalkorBackend, tmp_path: Path) -> None:
    with serving(create_app(Settings(home=tmp_path, row_cap=5), backend=loaded)) as base:
        resp = httpx.get(f"{base}/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, timeout=30)
        assert len(rows(resp)) == 5
        assert resp.headers["x-truncated"].startswith("cut at 5")
        small = httpx.get(f"{base}/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"})
        assert "x-truncated" not in small.headers


def test_more_queries_than_workers_answer_429(loaded: FalkorBackend, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, console_concurrency=1, query_timeout_ms=3000)
    with serving(create_app(settings, backend=loaded)) as base:
        httpx.get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=30)
        slow = threading.Thread(target=httpx.get, args=(f"{base}/sparql",),
                                kwargs={"params": {"query": RUNAWAY}, "timeout": 30})
        slow.start()
        # Polled, not slept on: a query sent before the slow one holds the worker answers 200.
        resp = httpx.get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=30)
        while resp.status_code == 200 and slow.is_alive():
            time.sleep(0.02)
            resp = httpx.get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=30)
        slow.join()
        assert problem(resp, 429)["status"] == 429
        assert resp.headers["retry-after"] == "1"


# ---------------------------------------------------------------- clients and documents

def test_sparqlwrapper_reads_our_results(url: str) -> None:
    from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper

    client = SPARQLWrapper(f"{url}/sparql")
    client.setQuery(SERBIA)
    client.setReturnFormat(JSON)
    bindings = client.query().convert()["results"]["bindings"]  # type: ignore[index,call-overload]
    assert [b["name"]["value"] for b in bindings] == ["UK-Serbia agreement on organised immigration crime"]
    client.setReturnFormat(XML)
    client.setMethod("POST")
    xml = client.query().convert()
    assert xml.getElementsByTagName("literal")[0].firstChild.data.startswith("UK-Serbia")  # type: ignore[union-attr]
    client.setQuery(f"CONSTRUCT {{ ?a <{BASE}/ontology#covers> ?c }} WHERE {{ ?a <{BASE}/ontology#covers> ?c }}")
    client.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=client.query().convert(), format="turtle")  # type: ignore[arg-type]
    assert len(graph) == 14  # the 13 COVERS edges of 2026.12.3 and the returns to France measure


def test_rdflib_sparqlstore_reads_our_results(url: str) -> None:
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(f"{url}/sparql", returnFormat="json")
    graph = rdflib.Graph(store=store)
    names = {str(r[0]) for r in graph.query(
        f"SELECT ?n WHERE {{ ?a <{BASE}/ontology#covers> <{BASE}/id/country/RS> ; "
        f"<{BASE}/ontology#name> ?n }}")}
    assert names == {"UK-Serbia agreement on organised immigration crime"}


def test_void_and_openapi_describe_the_endpoint(http: httpx.Client) -> None:
    void = rdflib.Graph().parse(data=http.get("/v1/export.ttl").content, format="turtle")
    assert (rdflib.URIRef(f"{BASE}/dataset"), rdflib.VOID.sparqlEndpoint,
            rdflib.URIRef(f"{BASE}/sparql")) in void
    paths = http.get("/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/sparql"])
    assert "application/sparql-query" in paths["/sparql"]["post"]["requestBody"]["content"]
    assert "/v1/sparql/examples" in paths


# ---------------------------------------------------------------- examples and their twins

def test_examples_are_listed_with_title_and_description(http: httpx.Client) -> None:
    listed = http.get("/v1/sparql/examples").json()
    assert {e["name"] for e in listed} >= {
        "agreements_covering_country", "agreement_parties", "route_countries",
        "framework_principles", "document_supports", "events_in_range"}
    assert all(e["title"] and e["description"] and e["query"] for e in listed)


@pytest.mark.parametrize("example", examples(), ids=lambda e: e.name)
def test_each_example_answers_as_its_cypher_twin(http: httpx.Client, example: Any) -> None:
    twin = example.twin
    cypher = http.get(f"/v1/queries/{twin['query']}", params=twin["params"])
    assert cypher.status_code == 200, cypher.text
    records = cypher.json()["items"]
    expected = cypher_rows(records, twin.get("columns"))
    got = rows(http.post("/sparql", data={"query": example.query},
                         headers={"Accept": JSON_RESULTS}))
    assert expected, "a twin that answers nothing proves nothing"
    assert multiset(got) == multiset(expected)


# ---------------------------------------------------------------- the CLI

def test_cli_sparql_prints_a_table_json_or_a_format(loaded: FalkorBackend, tmp_path: Path) -> None:
    home = loaded.server.home
    out = run_cli("sparql", SERBIA, home=home, graph=loaded.graph_name)
    assert out.returncode == 0, out.stderr
    assert "UK-Serbia agreement on organised immigration crime" in out.stdout
    assert out.stdout.rstrip().endswith("(1 row)")
    out = run_cli("sparql", "--json", SERBIA, home=home, graph=loaded.graph_name)
    assert json.loads(out.stdout) == {"columns": ["agreement", "name"], "rows": [[
        f"{BASE}/id/agreement/uk-serbia-agreement",
        "UK-Serbia agreement on organised immigration crime"]], "truncated": False}
    out = run_cli("sparql", "--format", "csv", SERBIA, home=home, graph=loaded.graph_name)
    assert out.stdout.splitlines()[0] == "agreement,name"
    bad = run_cli("sparql", "SELECT ?s WHERE {", home=home, graph=loaded.graph_name)
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1
    assert "line 1" in bad.stderr


def test_the_readme_curl_answers_as_the_cypher_endpoint(http: httpx.Client) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    line = next(ln for ln in readme.splitlines()
                if ln.startswith("curl -H 'Accept: application/sparql-results+json'"))
    query = line.split("'query=", 1)[1].split("' http", 1)[0]
    got = {r["agreement"] for r in rows(http.post("/sparql", data={"query": query}))}
    cypher = http.get("/v1/queries/agreements_covering_country", params={"country": "Serbia"}).json()
    expected = {f"{BASE}/id/agreement/{item['agreement']['id']}" for item in cypher["items"]}
    assert len(expected) >= 3
    assert got == expected


def test_migkg_load_brings_the_store_in_step(loaded: FalkorBackend) -> None:
    home, graph = loaded.server.home, loaded.graph_name
    root = home.resolve() / "sparql" / graph
    out = run_cli("load", home=home, graph=graph)
    assert out.returncode == 0, out.stderr
    first = current(root)
    assert first is not None and f"SPARQL store: {first.triples} triples" in out.stdout
    out = run_cli("load", "--full", home=home, graph=graph)  # a new load time: a new dump
    assert out.returncode == 0, out.stderr
    second = current(root)
    assert second is not None and second.stamp != first.stamp and second.path != first.path


def test_serve_start_up_builds_a_missing_store(loaded: FalkorBackend, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, graph=loaded.graph_name)  # the graph it is configured for
    root = tmp_path.resolve() / "sparql" / loaded.graph_name
    with serving(create_app(settings, backend=loaded)):
        deadline = time.monotonic() + 60
        while current(root) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert current(root) is not None, "no query was sent: start-up built it"
