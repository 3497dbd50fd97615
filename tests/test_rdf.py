"""RDF export from the graph store: formats, completeness, SHACL, SPARQL, API and CLI.

Runs on the curated data (`loaded`) and on a small synthetic graph that uses every
relationship type and every property of the schema.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as ns
from rdflib.compare import isomorphic
from test_ontology import diff

from api import problems
from api.routers import rdf
from conftest import RECORDED, run_cli
from graph.embedded import EmbeddedServer
from graph.falkor import FalkorBackend
from graph.schema import get_schema, value_label
from loaders.pipeline import load_facts, read_facts
from migkg.exc import InvalidFacts
from migkg.settings import Settings
from ontology.export import (
    FORMATS,
    META_STATEMENT,
    build_graph,
    iter_ntriples,
    serialize,
)
from ontology.mapping import Mapper
from ontology.owl import build_ontology
from ontology.shapes import build_shapes

BASE = "https://example.org/kg"
M = ns.Namespace("https://w3id.org/migkg/ontology#")
SH = ns.SH


@dataclass
class KG:
    name: str
    backend: FalkorBackend
    mapper: Mapper
    graph: Graph  # the export built with rdflib
    ntriples: str  # the streamed export


@pytest.fixture(scope="module", params=["data", "synthetic"])
def kg(request: pytest.FixtureRequest, server: EmbeddedServer,
       tmp_path_factory: pytest.TempPathFactory) -> Iterator[KG]:
    if request.param == "data":
        try:
            backend = request.getfixturevalue("loaded")
        except InvalidFacts as err:
            pytest.skip(f"data/ does not validate yet: {err.detail}")
        own = False
    else:
        folder = tmp_path_factory.mktemp("synthetic")
        (folder / "facts.yaml").write_text(SYNTHETIC, encoding="utf-8")
        backend = FalkorBackend(server, f"test_rdf_synthetic_{secrets.token_hex(3)}",
                                statement_hook=RECORDED.add)
        load_facts(read_facts(folder, allow_unchecked_quotes=True), backend)  # no sources/
        own = True
    nt = "".join(iter_ntriples(backend, BASE, page_size=7))  # small pages: many keyset pages
    yield KG(request.param, backend, Mapper(BASE), build_graph(backend, BASE), nt)
    if own:
        backend.drop()
        backend.close()


def test_every_format_parses_back_to_the_same_graph(kg: KG) -> None:
    streamed = Graph().parse(data=kg.ntriples, format="nt")
    assert isomorphic(streamed, kg.graph), diff(kg.graph, streamed)
    assert len(kg.ntriples.splitlines()) == len(kg.graph)  # the stream repeats no triple
    for fmt in ("ttl", "jsonld", "rdfxml"):
        parsed = Graph().parse(data=serialize(kg.graph, fmt), format=FORMATS[fmt].rdflib)
        assert isomorphic(parsed, kg.graph), (fmt, diff(kg.graph, parsed))


def _nodes(backend: FalkorBackend) -> list[dict[str, Any]]:
    return backend.read("MATCH (n) WHERE NOT n:`_Meta` "
                        "RETURN labels(n) AS labels, properties(n) AS props").records()


def _relationships(backend: FalkorBackend) -> list[dict[str, Any]]:
    return backend.read("MATCH (a)-[r]->(b) RETURN type(r) AS type, labels(a)[0] AS sk, "
                        "a.id AS s, labels(b)[0] AS tk, b.id AS t, properties(r) AS props"
                        ).records()


def _check_props(g: Graph, subject: URIRef, specs: dict[str, Any], props: dict[str, Any],
                 mapper: Mapper) -> None:
    for name, spec in specs.items():
        if props.get(name) is None:
            continue
        got = [o.toPython() if spec.type in ("int", "float") else str(o)
               for o in g.objects(subject, mapper.v.prop(name))]
        want = props[name] if isinstance(props[name], list) else [props[name]]
        assert sorted(got) == sorted(want), (subject, name)
    quotes = Counter((str(g.value(e, ns.PROV.value)), g.value(e, ns.DCTERMS.source))
                     for e in g.objects(subject, mapper.v.term("evidence")))
    docs = [mapper.iri("Document", d) for d in props["evidence_docs"]]
    assert quotes == Counter(zip(props["evidence_quotes"], docs, strict=True)), subject
    assert set(g.objects(subject, ns.PROV.wasDerivedFrom)) == set(docs)


def test_every_node_and_relationship_is_exported_with_its_properties(kg: KG) -> None:
    g, m, schema = kg.graph, kg.mapper, get_schema()
    nodes = _nodes(kg.backend)
    for node in nodes:
        kind, props = node["labels"][0], node["props"]
        s = m.iri(kind, props["id"])
        assert (s, ns.RDF.type, m.v.cls(kind)) in g
        assert (s, ns.RDFS.label, Literal(props["name"], lang="en")) in g
        _check_props(g, s, schema.node(kind).properties, props, m)
    rels = _relationships(kg.backend)
    for rel in rels:
        s, o, props = m.iri(rel["sk"], rel["s"]), m.iri(rel["tk"], rel["t"]), rel["props"]
        assert (s, m.v.relation(rel["type"]), o) in g
        q = m.rel_iri(props["key"])
        assert (q, ns.RDF.type, m.v.qualified(rel["type"])) in g
        assert (q, m.v.term("subject"), s) in g and (q, m.v.term("object"), o) in g
        assert (q, m.v.term("key"), Literal(props["key"])) in g
        _check_props(g, q, schema.rel(rel["type"]).properties, props, m)
    onto = build_ontology()
    qualified = {s for s, _, c in g.triples((None, ns.RDF.type, None))
                 if (c, ns.RDFS.subClassOf, m.v.term("Relationship")) in onto}
    assert len(qualified) == len(rels)
    dataset = URIRef(f"{BASE}/dataset")
    assert g.value(dataset, ns.VOID.entities).toPython() == len(nodes)  # type: ignore[union-attr]
    void = {t for t in g if str(t[0]).startswith((str(dataset), f"{BASE}/v1/export."))}
    assert g.value(dataset, ns.VOID.triples).toPython() == len(g) - len(void)  # type: ignore[union-attr]
    loaded_at = kg.backend.read(META_STATEMENT, {"id": "dataset"}).scalar()["loaded_at"]
    assert str(g.value(dataset, ns.DCTERMS.created)) == loaded_at
    assert (dataset, ns.DCTERMS.license, URIRef("http://creativecommons.org/licenses/by/4.0/")
            ) in g
    assert (dataset, ns.VOID.dataDump, URIRef(f"{BASE}/v1/export.ttl")) in g


@pytest.mark.parametrize("kg", ["synthetic"], indirect=True)  # the curated data need not
def test_synthetic_graph_uses_the_whole_schema(kg: KG) -> None:
    assert kg.name == "synthetic"
    schema, g, m = get_schema(), kg.graph, kg.mapper
    assert {r["type"] for r in _relationships(kg.backend)} == set(schema.relationships)
    used = set(g.predicates())
    missing = [p for p in m.v.property_names if m.v.prop(p) not in used]
    assert not missing
    assert (None, ns.OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q403")) in g
    assert (None, ns.SKOS.inScheme, None) in g
    assert (None, ns.RDF.type, ns.SKOS.ConceptScheme) in g


def test_export_conforms_to_the_shapes(kg: KG) -> None:
    conforms, _, text = validate(kg.graph, shacl_graph=build_shapes(), inference="none")
    assert conforms, text


def test_shapes_catch_a_broken_graph(server: EmbeddedServer) -> None:
    backend = FalkorBackend(server, f"test_rdf_broken_{secrets.token_hex(3)}",
                            statement_hook=RECORDED.add)
    ev = {"evidence_docs": ["doc-x"], "evidence_quotes": ["a quote"]}

    def build(w: Any) -> None:
        for label, props in [
            ("Document", {"id": "doc-x", "name": "Doc", "title": "Doc", "file": "x.txt", **ev}),
            ("Agreement", {"id": "bad-ag", "name": "Bad", "agreement_type": "pact",
                           "date": "next June", "pages": "three", **ev}),
            ("Country", {"id": "serbia", "name": "Serbia", "evidence_docs": [],
                         "evidence_quotes": []}),
        ]:
            w.run(f"CREATE (n:`{label}`) SET n = $props", {"props": props})
        w.run("MATCH (a:`Document` {id: $a}) MATCH (b:`Agreement` {id: $b}) "
              "CREATE (a)-[r:`PARTY_TO`]->(b) SET r = $props",
              {"a": "doc-x", "b": "bad-ag", "props": {"key": "PARTY_TO|doc-x|bad-ag|||", **ev}})

    try:
        backend.replace_graph(build)
        conforms, report, _ = validate(build_graph(backend, BASE), shacl_graph=build_shapes(),
                                       inference="none")
    finally:
        backend.drop()
        backend.close()
    assert not conforms
    found = {(r.value(res, SH.focusNode), r.value(res, SH.resultPath),
              r.value(res, SH.sourceConstraintComponent))
             for r in [report] for res in r.subjects(ns.RDF.type, SH.ValidationResult)}
    m = Mapper(BASE)
    ag, rs, doc = m.iri("Agreement", "bad-ag"), m.iri("Country", "serbia"), m.iri("Document",
                                                                                  "doc-x")
    rel = m.rel_iri("PARTY_TO|doc-x|bad-ag|||")
    expected = {
        (ag, M.status, SH.MinCountConstraintComponent),
        (ag, M.agreementType, SH.InConstraintComponent),
        (ag, M.date, SH.OrConstraintComponent),
        (ag, M.pages, SH.DatatypeConstraintComponent),
        (rs, M.id, SH.PatternConstraintComponent),
        (rs, M.evidence, SH.MinCountConstraintComponent),
        (rs, ns.PROV.wasDerivedFrom, SH.MinCountConstraintComponent),
        (doc, M.partyTo, SH.ClosedConstraintComponent),
        (rel, M.subject, SH.OrConstraintComponent),  # Country, Organisation or Person
        (rel, M.role, SH.MinCountConstraintComponent),
    }
    assert expected <= found, sorted(expected - found)


SERBIA_SPARQL = """
PREFIX migkg: <https://w3id.org/migkg/ontology#>
SELECT DISTINCT ?id WHERE {
  ?agreement a migkg:Agreement ; migkg:id ?id .
  { ?agreement migkg:covers ?rs }
  UNION { ?rs migkg:partyTo ?agreement }
  UNION { ?agreement migkg:addresses ?route . ?route migkg:passesThrough ?rs }
  UNION { ?rs migkg:memberOf ?group . ?group migkg:partyTo ?agreement }
}"""
SERBIA_PARTS = [
    "MATCH (a:`Agreement`)-[:`COVERS`]->(:`Country` {id: $id}) RETURN a.id AS id",
    "MATCH (:`Country` {id: $id})-[:`PARTY_TO`]->(a:`Agreement`) RETURN a.id AS id",
    "MATCH (a:`Agreement`)-[:`ADDRESSES`]->(:`Route`)-[:`PASSES_THROUGH`]->"
    "(:`Country` {id: $id}) RETURN a.id AS id",
    "MATCH (:`Country` {id: $id})-[:`MEMBER_OF`]->()-[:`PARTY_TO`]->(a:`Agreement`) "
    "RETURN a.id AS id",
]
SERBIA_CYPHER = " UNION ".join(SERBIA_PARTS)


def test_sparql_agreements_covering_serbia(kg: KG) -> None:
    turtle = Graph().parse(data=serialize(kg.graph, "ttl"), format="turtle")
    rs = kg.mapper.iri("Country", "RS")
    found = {str(row[0]) for row in turtle.query(SERBIA_SPARQL, initBindings={"rs": rs})}
    expected = {row[0] for row in kg.backend.read(SERBIA_CYPHER, {"id": "RS"}).rows}
    # The coverage and party triples alone (the question's core) are all found too.
    direct = {row[0] for row in kg.backend.read(" UNION ".join(SERBIA_PARTS[:2]),
                                                {"id": "RS"}).rows}
    assert found == expected and direct <= found
    if kg.name == "synthetic":
        assert found == {"ag-party", "ag-cover", "ag-route", "ag-group"}
    else:
        assert "uk-serbia-agreement" in found


def test_ontology_declares_every_class_and_property_used(kg: KG) -> None:
    onto = build_ontology()
    declared = {s for t in (ns.OWL.ObjectProperty, ns.OWL.DatatypeProperty,
                            ns.OWL.AnnotationProperty) for s in onto.subjects(ns.RDF.type, t)}
    used = set(kg.graph.predicates()) - {ns.RDF.type, ns.OWL.sameAs}
    assert used <= declared, sorted(used - declared)
    classes = set(onto.subjects(ns.RDF.type, ns.OWL.Class))
    types = set(kg.graph.objects(None, ns.RDF.type))
    assert types <= classes, sorted(types - classes)


# -- the API ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(kg: KG) -> Iterator[TestClient]:
    settings = Settings(base_iri=BASE)
    try:
        from api.app import create_app

        app = create_app(settings, backend=kg.backend)
    except ImportError:  # the other routers are not all there yet
        app = FastAPI()
        problems.install(app)
        app.state.settings, app.state.backend = settings, kg.backend
    if not any(getattr(r, "path", None) == "/v1/export.ttl" for r in app.routes):
        app.include_router(rdf.router)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_export_endpoints(client: TestClient, kg: KG, fmt: str) -> None:
    spec = FORMATS[fmt]
    res = client.get(f"/v1/export.{spec.extension}")
    assert res.status_code == 200, res.text
    assert res.headers["content-type"].split(";")[0] == spec.media_type
    assert res.headers["content-disposition"] == (
        f'attachment; filename="migkg.{spec.extension}"')
    parsed = Graph().parse(data=res.content, format=spec.rdflib)
    assert isomorphic(parsed, kg.graph), diff(kg.graph, parsed)


ACCEPT = [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("text/html;q=0.5, application/ld+json", "application/ld+json", "json-ld"),
    ("*/*", "text/turtle", "turtle"),
    ("text/*;q=0.9, application/rdf+xml;q=0.1", "text/turtle", "turtle"),
]


@pytest.mark.parametrize("accept, media, parser", ACCEPT)
def test_entity_rdf_by_content_negotiation(client: TestClient, kg: KG, accept: str,
                                           media: str, parser: str) -> None:
    # JSON-LD names its context by URL; ?context=inline gives the same triples offline
    inline = "?context=inline" if parser == "json-ld" else ""
    res = client.get(f"/id/country/RS{inline}", headers={"Accept": accept})
    assert res.status_code == 200, res.text
    assert res.headers["content-type"].split(";")[0] == media
    assert res.headers["vary"] == "Accept"
    assert 'rel="alternate"' in res.headers["link"]
    described = Graph().parse(data=res.content, format=parser)
    rs = kg.mapper.iri("Country", "RS")
    assert set(kg.graph.triples((rs, None, None))) <= set(described)
    incoming = {(s, p) for s, p, _ in kg.graph.triples((None, None, rs))
                if p != kg.mapper.v.term("object")}
    for s, p in incoming:  # relationships both ways, with their qualified nodes and evidence
        assert (s, p, rs) in described
    for q in kg.graph.subjects(kg.mapper.v.term("object"), rs):
        assert set(kg.graph.triples((q, None, None))) <= set(described)
        for e in kg.graph.objects(q, kg.mapper.v.term("evidence")):
            assert set(kg.graph.triples((e, None, None))) <= set(described)


def test_entity_json_and_html(client: TestClient) -> None:
    res = client.get("/id/country/RS", headers={"Accept": "application/json"})
    assert res.status_code == 200 and res.headers["vary"] == "Accept"
    body = res.json()
    assert body["iri"] == f"{BASE}/id/country/RS"
    assert body["name"] == "Serbia" and body["evidence"]
    covers = [r for r in body["relationships"] if r["type"] == "COVERS"]
    assert covers and all(r["direction"] == "in" and r["evidence"] for r in covers)
    assert client.get("/id/country/RS?format=json").json() == body
    res = client.get("/id/country/RS", headers={"Accept": "text/html,*/*;q=0.8"})
    assert res.headers["content-type"].startswith("text/html")
    assert "Serbia" in res.text and 'rel="alternate"' in res.text
    assert "/id/country/RS?format=ttl" in res.text
    # codes in words, the stored code only as a tooltip: the relationship group, an enum value
    assert '<h3 id="rel-COVERS-in" title="← COVERS">Covered by<' in res.text
    other = covers[0]["other"]
    assert other["kind"] == "Agreement"
    status = client.get(f"/v1/agreements/{other['id']}").json()["properties"]["status"]
    agreement = client.get(f"/id/agreement/{other['id']}", headers={"Accept": "text/html"}).text
    assert f'title="{status}">{value_label(status)}<' in agreement and f">{status}<" not in agreement
    rel = client.get(covers[0]["iri"].removeprefix(BASE), headers={"Accept": "text/turtle"})
    assert rel.status_code == 200, rel.text
    g = Graph().parse(data=rel.content, format="turtle")
    assert (URIRef(covers[0]["iri"]), ns.RDF.type, M.Covers) in g
    assert client.get(covers[0]["iri"].removeprefix(BASE), headers={"Accept": "text/html"}
                      ).status_code == 200


@pytest.mark.parametrize("path, accept, status", [
    ("/id/country/ZZ", "text/turtle", 404),
    ("/id/spaceship/RS", "text/turtle", 404),
    ("/id/countries/RS", "text/turtle", 404),  # the plural is not an IRI
    ("/id/rel/0000", "text/turtle", 404),
    ("/id/country/RS", "application/xml", 406),
    ("/id/country/RS", "image/png, text/csv;q=0.5", 406),
    ("/id/country/RS", "text/turtle;q=0", 406),
    ("/ontology", "application/json", 406),
])
def test_entity_errors_are_problems(client: TestClient, path: str, accept: str,
                                    status: int) -> None:
    res = client.get(path, headers={"Accept": accept})
    assert res.status_code == status, res.text
    assert res.headers["content-type"] == "application/problem+json"
    assert res.json()["status"] == status


def test_ontology_endpoints(client: TestClient) -> None:
    res = client.get("/ontology", headers={"Accept": "text/html"})
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/html")
    for term in ("migkg:Country", "migkg:partyTo", "migkg:PartyTo", "migkg:agreementType"):
        assert term in res.text
    for req in [client.get("/ontology", headers={"Accept": "text/turtle"}),
                client.get("/ontology?format=ttl")]:
        assert req.headers["content-type"].startswith("text/turtle")
        assert len(Graph().parse(data=req.content, format="turtle")) == len(build_ontology())
    req = client.get("/ontology.ttl")
    assert isomorphic(Graph().parse(data=req.content, format="turtle"), build_ontology())
    shapes = client.get("/ontology/shapes.ttl")
    assert isomorphic(Graph().parse(data=shapes.content, format="turtle"), build_shapes())
    assert "@context" in client.get("/ontology/context.jsonld").json()


# -- the CLI ------------------------------------------------------------------------------

def test_cli_export_and_ontology(kg: KG, server: EmbeddedServer, tmp_path: Path) -> None:
    target = tmp_path / "dump.nt"
    run = run_cli("export", "--format", "nt", "-o", str(target), home=server.home,
                  graph=kg.backend.graph_name, MIGKG_BASE_IRI=BASE)
    assert run.returncode == 0, run.stderr
    assert isomorphic(Graph().parse(target, format="nt"), kg.graph)
    run = run_cli("export", "--format", "jsonld", "-o", "-", home=server.home,
                  graph=kg.backend.graph_name, MIGKG_BASE_IRI=BASE)
    assert run.returncode == 0, run.stderr
    assert isomorphic(Graph().parse(data=run.stdout, format="json-ld"), kg.graph)


def test_cli_ontology_and_missing_graph(server: EmbeddedServer) -> None:
    run = run_cli("ontology", "-o", "-", home=server.home, graph="no_such_graph")
    assert run.returncode == 0, run.stderr
    assert isomorphic(Graph().parse(data=run.stdout, format="turtle"), build_ontology())
    run = run_cli("export", "-o", "-", home=server.home, graph="no_such_graph")
    assert run.returncode == 1 and "not loaded" in run.stderr


# Every relationship type and every property of the schema, in a few facts. Serbia (RS)
# is reached by coverage, by party role, by a route passing through it and through a
# group it is a member of; ag-none and the policy must not be found.
SYNTHETIC = """
entities:
- {kind: Document, id: doc-a, name: Doc A, title: Doc A, publisher: Home Office, date: 2025-10-03,
   date_text: 3 October, url: "https://example.org/a", doc_type: press_release, file: a.txt,
   sources: [{doc: doc-a, quote: "the whole text"}]}
