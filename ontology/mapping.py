"""How graph records become triples: a node, a relationship, their evidence.

Shared by the streaming dump, the rdflib-built formats and the entity
descriptions, so that all of them say exactly the same thing. The pattern
(qualified relationship nodes, quotation nodes) is described in docs/rdf.md.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from graph.schema import Schema
from loaders.facts import relationship_key as loader_key
from ontology.vocab import (
    AS_WKT,
    EVIDENCE,
    GEOMETRY,
    HAS_GEOMETRY,
    KEY,
    LABEL_PROPERTY,
    OA,
    OBJECT,
    QUOTATION,
    SAME_AS_PROPERTY,
    SCHEME,
    SUBJECT,
    WIKIDATA,
    WKT_LITERAL,
    Vocabulary,
    entity_iri,
    geometry_iri,
    literals,
    point_wkt,
)

Triple = tuple[URIRef, URIRef, URIRef | Literal]
# Bound once: attribute access on rdflib's closed namespaces is slow on the hot path.
A, LABEL, SAME_AS, IN_SCHEME = RDF.type, RDFS.label, OWL.sameAs, SKOS.inScheme
DERIVED_FROM, VALUE, SOURCE, CONCEPT_SCHEME = (PROV.wasDerivedFrom, PROV.value, DCTERMS.source,
                                               SKOS.ConceptScheme)
# Web Annotation terms, bound once.
SPECIFIC, HAS_SOURCE, HAS_SELECTOR, EXACT = (OA.SpecificResource, OA.hasSource, OA.hasSelector,
                                             OA.exact)
QUOTE_SELECTOR, POSITION_SELECTOR, START, END = (OA.TextQuoteSelector, OA.TextPositionSelector,
                                                 OA.start, OA.end)
_QID = re.compile(r"^Q[0-9]+$")


def relationship_key(rtype: str, source: str, target: str, props: Mapping[str, Any]) -> str:
    """The relationship's `key` property, or the loader's formula for it when absent."""
    key = props.get(KEY)
    if isinstance(key, str) and key:
        return key
    return loader_key(rtype, source, target, props)


class Mapper:
    """Triples for graph records, with IRIs under `base`."""

    def __init__(self, base: str, schema: Schema | None = None) -> None:
        self.v = Vocabulary(schema)
        self.schema = self.v.schema
        self.base = base.rstrip("/")
        self._slugs = {name: kind.slug for name, kind in self.schema.nodes.items()}

    def iri(self, kind: str, ident: str) -> URIRef:
        return entity_iri(self.base, self._slugs[kind], ident)

    def rel_iri(self, key: str) -> URIRef:
        """`{base}/id/rel/{sha1 of the key}`: the qualified relationship node."""
        return URIRef(f"{self.base}/id/rel/{hashlib.sha1(key.encode()).hexdigest()}")  # noqa: S324

    def kind_of(self, labels: Iterable[str]) -> str | None:
        return next((label for label in labels if label in self.schema.nodes), None)

    def node(self, kind: str, props: Mapping[str, Any], scheme: bool = False) -> list[Triple]:
        """An entity: its class, its schema properties, derived triples and evidence.

        `scheme`: the entity is a framework with principles, hence a skos:ConceptScheme.
        """
        spec = self.schema.node(kind)
        s = self.iri(kind, props["id"])
        out: list[Triple] = [(s, A, self.v.cls(kind))]
        if scheme:
            out.append((s, A, CONCEPT_SCHEME))
        for name, prop in spec.properties.items():
            value = props.get(name)
            if value is None:
                continue
            out += [(s, self.v.prop(name), lit) for lit in literals(prop, value)]
        label = props.get(LABEL_PROPERTY)
        if label is not None:
            out.append((s, LABEL, Literal(str(label), lang="en")))
        qid = props.get(SAME_AS_PROPERTY)
        if isinstance(qid, str) and _QID.match(qid):
            out.append((s, SAME_AS, WIKIDATA[qid]))
        out += self.geometry(s, props)
        out += self.evidence(s, props)
        return out

    def geometry(self, s: URIRef, props: Mapping[str, Any]) -> list[Triple]:
        """GeoSPARQL: the entity's point (longitude, latitude) as a geo:Geometry with WKT."""
        wkt = point_wkt(props)
        if wkt is None:
            return []
        g = geometry_iri(s)
        return [(s, HAS_GEOMETRY, g), (g, A, GEOMETRY),
                (g, AS_WKT, Literal(wkt, datatype=WKT_LITERAL))]

    def direct(self, rtype: str, source_kind: str, source: str, target_kind: str,
               target: str) -> list[Triple]:
        """The direct triple `s :partyTo o` (and skos:inScheme for a principle's framework)."""
        s, o = self.iri(source_kind, source), self.iri(target_kind, target)
        out: list[Triple] = [(s, self.v.relation(rtype), o)]
        if (source_kind, rtype) == SCHEME:
            out.append((s, IN_SCHEME, o))
        return out

    def qualified(self, rtype: str, source_kind: str, source: str, target_kind: str,
                  target: str, props: Mapping[str, Any]) -> list[Triple]:
        """The qualified node: subject, object, key, the relationship's properties, evidence."""
        rel = self.schema.rel(rtype)
        key = relationship_key(rtype, source, target, props)
        r = self.rel_iri(key)
        out: list[Triple] = [
            (r, A, self.v.qualified(rtype)),
            (r, self.v.term(SUBJECT), self.iri(source_kind, source)),
            (r, self.v.term(OBJECT), self.iri(target_kind, target)),
            (r, self.v.term(KEY), Literal(key)),
        ]
        for name, prop in rel.properties.items():
            value = props.get(name)
            if value is None:
                continue
            out += [(r, self.v.prop(name), lit) for lit in literals(prop, value)]
        out += self.evidence(r, props)
        return out

    def evidence(self, owner: URIRef, props: Mapping[str, Any]) -> list[Triple]:
        """`owner prov:wasDerivedFrom <doc>` per document, and a quotation node per quote."""
        docs = [str(d) for d in props.get("evidence_docs") or []]
        quotes = [str(q) for q in props.get("evidence_quotes") or []]
        starts, ends = props.get("evidence_starts") or [], props.get("evidence_ends") or []
        out: list[Triple] = [
            (owner, DERIVED_FROM, self.iri("Document", d)) for d in dict.fromkeys(docs)
        ]
        for i, (doc, quote) in enumerate(zip(docs, quotes, strict=False), start=1):
            # `{owner}.evidence-{i}`, not `{owner}#evidence-{i}`: the namespace rdflib
            # splits off is then the owner kind's (`.../id/country/`), not one per
            # owner, so Turtle and RDF/XML stay linear. No id contains a dot.
            q = URIRef(f"{owner}.evidence-{i}")
            out += [
                (owner, self.v.term(EVIDENCE), q),
                (q, A, self.v.term(QUOTATION)),
                (q, VALUE, Literal(quote)),
                (q, SOURCE, self.iri("Document", doc)),
            ]
            if i <= len(starts) and i <= len(ends):
                out += self.selectors(q, self.iri("Document", doc), quote, starts[i - 1],
                                      ends[i - 1])
        return out

    @staticmethod
    def selectors(q: URIRef, doc: URIRef, quote: str, start: Any, end: Any) -> list[Triple]:
        """The quotation as a W3C Web Annotation `oa:SpecificResource` of its document,
        with a TextQuoteSelector and a TextPositionSelector (docs/rdf.md)."""
        sq, sp = URIRef(f"{q}.quote"), URIRef(f"{q}.position")
        return [
            (q, A, SPECIFIC), (q, HAS_SOURCE, doc),
            (q, HAS_SELECTOR, sq), (sq, A, QUOTE_SELECTOR), (sq, EXACT, Literal(quote)),
            (q, HAS_SELECTOR, sp), (sp, A, POSITION_SELECTOR),
            (sp, START, Literal(int(start), datatype=XSD.nonNegativeInteger)),
            (sp, END, Literal(int(end), datatype=XSD.nonNegativeInteger)),
        ]
