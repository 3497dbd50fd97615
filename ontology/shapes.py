"""SHACL shapes for the exported data, generated from `ontology/schema.yaml`.

Required properties get `sh:minCount 1`, single-valued ones `sh:maxCount 1`,
enums `sh:in`, patterns `sh:pattern`, dates a choice of xsd:date, xsd:gYearMonth
and xsd:gYear (a date range's bounds xsd:date, the earliest not after the latest:
`sh:lessThanOrEquals`); relationships are checked at both ends (the direct triple's
target and the qualified node's subject and object). Shapes are closed, so a
property the schema does not declare is a violation too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

from graph.schema import PropertySpec, Schema
from loaders.models import SLUG
from migkg.dates import RANGE
from ontology.owl import HEADER, bind, rdf_list
from ontology.vocab import (
    AS_WKT,
    DATATYPES,
    DATE_TYPES,
    EVIDENCE,
    FIRST_SEEN,
    GEOMETRY,
    HAS_GEOMETRY,
    KEY,
    LABEL_PROPERTY,
    LAST_SEEN,
    OA,
    OBJECT,
    POINT_PROPERTIES,
    PREFIXES,
    QUOTATION,
    SAME_AS_PROPERTY,
    SCHEME,
    SHAPES_IRI,
    SUBJECT,
    VOCAB_IRI,
    WIKIDATA,
    WKT_LITERAL,
    Vocabulary,
    words,
)

# One WKT point, longitude then latitude in range (GeoSPARQL 1.1, CRS84 by default).
WKT_POINT = (r"^POINT\(-?(180(\.0+)?|1[0-7][0-9](\.[0-9]+)?|[0-9]{1,2}(\.[0-9]+)?) "
             r"-?(90(\.0+)?|[0-8]?[0-9](\.[0-9]+)?)\)$")

def _local(path: URIRef) -> str:
    for prefix, ns in PREFIXES.items():
        if path.startswith(ns):
            return path[len(ns):] if prefix == "migkg" else f"{prefix}-{path[len(ns):]}"
    raise ValueError(f"no prefix for {path}")


class _Builder:
    def __init__(self, schema: Schema | None) -> None:
        self.v = Vocabulary(schema)
        self.schema = self.v.schema
        self.g = bind(Graph())
        self.g.bind("sh", str(SH))
        self.g.bind("shape", SHAPES_IRI)
        self.shared: dict[tuple[object, ...], URIRef] = {}
        self.named: set[URIRef] = set()

    def node_shape(self, target: URIRef) -> URIRef:
        local = target.removeprefix(VOCAB_IRI).rsplit("#", 1)[-1]  # oa:TextQuoteSelector too
        shape = URIRef(SHAPES_IRI + local + "Shape")
        self.g.add((shape, RDF.type, SH.NodeShape))
        self.g.add((shape, SH.targetClass, target))
        self.g.add((shape, SH.closed, Literal(True)))
        self.property(shape, RDF.type, min_count=1, node_kind=SH.IRI)
        return shape

    def property(self, shape: URIRef, path: URIRef, *, min_count: int = 0,
                 max_count: int | None = None, name: str | None = None,
                 classes: Sequence[URIRef] = (), datatypes: Sequence[URIRef] = (),
                 values: Iterable[str] = (), pattern: str | None = None,
                 node_kind: URIRef | None = None) -> None:
        """Attach a property shape. Property shapes are named, and node shapes that
        constrain a path alike share one (`shape:confidence`); this keeps validation
        reports readable and the shapes graph cheap to compare by isomorphism."""
        values = tuple(values)
        signature = (path, min_count, max_count, name, tuple(classes), tuple(datatypes),
                     values, pattern, node_kind)
        p = self.shared.get(signature)
        if p is None:
            local = _local(path)
            p = URIRef(SHAPES_IRI + local)
            if p in self.named:
                p = URIRef(f"{shape.removesuffix('Shape')}-{local}")
            self.named.add(p)
            self.shared[signature] = p
            self._constraints(p, *signature)
        self.g.add((shape, SH.property, p))

    def _constraints(self, p: URIRef, path: URIRef, min_count: int, max_count: int | None,
                     name: str | None, classes: Sequence[URIRef], datatypes: Sequence[URIRef],
                     values: Sequence[str], pattern: str | None,
                     node_kind: URIRef | None) -> None:
        g = self.g
        g.add((p, SH.path, path))
        if name:
            g.add((p, SH.name, Literal(name)))
        if min_count:
            g.add((p, SH.minCount, Literal(min_count)))
        if max_count is not None:
            g.add((p, SH.maxCount, Literal(max_count)))
        for constraint, options in ((SH["class"], classes), (SH.datatype, datatypes)):
            if len(options) == 1:
                g.add((p, constraint, options[0]))
            elif options:
                alternatives = []
                for option in options:
                    alt = BNode()
                    g.add((alt, constraint, option))
                    alternatives.append(alt)
                g.add((p, SH["or"], rdf_list(g, alternatives)))
        if values:
            g.add((p, SH["in"], rdf_list(g, [Literal(v) for v in values])))
        if pattern:
            g.add((p, SH.pattern, Literal(pattern)))
        if classes or node_kind:
            g.add((p, SH.nodeKind, node_kind or SH.IRI))

    def schema_property(self, shape: URIRef, spec: PropertySpec,
                        pattern: str | None = None) -> None:
        types = DATE_TYPES if spec.type == "date" else (DATATYPES[spec.type],)
        if spec.name in RANGE:
            types = (XSD.date,)  # stored as days, whatever precision was written
        self.property(
            shape, self.v.prop(spec.name), name=spec.name, datatypes=types,
            min_count=1 if spec.required else 0,
            max_count=None if spec.type == "list[string]" else 1,
            values=spec.values, pattern=pattern or spec.pattern,
        )

    def evidence(self, shape: URIRef) -> None:
        self.property(shape, self.v.term(EVIDENCE), min_count=1,
                      classes=[self.v.term(QUOTATION)])
        self.property(shape, PROV.wasDerivedFrom, min_count=1, classes=[self.v.cls("Document")])

    def seen(self, shape: URIRef) -> None:
        """The releases a statement was first and last in: entity documents carry them
        (never the dump), so a closed shape must allow them."""
        for name in (FIRST_SEEN, LAST_SEEN):
            self.property(shape, self.v.term(name), max_count=1, node_kind=SH.IRI)

    def node_kinds(self) -> None:
        v = self.v
        for name, kind in self.schema.nodes.items():
            shape = self.node_shape(v.cls(name))
            for spec in kind.properties.values():
                pattern = (kind.id_pattern or SLUG) if spec.name == "id" else None
                self.schema_property(shape, spec, pattern)
            if LABEL_PROPERTY in kind.properties:
                self.property(shape, RDFS.label, min_count=1, max_count=1,
                              datatypes=[RDF.langString])
            if SAME_AS_PROPERTY in kind.properties:
                self.property(shape, OWL.sameAs, max_count=1,
                              pattern=f"^{WIKIDATA}Q[0-9]+$")
            if all(p in kind.properties for p in POINT_PROPERTIES):
                self.property(shape, HAS_GEOMETRY, name="geometry", max_count=1,
                              classes=[GEOMETRY])
            if all(p in kind.properties for p in RANGE):
                self.date_range(shape)
            self.evidence(shape)
            self.seen(shape)
            for rname, rel in self.schema.relationships.items():
                if name in rel.source:
                    self.property(shape, v.relation(rname), name=words(rname),
                                  classes=[v.cls(k) for k in rel.target])
            if name == SCHEME[0]:
                scheme = self.schema.rel(SCHEME[1])
                self.property(shape, SKOS.inScheme, name="in scheme",
                              classes=[v.cls(k) for k in scheme.target])

    def date_range(self, shape: URIRef) -> None:
        """A date range's earliest day is not after its latest (one shared shape)."""
        p = URIRef(SHAPES_IRI + "dateRange")
        if p not in self.named:
            self.named.add(p)
            earliest, latest = (self.v.prop(name) for name in RANGE)
            self.g.add((p, SH.path, earliest))
            self.g.add((p, SH.name, Literal("date range")))
            self.g.add((p, SH.lessThanOrEquals, latest))
        self.g.add((shape, SH.property, p))

    def relationships(self) -> None:
        v = self.v
        for name, rel in self.schema.relationships.items():
            shape = self.node_shape(v.qualified(name))
            for path, ends in ((v.term(SUBJECT), rel.source), (v.term(OBJECT), rel.target)):
                self.property(shape, path, min_count=1, max_count=1,
                              classes=[v.cls(k) for k in ends])
            self.property(shape, v.term(KEY), min_count=1, max_count=1,
                          datatypes=[XSD.string], pattern=f"^{name}\\|")
            for spec in rel.properties.values():
                self.schema_property(shape, spec)
            self.evidence(shape)
            self.seen(shape)

    def quotation(self) -> None:
        shape = self.node_shape(self.v.term(QUOTATION))
        self.property(shape, PROV.value, min_count=1, max_count=1, datatypes=[XSD.string])
        self.property(shape, DCTERMS.source, min_count=1, max_count=1,
                      classes=[self.v.cls("Document")])
        self.seen(shape)
        # The Web Annotation anchor (present when the data had its source texts).
        self.property(shape, OA.hasSource, max_count=1, classes=[self.v.cls("Document")])
        self.property(shape, OA.hasSelector, max_count=2,
                      classes=[OA.TextQuoteSelector, OA.TextPositionSelector])
        quote = self.node_shape(OA.TextQuoteSelector)
        self.property(quote, OA.exact, min_count=1, max_count=1, datatypes=[XSD.string])
        position = self.node_shape(OA.TextPositionSelector)
        for path in (OA.start, OA.end):
            self.property(position, path, min_count=1, max_count=1,
                          datatypes=[XSD.nonNegativeInteger])


    def geometry(self) -> None:
        """A representative point: one WKT POINT, longitude first, within range."""
        shape = self.node_shape(GEOMETRY)
        self.property(shape, AS_WKT, min_count=1, max_count=1, datatypes=[WKT_LITERAL],
                      pattern=WKT_POINT)


def build_shapes(schema: Schema | None = None) -> Graph:
    """The SHACL shapes graph."""
    b = _Builder(schema)
    b.node_kinds()
    b.relationships()
    b.quotation()
    b.geometry()
    return b.g


def shapes_turtle(schema: Schema | None = None) -> str:
    return HEADER + build_shapes(schema).serialize(format="turtle")