- {kind: Country, id: RS, name: Serbia, aliases: [Srbija], reference_names: [Republic of Serbia],
   reference_basis: Official name., wikidata: Q403,
   longitude: 20.806, latitude: 44.211, point_basis: A reference point.,
   summary: "A country.", note: "A note with \\"quotes\\" and a\\nnew line.", confidence: high,
   sources: [{doc: doc-a, quote: "Serbia"}, {doc: doc-a, quote: "Serbia again"}]}
- {kind: Country, id: GB, name: United Kingdom, wikidata: Q145, sources: [{doc: doc-a, quote: "the UK"}]}
- {kind: Country, id: FR, name: France, sources: [{doc: doc-a, quote: "France"}]}
- {kind: Organisation, id: wb-group, name: Western Balkans group, org_type: group,
   sources: [{doc: doc-a, quote: "the group"}]}
- {kind: Organisation, id: home-office, name: Home Office, org_type: government_body, wikidata: Q1431847,
   sources: [{doc: doc-a, quote: "Home Office"}]}
- {kind: Person, id: pm, name: Prime Minister, wikidata: Q6241, sources: [{doc: doc-a, quote: "the PM"}]}
- {kind: Position, id: uk-pm, name: UK Prime Minister, wikidata: Q14211, sources: [{doc: doc-a, quote: "the PM"}]}
- {kind: Position, id: uk-fs, name: UK Foreign Secretary, sources: [{doc: doc-a, quote: "the Foreign Secretary"}]}
- {kind: Agreement, id: ag-party, name: Party agreement, agreement_type: treaty, status: signed, date: "2025",
   date_text: this year, date_basis: Inferred from the words this year in a dated text.,
   date_confidence: medium, period: 2025-2026, pages: 3, sources: [{doc: doc-a, quote: "a treaty"}]}
