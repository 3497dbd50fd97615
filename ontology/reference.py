"""The ontology reference as plain data: its classes and properties, with their labels,
comments and the terms they point to.

Read from the ontology graph, so it never drifts from it. No markup here: the HTML page
(`/ontology`) is laid out by `api/ontology_page.py` and its template.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from ontology.vocab import PREFIXES, VOCAB_IRI


@dataclass(frozen=True, slots=True)
class Ref:
    """A term a definition points to: one of ours (`local` set), another vocabulary's
    (`curie` set) or an anonymous class (neither)."""

    local: str | None = None
    curie: str | None = None


@dataclass(frozen=True, slots=True)
class Term:
    """One class or property of ours: `facts` are (label, the terms it points to)."""

    local: str
    label: str
    comment: str
    facts: list[tuple[str, list[list[Ref]]]]


@dataclass(frozen=True, slots=True)
class Section:
    """The terms of one OWL type (classes, object properties ...)."""

    title: str
    terms: list[Term]


_CLASS_FACTS = [("Subclass of", RDFS.subClassOf), ("Equivalent to", OWL.equivalentClass),
                ("Qualifies", URIRef(VOCAB_IRI + "qualifies"))]
_PROPERTY_FACTS = [("Domain", RDFS.domain), ("Range", RDFS.range),
                   ("Subproperty of", RDFS.subPropertyOf)]
_SECTIONS = [("Classes", OWL.Class, _CLASS_FACTS),
             ("Object properties", OWL.ObjectProperty, _PROPERTY_FACTS),
             ("Datatype properties", OWL.DatatypeProperty, _PROPERTY_FACTS),
             ("Annotation properties", OWL.AnnotationProperty, _PROPERTY_FACTS)]


def curie(node: Node) -> str:
    """`prefix:name` for a term in a known namespace, else the IRI as it is."""
    text = str(node)
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns) and len(text) > len(ns):
            return f"{prefix}:{text[len(ns):]}"
    return text


def refs(graph: Graph, node: Node) -> list[Ref]:
    """A term as references: one, or the members of a union (`A or B`), unions flattened."""
    if isinstance(node, URIRef):
        if node.startswith(VOCAB_IRI):
            return [Ref(local=node[len(VOCAB_IRI):])]
        return [Ref(curie=curie(node))]
    members = graph.value(node, OWL.unionOf)
    if members is not None:
        return [ref for member in Collection(graph, members) for ref in refs(graph, member)]
    return [Ref()]


def _term(graph: Graph, term: URIRef, facts: list[tuple[str, URIRef]]) -> Term:
    local = term[len(VOCAB_IRI):]
    found = []
    for label, pred in facts:
        values = sorted(graph.objects(term, pred), key=str)
        if values:
            found.append((label, [refs(graph, v) for v in values]))
    return Term(local=local, label=str(graph.value(term, RDFS.label) or local),
                comment=str(graph.value(term, RDFS.comment) or ""), facts=found)


def ontology_reference(graph: Graph) -> list[Section]:
    """The ontology's own classes and properties by OWL type, each sorted by IRI."""
    def ours(kind: URIRef) -> list[URIRef]:
        return sorted(t for t in graph.subjects(RDF.type, kind)
                      if isinstance(t, URIRef) and t.startswith(VOCAB_IRI))

    return [Section(title, [_term(graph, t, facts) for t in ours(kind)])
            for title, kind, facts in _SECTIONS]
