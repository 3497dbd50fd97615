"""Linked-data discovery: the dataset at /dataset, the SPARQL Service Description, format
suffixes on /id, JSON-LD that references its context, one default for */*, SPARQL
syntax errors in plain words, and `SELECT *` in the query's variable order."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib import namespace as ns
from rdflib.compare import isomorphic
from test_ontology import diff

from api.app import create_app
from graph.falkor import FalkorBackend
from loaders.releases import Releases
from migkg.settings import Settings
from sparql.variables import is_select_star, star_order

BASE = "https://w3id.org/migkg"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
CONTEXT_URL = f"{BASE}/ontology/context.jsonld"
RS = URIRef(f"{BASE}/id/country/RS")


@pytest.fixture(scope="module")
def client(loaded: FalkorBackend, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[TestClient]:
    settings = Settings(home=tmp_path_factory.mktemp("discovery-home"), base_iri=BASE)
    with TestClient(create_app(settings, backend=loaded), raise_server_exceptions=False) as c:
        yield c


def ok(res: Any, media: str) -> Any:
    assert res.status_code == 200, res.text[:500]
    assert res.headers["content-type"].split(";")[0] == media
    return res


def jsonld_graph(client: TestClient, body: bytes) -> Graph:
    """Parse JSON-LD whose `@context` is our context's URL, loading that URL from the app
    (where `{base}/ontology/context.jsonld` is served) instead of the network."""
    document = json.loads(body)
    assert document["@context"] == CONTEXT_URL
    served = ok(client.get("/ontology/context.jsonld"), "application/ld+json").json()
    document["@context"] = served["@context"]
    return Graph().parse(data=json.dumps(document), format="json-ld")


# -- the dataset ---------------------------------------------------------------------------------

def test_dataset_answers_the_well_known_void(client: TestClient) -> None:
    known = Graph().parse(data=ok(client.get("/.well-known/void"), "text/turtle").content,
                          format="turtle")
    res = ok(client.get("/dataset"), "text/turtle")
    assert res.headers["vary"] == "Accept"
    dataset = Graph().parse(data=res.content, format="turtle")
    assert isomorphic(dataset, known), diff(known, dataset)
    assert (URIRef(f"{BASE}/dataset"), ns.VOID.sparqlEndpoint, URIRef(f"{BASE}/sparql")) in dataset
    xml = ok(client.get("/dataset", headers={"Accept": "application/rdf+xml"}),
             "application/rdf+xml")
    assert isomorphic(Graph().parse(data=xml.content, format="xml"), known)


def test_each_release_iri_dereferences(client: TestClient) -> None:
    versions = Releases(Path("data")).versions()
    assert len(versions) >= 2
    second = versions[1]
    res = ok(client.get(f"/dataset/{second}"), "text/turtle")
    g = Graph().parse(data=res.content, format="turtle")
    iri = URIRef(f"{BASE}/dataset/{second}")
    assert (iri, ns.RDF.type, DCAT.Dataset) in g
    assert (iri, ns.DCTERMS.isVersionOf, URIRef(f"{BASE}/dataset")) in g
    assert (iri, DCAT.previousVersion, URIRef(f"{BASE}/dataset/{versions[0]}")) in g
    assert {s for s in g.subjects(ns.RDF.type, DCAT.Dataset)} == {iri}  # this release only
    assert len(list(g.objects(iri, DCAT.distribution))) == 3
    missing = client.get("/dataset/1999.1.1")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert versions[0] in missing.json()["detail"]


# -- the Service Description ---------------------------------------------------------------------

def test_get_sparql_without_a_query_describes_the_service(client: TestClient) -> None:
    res = ok(client.get("/sparql"), "text/turtle")
    g = Graph().parse(data=res.content, format="turtle")
    services = list(g.subjects(ns.RDF.type, SD.Service))
    assert len(services) == 1
    service = services[0]
    assert g.value(service, SD.endpoint) == URIRef(f"{BASE}/sparql")
    assert set(g.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query}
    assert set(g.objects(service, SD.resultFormat)) == {FORMATS[f] for f in (
        "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
        "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML")}
    assert set(g.objects(service, SD.feature)) == set()  # none is claimed: no SERVICE, no FROM
    dataset = g.value(service, SD.defaultDataset)
    default = g.value(dataset, SD.defaultGraph)
    assert (dataset, ns.RDF.type, SD.Dataset) in g and (default, ns.RDF.type, SD.Graph) in g
    assert g.value(default, ns.RDFS.seeAlso) == URIRef(f"{BASE}/dataset")
    for accept, media, parser in (("application/ld+json", "application/ld+json", "json-ld"),
                                  ("application/rdf+xml", "application/rdf+xml", "xml"),
                                  ("application/n-triples", "application/n-triples", "nt")):
        other = ok(client.get("/sparql", headers={"Accept": accept}), media)
        assert isomorphic(Graph().parse(data=other.content, format=parser), g)
    jsonld = ok(client.get("/sparql?format=json"), "application/ld+json")
    assert isomorphic(Graph().parse(data=jsonld.content, format="json-ld"), g)
    assert client.get("/sparql", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/sparql?format=csv").status_code == 406
    # a POST still needs a query
    assert "missing `query`" in client.post("/sparql", data={"format": "json"}).json()["detail"]


# -- /id suffixes, the context by URL, one default -----------------------------------------------

SUFFIXES = [("ttl", "text/turtle", "turtle"), ("nt", "application/n-triples", "nt"),
            ("rdf", "application/rdf+xml", "xml"), ("jsonld", "application/ld+json", "json-ld")]


@pytest.mark.parametrize("ext, media, parser", SUFFIXES)
def test_a_suffix_is_the_format(client: TestClient, ext: str, media: str, parser: str) -> None:
    negotiated = ok(client.get("/id/country/RS", headers={"Accept": media}), media)
    assert negotiated.headers["content-location"] == f"/id/country/RS.{ext}"
    res = ok(client.get(f"/id/country/RS.{ext}", headers={"Accept": "text/html"}), media)
    assert "vary" not in res.headers
    assert res.content == negotiated.content
    assert f'</id/country/RS?format={ext}>; rel="alternate"' in res.headers["link"]


def test_json_and_html_suffixes(client: TestClient) -> None:
    body = ok(client.get("/id/country/RS.json"), "application/json").json()
    assert body == ok(client.get("/id/country/RS?format=json"), "application/json").json()
    page = ok(client.get("/id/country/RS.html", headers={"Accept": "text/turtle"}), "text/html")
    assert "Serbia" in page.text
    rel = body["relationships"][0]["iri"].removeprefix(BASE)
    ok(client.get(f"{rel}.nt"), "application/n-triples")


@pytest.mark.parametrize("path, status", [
    ("/id/country/ZZ.ttl", 404),  # the rest is no id, and neither is the whole
    ("/id/country/RS.txt", 404),  # not a known suffix: `RS.txt` is the id, and there is none
    ("/id/country/RS.ttl.ttl", 404),
    ("/id/countries/RS.ttl", 404),
    ("/id/country/RS.ttl?format=json", 406),  # two formats named
])
def test_suffix_errors(client: TestClient, path: str, status: int) -> None:
    res = client.get(path)
    assert res.status_code == status, res.text
    assert res.headers["content-type"] == "application/problem+json"


def test_jsonld_references_the_context_by_url(client: TestClient) -> None:
    turtle = ok(client.get("/id/country/RS.ttl"), "text/turtle")
    expected = Graph().parse(data=turtle.content, format="turtle")
    referenced = ok(client.get("/id/country/RS.jsonld"), "application/ld+json")
    inline = ok(client.get("/id/country/RS.jsonld?context=inline"), "application/ld+json")
    assert isinstance(json.loads(inline.content)["@context"], dict)
    # the same document, its context named instead of repeated (about 6.5 KB less)
    assert json.loads(referenced.content) == {**json.loads(inline.content), "@context": CONTEXT_URL}
    assert len(referenced.content) < len(inline.content) - 5_000
    by_url = jsonld_graph(client, referenced.content)
    assert isomorphic(by_url, expected), diff(expected, by_url)
    whole = Graph().parse(data=inline.content, format="json-ld")
    assert isomorphic(whole, expected), diff(expected, whole)
    void = ok(client.get("/dataset?format=jsonld"), "application/ld+json")
    assert json.loads(void.content)["@context"] == CONTEXT_URL
    assert client.get("/id/country/RS.jsonld?context=other").status_code == 422


@pytest.mark.parametrize("path", ["/id/country/RS", "/ontology"])
@pytest.mark.parametrize("accept, media", [
    ("*/*", "text/turtle"),
    (None, "text/turtle"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ("application/ld+json", "application/ld+json"),
])
def test_one_default_for_any_type(client: TestClient, path: str, accept: str | None,
                                  media: str) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    req = client.build_request("GET", path, headers=headers)
    if accept is None:
        del req.headers["accept"]
    ok(client.send(req), media)


# -- SPARQL: errors in our words, SELECT * in the query's order ----------------------------------

SYNTAX = [
    ("SELECT ?s\nWHERE { ?s ?p }", 2, 16, "the query does not read to its end: check the "
     "pattern before this point (a triple pattern needs a subject, a predicate and an object; "
     "a variable is bound once)"),
    ("SELEC * WHERE { ?s ?p ?o }", 1, 1, "a query starts with SELECT, CONSTRUCT, ASK or "
     "DESCRIBE (after any PREFIX and BASE lines), not `SELEC`"),
    ("SELECT * WHERE {\n  ?s ?p ?o ", 1, 16, "this `{` is never closed"),
    ("SELECT * WHERE { ?s ?p ?o } }", 1, 29, "`}` closes nothing: no `{` is open before it"),
    ("SELECT * WHERE { ?s ?p ?o FILTER(STR(?s) }", 1, 42,
     "`}` here, but the `(` at line 1, column 33 is not closed yet"),
    ('SELECT * WHERE { ?s ?p "abc }', 1, 24, "this string is never closed"),
    ("SELECT * WHERE {\n  ?s bad:p ?o }", 2, 6, "the prefix `bad:` is not declared: add "
     "`PREFIX bad: <…>` before the query (migkg:, rdf:, rdfs:, owl:, xsd:, prov:, dcterms:, "
     "skos: and others are predeclared)"),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT x", 1, 35, "`x` does not fit here; expected a number"),
    ("SELECT ?s WHERE { ?s ?p ?o } ORDER ?s", 1, 38,
     "the end of the query does not fit here; expected `BY`"),
    ("CONSTRUCT { ?s ?p } WHERE { ?s ?p ?o }", 1, 19,
     "`}` does not fit here; expected a variable, an IRI or a literal"),
    ("SELECT ?s ?s WHERE { ?s ?p ?o }", 1, 32, "a variable is named twice in SELECT"),
]


@pytest.mark.parametrize("query, line, column, words", SYNTAX)
def test_syntax_errors_in_plain_words(client: TestClient, query: str, line: int, column: int,
                                      words: str) -> None:
    res = client.get("/sparql", params={"query": query})
    assert res.status_code == 400, res.text
    body = res.json()
    assert (body["line"], body["column"]) == (line, column)
    assert body["detail"] == f"SPARQL syntax error at line {line}, column {column}: {words}"
    for engine_words in ("expected one of", "LATERAL", "SERVICE", "[_]", "\\u{"):
        assert engine_words not in body["detail"]


def test_select_star_keeps_the_query_order(client: TestClient) -> None:
    query = f"""SELECT * WHERE {{
      BIND(<{RS}> AS ?zcountry) ?zcountry migkg:name ?name .
      ?agreement migkg:covers ?zcountry . # ?aaa is only in a comment
      BIND("?bbb" AS ?label)
    }} LIMIT 1"""
    res = client.get("/sparql", params={"query": query},
                     headers={"Accept": "application/sparql-results+json"})
    assert res.status_code == 200, res.text
    assert res.json()["head"]["vars"] == ["zcountry", "name", "agreement", "label"]
    csv = client.get("/sparql", params={"query": query, "format": "csv"})
    assert csv.text.splitlines()[0] == "zcountry,name,agreement,label"
    listed = client.get("/sparql", params={"query": query.replace("*", "?name ?agreement", 1),
                                           "format": "json"})
    assert listed.json()["head"]["vars"] == ["name", "agreement"]  # as written, as before
    assert Literal("Serbia").value in json.dumps(res.json())


def test_select_star_detection() -> None:
    assert is_select_star("PREFIX a: <http://x/*> SELECT DISTINCT * { ?s ?p ?o }")
    assert not is_select_star("SELECT ?s { { SELECT * { ?s ?p ?o } } }")
    assert not is_select_star("ASK { ?s ?p ?o }")
    assert star_order("SELECT * { ?b ?a $c }", ["a", "b", "c", "d"]) == [1, 0, 2, 3]