- {kind: Agreement, id: ag-cover, name: Cover plan, agreement_type: joint_action_plan, status: agreed,
   date: 2025-10, sources: [{doc: doc-a, quote: "a plan"}]}
- {kind: Agreement, id: ag-route, name: Route partnership, agreement_type: partnership, status: announced,
   sources: [{doc: doc-a, quote: "a partnership"}]}
- {kind: Agreement, id: ag-group, name: Group statement, agreement_type: joint_statement, status: agreed,
   sources: [{doc: doc-a, quote: "a statement"}]}
- {kind: Agreement, id: ag-none, name: Other memorandum, agreement_type: memorandum, status: proposed,
   sources: [{doc: doc-a, quote: "a memorandum"}]}
- {kind: Policy, id: pol, name: Sanctions, policy_type: sanctions_regime, status: adopted, date: 2025-07-01,
   date_text: July, sources: [{doc: doc-a, quote: "sanctions"}]}
- {kind: Route, id: balkan-route, name: Western Balkans route, sources: [{doc: doc-a, quote: "the route"}]}
- {kind: Principle, id: prevent, name: Prevent, label: Prevent, framework: ag-cover, position: 1,
   sources: [{doc: doc-a, quote: "Prevent"}]}
- {kind: Event, id: summit, name: Summit, event_type: summit, date: 2025-10-02, date_text: Thursday,
   date_relative_to: doc-a, date_relation: day_before, date_basis: the day before the text,
   location: Copenhagen, status: held, status_as_of: 2025-10-03,
   sources: [{doc: doc-a, quote: "the summit"}]}
