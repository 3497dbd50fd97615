"""The ontology, shapes and context are generated from the schema, and committed fresh."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib import namespace as ns
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from graph.schema import SCHEMA_PATH, get_schema, parse_schema
from ontology.context import build_context
from ontology.generate import HERE, write_all
from ontology.owl import build_ontology
from ontology.shapes import build_shapes
from ontology.vocab import VOCAB_IRI, Vocabulary

M = VOCAB_IRI


def diff(expected: Graph, actual: Graph, limit: int = 12) -> str:
    """A readable summary of what differs between two graphs."""
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    lines = ["missing:"] + [f"  {t}" for t in sorted(only_expected)[:limit]]
    lines += ["unexpected:"] + [f"  {t}" for t in sorted(only_actual)[:limit]]
    return "\n".join(lines)


@pytest.mark.parametrize("name, build", [("migkg.ttl", build_ontology),
                                         ("shapes.ttl", build_shapes)])
def test_committed_turtle_is_fresh(name: str, build: object) -> None:
    committed = Graph().parse(HERE / name, format="turtle")
    generated = build()  # type: ignore[operator]
    assert isomorphic(committed, generated), (
        f"ontology/{name} is stale: run `python -m ontology.generate`\n"
        + diff(generated, committed))


def test_committed_context_is_fresh() -> None:
    committed = json.loads((HERE / "context.jsonld").read_text(encoding="utf-8"))
    assert committed == build_context(), (
        "ontology/context.jsonld is stale: run `python -m ontology.generate`")


def test_a_schema_change_makes_the_committed_files_stale(tmp_path: Path) -> None:
    raw = yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))
    changed = copy.deepcopy(raw)
    changed["nodes"]["Vessel"] = {"description": "A boat.", "slug": "vessel", "plural": "vessels",
                                  "properties": {"flag": {"type": "string"}}}
    schema = parse_schema(changed)
    write_all(tmp_path, schema)
    for name in ("migkg.ttl", "shapes.ttl"):
        assert not isomorphic(Graph().parse(tmp_path / name), Graph().parse(HERE / name))
    context = json.loads((tmp_path / "context.jsonld").read_text())
    assert context["@context"]["Vessel"] == "migkg:Vessel"


def test_every_kind_relationship_and_property_is_declared() -> None:
    schema, onto, v = get_schema(), build_ontology(), Vocabulary()
    for name, kind in schema.nodes.items():
        cls = v.cls(name)
        assert (cls, ns.RDF.type, ns.OWL.Class) in onto
        assert onto.value(cls, ns.RDFS.comment).language == "en"  # type: ignore[union-attr]
        assert str(onto.value(cls, ns.RDFS.comment)) == kind.description
        assert (cls, ns.RDFS.subClassOf, v.term("Entity")) in onto
    for name in schema.relationships:
        prop, cls = v.relation(name), v.qualified(name)
        assert (prop, ns.RDF.type, ns.OWL.ObjectProperty) in onto
        assert onto.value(prop, ns.RDFS.domain) is not None
        assert onto.value(prop, ns.RDFS.range) is not None
        assert (cls, ns.RDFS.subClassOf, v.term("Relationship")) in onto
        assert (cls, v.term("qualifies"), prop) in onto
    for name in v.property_names:
        assert (v.prop(name), ns.RDF.type, ns.OWL.DatatypeProperty) in onto
        assert onto.value(v.prop(name), ns.RDFS.range) is not None
        assert onto.value(v.prop(name), ns.RDFS.label) is not None


def test_ranges_and_domains() -> None:
    onto, v = build_ontology(), Vocabulary()
    assert onto.value(v.prop("pages"), ns.RDFS.range) == ns.XSD.integer
    assert onto.value(v.prop("value"), ns.RDFS.range) == ns.XSD.double
    assert onto.value(v.prop("name"), ns.RDFS.domain) == v.term("Entity")
    dates = onto.value(v.prop("date"), ns.RDFS.range)
    assert (dates, ns.RDF.type, ns.RDFS.Datatype) in onto
    members = set(onto.items(onto.value(dates, ns.OWL.unionOf)))
    assert members == {ns.XSD.date, ns.XSD.gYearMonth, ns.XSD.gYear}
    domain = onto.value(v.relation("PARTY_TO"), ns.RDFS.domain)
    assert set(onto.items(onto.value(domain, ns.OWL.unionOf))) == {
        v.cls("Country"), v.cls("Organisation"), v.cls("Person")}
    assert onto.value(v.relation("PARTY_TO"), ns.RDFS.range) == v.cls("Agreement")


def test_alignments_to_standard_vocabularies() -> None:
    onto, v = build_ontology(), Vocabulary()
    assert (v.cls("Person"), ns.RDFS.subClassOf, ns.FOAF.Person) in onto
    assert (v.cls("Organisation"), ns.RDFS.subClassOf, ns.ORG.Organization) in onto
    assert (v.cls("Principle"), ns.RDFS.subClassOf, ns.SKOS.Concept) in onto
    assert (v.cls("Country"), ns.RDFS.subClassOf, ns.SDO.Country) in onto
    assert (v.cls("Document"), ns.RDFS.subClassOf, ns.PROV.Entity) in onto
    assert (v.relation("MEMBER_OF"), ns.RDFS.subPropertyOf, ns.ORG.memberOf) in onto
    # a position held is ORG's holding of a Post, not a membership (issue 24)
    assert (v.relation("HOLDS_OFFICE"), ns.RDFS.subPropertyOf, ns.ORG.holds) in onto
    assert (v.cls("Position"), ns.RDFS.subClassOf, ns.ORG.Post) in onto
    assert (v.qualified("HOLDS_OFFICE"), ns.RDFS.subClassOf, ns.ORG.Membership) not in onto
    assert (v.qualified("MEMBER_OF"), ns.RDFS.subClassOf, ns.ORG.Membership) in onto
    assert (v.term("evidence"), ns.RDFS.subPropertyOf, ns.PROV.wasDerivedFrom) in onto
    assert (v.prop("title"), ns.RDFS.subPropertyOf, ns.DCTERMS.title) in onto
    assert (v.term("Entity"), ns.OWL.equivalentClass, None) in onto


def test_vocabulary_is_closed() -> None:
    v = Vocabulary()
    with pytest.raises(KeyError):
        v.term("Spaceship")
    with pytest.raises(KeyError):
        v.cls("Spaceship")
    assert str(v.relation("PARTY_TO")) == M + "partyTo"
    assert str(v.qualified("PARTY_TO")) == M + "PartyTo"
    assert str(v.prop("agreement_type")) == M + "agreementType"


def test_shapes_are_valid_shacl() -> None:
    shapes = build_shapes()
    empty = Graph()
    conforms, _, text = validate(empty, shacl_graph=shapes, meta_shacl=True)
    assert conforms, text
    v = Vocabulary()
    shape = URIRef("https://w3id.org/migkg/shapes#AgreementShape")
    assert (shape, URIRef("http://www.w3.org/ns/shacl#targetClass"), v.cls("Agreement")) in shapes


def test_context_maps_every_schema_name() -> None:
    ctx = build_context()["@context"]
    schema, v = get_schema(), Vocabulary()
    for name in v.property_names:
        assert ctx[name]["@id"] == f"migkg:{v.prop(name).removeprefix(M)}"
    for name in schema.nodes:
        assert ctx[name] == f"migkg:{name}"
    for name in schema.relationships:
        assert ctx[name.lower()]["@type"] == "@id"
    assert ctx["aliases"]["@container"] == "@set"
    assert ctx["pages"]["@type"] == "xsd:integer"
