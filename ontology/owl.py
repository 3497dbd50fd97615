"""The OWL ontology, generated from `ontology/schema.yaml` (never written by hand).

A class per node kind, an object property per relationship type (the direct
triple) and a class per relationship type (its qualified node), a datatype
property per schema property, with English labels and comments from the
schema's descriptions and alignments to standard vocabularies (`vocab.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, XSD
from rdflib.term import Node

from graph.schema import PropertySpec, Schema
from migkg.dates import RANGE
from ontology.vocab import (
    CLASS_ALIGNMENT,
    DATATYPES,
    DATE_TYPES,
    ENTITY,
    EVIDENCE,
    EXTERNAL_TERMS,
    FIRST_SEEN,
    KEY,
    LABEL_PROPERTY,
    LAST_SEEN,
    LICENSE,
    OA,
    OBJECT,
    ONTOLOGY_IRI,
    PREFIXES,
    PROPERTY_ALIGNMENT,
    QUALIFIED_ALIGNMENT,
    QUALIFIES,
    QUOTATION,
    RELATION_ALIGNMENT,
    RELATIONSHIP,
    RELEASE_DIGEST,
    SAME_AS_PROPERTY,
    SCHEME,
    SUBJECT,
    Vocabulary,
    words,
)

HEADER = (
    "# Generated from ontology/schema.yaml by `python -m ontology.generate`; do not edit.\n"
)


def bind(graph: Graph) -> Graph:
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True)
    return graph


def rdf_list(graph: Graph, items: Iterable[Node]) -> BNode:
    head = BNode()
    Collection(graph, head, list(items))
    return head


def union(graph: Graph, classes: Sequence[URIRef]) -> URIRef | BNode:
    """A class, or an anonymous owl:unionOf class when there are several."""
    if len(classes) == 1:
        return classes[0]
    node = BNode()
    graph.add((node, RDF.type, OWL.Class))
    graph.add((node, OWL.unionOf, rdf_list(graph, sorted(set(classes)))))
    return node


def _en(text: str) -> Literal:
    return Literal(text, lang="en")


class _Builder:
    def __init__(self, schema: Schema | None) -> None:
        self.v = Vocabulary(schema)
        self.schema = self.v.schema
        self.g = bind(Graph())
        self.kinds = [self.v.cls(k) for k in self.schema.nodes]
        self.qualified = [self.v.qualified(r) for r in self.schema.relationships]

    def simplify(self, classes: Iterable[URIRef]) -> URIRef | BNode:
        """Domain/range: Entity or Relationship stand for all kinds or all relationship classes."""
        found = set(classes)
        out: list[URIRef] = []
        for every, name in ((self.kinds, ENTITY), (self.qualified, RELATIONSHIP)):
            if set(every) <= found:
                found -= set(every)
                out.append(self.v.term(name))
        return union(self.g, [*out, *sorted(found)])

    def declare(self, term: URIRef, kind: URIRef, label: str, comment: str,
                parents: Iterable[URIRef] = ()) -> None:
        g = self.g
        g.add((term, RDF.type, kind))
        g.add((term, RDFS.label, _en(label)))
        g.add((term, RDFS.comment, _en(comment)))
        g.add((term, RDFS.isDefinedBy, ONTOLOGY_IRI))
        sub = RDFS.subPropertyOf if kind != OWL.Class else RDFS.subClassOf
        for parent in parents:
            g.add((term, sub, parent))

    def header(self) -> None:
        g, o = self.g, ONTOLOGY_IRI
        g.add((o, RDF.type, OWL.Ontology))
        g.add((o, DCTERMS.title, _en("migration-kg ontology")))
        g.add((o, RDFS.label, _en("migration-kg ontology")))
        g.add((o, DCTERMS.description, _en(
            "Classes and properties of the migration-kg knowledge graph of European cooperation "
            "against irregular migration and people smuggling. Generated from "
            "ontology/schema.yaml; every relationship is both a direct triple and a qualified "
            "node carrying its properties and evidence.")))
        g.add((o, DCTERMS.license, LICENSE))
        g.add((o, RDFS.seeAlso, URIRef("https://w3id.org/migkg/ontology/shapes.ttl")))

    def fixed_terms(self) -> None:
        g, v = self.g, self.v
        self.declare(v.term(ENTITY), OWL.Class, "entity",
                     "A node of the graph: one of the node kinds, with an id, a name and evidence.")
        g.add((v.term(ENTITY), OWL.equivalentClass, union(g, self.kinds)))
        self.declare(v.term(RELATIONSHIP), OWL.Class, "relationship",
                     "A qualified relationship: the n-ary node that carries a relationship's "
                     "properties and evidence beside its direct triple.", [PROV.Entity])
        g.add((v.term(RELATIONSHIP), OWL.equivalentClass, union(g, self.qualified)))
        self.declare(v.term(QUOTATION), OWL.Class, "quotation",
                     "Evidence: a short verbatim quote (prov:value) from a source document "
                     "(dcterms:source); as a W3C Web Annotation oa:SpecificResource of that "
                     "document (oa:hasSource), its span is found by an oa:TextQuoteSelector and "
                     "an oa:TextPositionSelector (oa:hasSelector).",
                     [PROV.Entity, OA.SpecificResource])
        disjoint = BNode()
        g.add((disjoint, RDF.type, OWL.AllDisjointClasses))
        g.add((disjoint, OWL.members, rdf_list(g, sorted(self.kinds))))
        for name, end in ((SUBJECT, "source"), (OBJECT, "target")):
            term = v.term(name)
            self.declare(term, OWL.ObjectProperty, name,
                         f"The {end} entity of a qualified relationship.")
            g.add((term, RDF.type, OWL.FunctionalProperty))
            g.add((term, RDFS.domain, v.term(RELATIONSHIP)))
            g.add((term, RDFS.range, v.term(ENTITY)))
        self.declare(v.term(EVIDENCE), OWL.ObjectProperty, "evidence",
                     "A quotation from a source document that supports this entity or "
                     "relationship.", [PROV.wasDerivedFrom])
        g.add((v.term(EVIDENCE), RDFS.domain, union(g, [v.term(ENTITY), v.term(RELATIONSHIP)])))
        g.add((v.term(EVIDENCE), RDFS.range, v.term(QUOTATION)))
        self.declare(v.term(KEY), OWL.DatatypeProperty, "key",
                     "The relationship's unique key in the graph store: "
                     "TYPE|source|target|role|title|action.")
        g.add((v.term(KEY), RDFS.domain, v.term(RELATIONSHIP)))
        g.add((v.term(KEY), RDFS.range, XSD.string))
        self.declare(v.term(QUALIFIES), OWL.AnnotationProperty, "qualifies",
                     "Links a qualified relationship class to the object property of its "
                     "direct triple.")
        self.release_terms()
        for term, kind in EXTERNAL_TERMS.items():
            g.add((term, RDF.type, kind))

    def release_terms(self) -> None:
        """When a statement was released: said in the entity documents (`/id/...`), never in
        the dump or the SPARQL store, which would change with every release otherwise."""
        g, v = self.g, self.v
        seen = [v.term(ENTITY), v.term(RELATIONSHIP), v.term(QUOTATION)]
        for name, which in ((FIRST_SEEN, "first"), (LAST_SEEN, "last")):
            self.declare(v.term(name), OWL.ObjectProperty, f"{which} seen",
                         f"The {which} release (a version of the dataset, a dcat:Dataset) "
                         "that held this entity, relationship or quotation as described here: "
                         "a changed qualifier or a moved quote is a new relationship or "
                         "quotation; a changed entity property leaves the entity as it was.")
            # A union of its own: rdflib's Turtle writer mangles a list two subjects share.
            g.add((v.term(name), RDFS.domain, union(g, seen)))
            g.add((v.term(name), RDFS.range, DCAT.Dataset))
        self.declare(v.term(RELEASE_DIGEST), OWL.DatatypeProperty, "release digest",
                     "The SHA-256 digest of a release file (data/releases/<version>.jsonl): of "
                     "its header and every statement line; a changed file is refused.")
        g.add((v.term(RELEASE_DIGEST), RDFS.domain, DCAT.Dataset))
        g.add((v.term(RELEASE_DIGEST), RDFS.range, XSD.string))

    def node_kinds(self) -> None:
        for name, kind in self.schema.nodes.items():
            parents = [self.v.term(ENTITY), *CLASS_ALIGNMENT.get(name, ())]
            self.declare(self.v.cls(name), OWL.Class, words(name), kind.description, parents)

    def relationships(self) -> None:
        g, v = self.g, self.v
        for name, rel in self.schema.relationships.items():
            prop, cls = v.relation(name), v.qualified(name)
            comment = rel.description
            if name == SCHEME[1] and SCHEME[0] in rel.source:
                comment += f" From a {SCHEME[0]}, also exported as skos:inScheme."
            self.declare(prop, OWL.ObjectProperty, words(name), comment,
                         RELATION_ALIGNMENT.get(name, ()))
            g.add((prop, RDFS.domain, self.simplify(v.cls(k) for k in rel.source)))
            g.add((prop, RDFS.range, self.simplify(v.cls(k) for k in rel.target)))
            self.declare(cls, OWL.Class, f"{words(name)} (qualified)",
                         f"A qualified {name} relationship, with its properties and evidence: "
                         f"{rel.description}",
                         [v.term(RELATIONSHIP), *QUALIFIED_ALIGNMENT.get(name, ())])
            g.add((cls, v.term(QUALIFIES), prop))

    def datatype_properties(self) -> None:
        g, v = self.g, self.v
        for name in v.property_names:
            holders = v.holders(name)
            specs = [spec for _, spec, _ in holders]
            self.declare(v.prop(name), OWL.DatatypeProperty, words(name),
                         _comment(name, holders), PROPERTY_ALIGNMENT.get(name, ()))
            g.add((v.prop(name), RDFS.domain, self.simplify(c for _, _, c in holders)))
            g.add((v.prop(name), RDFS.range, self.range(specs[0])))

    def range(self, spec: PropertySpec) -> URIRef | BNode:
        if spec.type != "date":
            return DATATYPES[spec.type]
        if spec.name in RANGE:
            return XSD.date  # stored as days (migkg/dates.py)
        node = BNode()
        self.g.add((node, RDF.type, RDFS.Datatype))
        self.g.add((node, OWL.unionOf, rdf_list(self.g, DATE_TYPES)))
        return node


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _comment(name: str, holders: list[tuple[str, PropertySpec, URIRef]]) -> str:
    texts = {_sentence(spec.description) for _, spec, _ in holders}
    if len(texts) == 1:
        text = texts.pop()
    else:
        text = " ".join(f"On {owner}: {_sentence(spec.description)}"
                        for owner, spec, _ in holders)
    spec = holders[0][1]
    enums = {owner: spec.values for owner, spec, _ in holders if spec.type == "enum"}
    if len(set(enums.values())) == 1:
        text += f" One of: {', '.join(next(iter(enums.values())))}."
    elif enums:
        text += " Values: " + "; ".join(f"{o}: {', '.join(v)}" for o, v in enums.items()) + "."
    if spec.type == "date" and name in RANGE:
        text += (" Exported as an xsd:date: the first (earliest) or last (latest) day of "
                 "what was written; SHACL checks that the earliest is not after the latest.")
    elif spec.type == "date":
        text += (" An ISO-8601 date typed by its precision: xsd:date, xsd:gYearMonth "
                 "or xsd:gYear.")
    if spec.type == "list[string]":
        text += " Repeated, one triple per item."
    if name == LABEL_PROPERTY:
        text += " Also exported as rdfs:label in English."
    if name == SAME_AS_PROPERTY:
        text += " Also exported as owl:sameAs to the Wikidata entity."
    return text


def build_ontology(schema: Schema | None = None) -> Graph:
    """The ontology as an rdflib Graph."""
    b = _Builder(schema)
    b.header()
    b.fixed_terms()
    b.node_kinds()
    b.relationships()
    b.datatype_properties()
    return b.g


def ontology_turtle(schema: Schema | None = None) -> str:
    """The ontology in Turtle, with the generated-file header."""
    return HEADER + build_ontology(schema).serialize(format="turtle")