- {kind: Place, id: lancaster-house, name: Lancaster House, place_type: venue,
   sources: [{doc: doc-a, quote: "Lancaster House"}]}
- {kind: Place, id: london, name: London, place_type: city, wikidata: Q84, sources: [{doc: doc-a, quote: "London"}]}
- {kind: Figure, id: crossings, name: Crossings, value: 1000.5, unit: people, measures: crossings,
   period: "2024", qualifier: approximately, topic: crossings, sources: [{doc: doc-a, quote: "1,000"}]}
relationships:
- {type: PARTY_TO, from: RS, to: ag-party, role: party, sources: [{doc: doc-a, quote: "Serbia"}]}
- {type: PARTY_TO, from: GB, to: ag-party, role: party, sources: [{doc: doc-a, quote: "the UK"}]}
- {type: PARTY_TO, from: GB, to: ag-party, role: signatory, confidence: low, note: Unclear.,
   sources: [{doc: doc-a, quote: "the UK"}, {doc: doc-a, quote: "signed"}]}
- {type: PARTY_TO, from: wb-group, to: ag-group, role: party, sources: [{doc: doc-a, quote: "the group"}]}
- {type: PARTY_TO, from: GB, to: ag-none, role: signatory, sources: [{doc: doc-a, quote: "the UK"}]}
- {type: SIGNED, from: pm, to: ag-party, date: 2025-10-03, date_text: Friday, on_behalf_of: GB,
   sources: [{doc: doc-a, quote: "signed"}]}
- {type: COVERS, from: ag-cover, to: RS, sources: [{doc: doc-a, quote: "Serbia"}]}
- {type: COVERS, from: ag-none, to: FR, sources: [{doc: doc-a, quote: "France"}]}
- {type: COVERS, from: pol, to: RS, sources: [{doc: doc-a, quote: "Serbia"}]}
- {type: ADDRESSES, from: ag-route, to: balkan-route, sources: [{doc: doc-a, quote: "the route"}]}
- {type: PART_OF, from: prevent, to: ag-cover, sources: [{doc: doc-a, quote: "Prevent"}]}
- {type: PART_OF, from: home-office, to: GB, sources: [{doc: doc-a, quote: "Home Office"}]}
- {type: ALIGNS_WITH, from: ag-party, to: prevent, sources: [{doc: doc-a, quote: "Prevent"}]}
- {type: BUILDS_ON, from: ag-cover, to: ag-party, sources: [{doc: doc-a, quote: "builds on"}]}
- {type: ANNOUNCED_AT, from: ag-cover, to: summit, action: agreed, sources: [{doc: doc-a, quote: "agreed"}]}
- {type: MEMBER_OF, from: RS, to: wb-group, confidence: medium, ambiguity: Or only a partner.,
   sources: [{doc: doc-a, quote: "the group"}]}
- {type: PASSES_THROUGH, from: balkan-route, to: RS, role: transit, order: 2,
   sources: [{doc: doc-a, quote: "through Serbia"}]}
- {type: HOLDS_OFFICE, from: pm, to: uk-pm, title: Prime Minister, start_date: 2024-07, end_date: "2029",
   as_of: 2025-10-03, date_basis: The text is dated., sources: [{doc: doc-a, quote: "the PM"}]}
- {type: OFFICE_OF, from: uk-pm, to: GB, sources: [{doc: doc-a, quote: "the UK PM"}]}
- {type: ATTENDED, from: uk-fs, to: summit, role: visitor, sources: [{doc: doc-a, quote: "She visits"}]}
- {type: COMMITTED_IN, from: pol, to: ag-cover, sources: [{doc: doc-a, quote: "in the plan"}]}
- {type: REFORMS, from: pol, to: ag-none, sources: [{doc: doc-a, quote: "reforms"}]}
- {type: IMPLEMENTS, from: pol, to: ag-party, sources: [{doc: doc-a, quote: "under the treaty"}]}
- {type: CALLED_FOR, from: pm, to: pol, sources: [{doc: doc-a, quote: "stressed the need"}]}
- {type: INVOLVES, from: prevent, to: home-office, role: channel, sources: [{doc: doc-a, quote: "through"}]}
- {type: HELD_IN, from: summit, to: FR, inferred: from_text, basis: Implied by the words., confidence: low,
   sources: [{doc: doc-a, quote: "in France"}]}
- {type: HELD_IN, from: summit, to: lancaster-house, sources: [{doc: doc-a, quote: "at Lancaster House"}]}
- {type: LOCATED_IN, from: lancaster-house, to: london, sources: [{doc: doc-a, quote: "Lancaster House in London"}]}
- {type: LOCATED_IN, from: london, to: GB, sources: [{doc: doc-a, quote: "London"}]}
- {type: PART_OF, from: summit, to: wb-group, sources: [{doc: doc-a, quote: "the group's summit"}]}
- {type: ATTENDED, from: pm, to: summit, role: chair, sources: [{doc: doc-a, quote: "chaired"}]}
- {type: ABOUT, from: crossings, to: balkan-route, sources: [{doc: doc-a, quote: "1,000"}]}
- {type: ADOPTED, from: GB, to: pol, role: adopter, sources: [{doc: doc-a, quote: "sanctions"}]}
- {type: ADOPTED, from: FR, to: pol, role: intending_adopter, sources: [{doc: doc-a, quote: "intends"}]}
- {type: COOPERATES_WITH, from: GB, to: FR, description: Joint patrols., sources: [{doc: doc-a, quote: "patrols"}]}
- {type: PUBLISHED_BY, from: doc-a, to: home-office, sources: [{doc: doc-a, quote: "Home Office"}]}
"""
