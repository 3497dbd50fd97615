"""RDF names for the schema: namespaces, terms, alignments and literals.

This is the one place where schema names become IRIs, so the ontology, the
SHACL shapes, the JSON-LD context and the export cannot disagree. The
vocabulary's own namespace is closed: asking for a term the schema does not
declare raises KeyError.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from rdflib import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD, Literal, URIRef
from rdflib.namespace import DC, DCAT, GEO, VOID, ClosedNamespace, Namespace

from graph.schema import PropertySpec, Schema, get_schema

VOCAB_IRI = "https://w3id.org/migkg/ontology#"
ONTOLOGY_IRI = URIRef("https://w3id.org/migkg/ontology")
SHAPES_IRI = "https://w3id.org/migkg/shapes#"
WIKIDATA = Namespace("http://www.wikidata.org/entity/")
# W3C Web Annotation: a quotation is a part of its document, found by its selectors.
OA = Namespace("http://www.w3.org/ns/oa#")
LICENSE = URIRef("http://creativecommons.org/licenses/by/4.0/")
# DCAT 3's versioning terms (rdflib's DCAT namespace knows DCAT 2 only, and warns on them).
DCAT3 = Namespace(str(DCAT))
RDF_PATCH = URIRef("https://afs.github.io/rdf-patch/")
JSON_LINES = URIRef("https://jsonlines.org/")

# Terms that do not come from a schema name.
ENTITY, RELATIONSHIP, QUOTATION = "Entity", "Relationship", "Quotation"
SUBJECT, OBJECT, EVIDENCE, KEY, QUALIFIES = "subject", "object", "evidence", "key", "qualifies"
# Releases (ontology/releases.py, ontology/seen.py): never in the dump or the SPARQL store.
FIRST_SEEN, LAST_SEEN, RELEASE_DIGEST = "firstSeen", "lastSeen", "releaseDigest"
FIXED_TERMS = (ENTITY, RELATIONSHIP, QUOTATION, SUBJECT, OBJECT, EVIDENCE, KEY, QUALIFIES,
               FIRST_SEEN, LAST_SEEN, RELEASE_DIGEST)

# Schema names with a derived triple besides their own (see docs/rdf.md).
LABEL_PROPERTY = "name"  # also rdfs:label, in English
SAME_AS_PROPERTY = "wikidata"  # also owl:sameAs wd:Q...
SCHEME = ("Principle", "PART_OF")  # Principle -PART_OF-> framework: also skos:inScheme
# longitude and latitude together: also geo:hasGeometry <{entity}.geometry>, a geo:Geometry
# with geo:asWKT "POINT(lon lat)"^^geo:wktLiteral (GeoSPARQL 1.1, CRS84: longitude first).
POINT_PROPERTIES = ("longitude", "latitude")
HAS_GEOMETRY, GEOMETRY, AS_WKT, WKT_LITERAL = (GEO.hasGeometry, GEO.Geometry, GEO.asWKT,
                                               GEO.wktLiteral)

PREFIXES: dict[str, str] = {
    "migkg": VOCAB_IRI, "rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL), "xsd": str(XSD),
    "prov": str(PROV), "dcterms": str(DCTERMS), "dc": str(DC), "skos": str(SKOS),
    "org": str(ORG), "schema": str(SDO), "foaf": str(FOAF), "void": str(VOID),
    "dcat": str(DCAT), "wd": str(WIKIDATA), "oa": str(OA), "geo": str(GEO),
}

CLASS_ALIGNMENT: dict[str, tuple[URIRef, ...]] = {
    "Document": (FOAF.Document, PROV.Entity),
    "Country": (SDO.Country, GEO.Feature),
    "Organisation": (ORG.Organization, SDO.Organization),
    "Person": (FOAF.Person, SDO.Person),
    # An office that exists apart from its holder (Wikidata's position held, P39).
    "Position": (ORG.Post,),
    "Event": (SDO.Event,),
    "Place": (SDO.Place,),
    "Principle": (SKOS.Concept,),
    "Figure": (SDO.QuantitativeValue,),
}
# Qualified relationship classes (n-ary relations) that are ORG memberships. Holding a
# position is not one: HOLDS_OFFICE is ORG's holding of a Post (`org:holds`), as
# Wikidata's position held (P39) is a statement about a person, not a membership.
QUALIFIED_ALIGNMENT: dict[str, tuple[URIRef, ...]] = {
    "MEMBER_OF": (ORG.Membership,),
}
RELATION_ALIGNMENT: dict[str, tuple[URIRef, ...]] = {
    "MEMBER_OF": (ORG.memberOf,),
    "HOLDS_OFFICE": (ORG.holds,),
    "PART_OF": (DCTERMS.isPartOf,),
    "PUBLISHED_BY": (DCTERMS.publisher,),
    "COVERS": (DCTERMS.spatial,),
    "HELD_IN": (SDO.location,),
    "LOCATED_IN": (SDO.containedInPlace,),
    "BUILDS_ON": (SDO.isBasedOn,),
    "ABOUT": (DCTERMS.subject,),
}
PROPERTY_ALIGNMENT: dict[str, tuple[URIRef, ...]] = {
    "id": (DCTERMS.identifier,),
    "name": (SDO.name, SKOS.prefLabel),
    "aliases": (SDO.alternateName, SKOS.altLabel),
    "reference_names": (SKOS.altLabel,),
    "summary": (DCTERMS.description,),
    "note": (SKOS.editorialNote,),
    "title": (DCTERMS.title,),
    "publisher": (DC.publisher,),  # a name (literal); PUBLISHED_BY is dcterms:publisher
    "date": (DCTERMS.date,),
    "url": (SDO.url,),
    "location": (SDO.location,),
    "value": (SDO.value,),
    "unit": (SDO.unitText,),
    "start_date": (SDO.startDate,),
    "end_date": (SDO.endDate,),
    "label": (SKOS.altLabel,),
    "longitude": (SDO.longitude,),
    "latitude": (SDO.latitude,),
}
DATATYPES: dict[str, URIRef] = {
    "string": XSD.string, "text": XSD.string, "enum": XSD.string, "list[string]": XSD.string,
    "int": XSD.integer, "float": XSD.double,
}
DATE_TYPES = (XSD.date, XSD.gYearMonth, XSD.gYear)  # by precision: day, month, year
_DATE_TYPE = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}
_ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

# Terms of other vocabularies that the export uses, with their OWL declaration,
# so that the ontology declares every class and property found in a dump.
EXTERNAL_TERMS: dict[URIRef, URIRef] = {
    RDFS.label: OWL.AnnotationProperty,
    PROV.wasDerivedFrom: OWL.ObjectProperty, PROV.value: OWL.DatatypeProperty,
    DCTERMS.source: OWL.ObjectProperty, SKOS.inScheme: OWL.ObjectProperty,
    SKOS.ConceptScheme: OWL.Class, PROV.Entity: OWL.Class,
    VOID.Dataset: OWL.Class, DCAT.Dataset: OWL.Class, DCAT.Distribution: OWL.Class,
    DCTERMS.title: OWL.DatatypeProperty, DCTERMS.description: OWL.DatatypeProperty,
    DCTERMS.license: OWL.ObjectProperty, DCTERMS.created: OWL.DatatypeProperty,
    DCTERMS.conformsTo: OWL.ObjectProperty,
    VOID.triples: OWL.DatatypeProperty, VOID.entities: OWL.DatatypeProperty,
    VOID.dataDump: OWL.ObjectProperty, VOID.uriSpace: OWL.DatatypeProperty,
    VOID.sparqlEndpoint: OWL.ObjectProperty,
    VOID.vocabulary: OWL.ObjectProperty, VOID.classPartition: OWL.ObjectProperty,
    VOID.propertyPartition: OWL.ObjectProperty, VOID["class"]: OWL.ObjectProperty,
    VOID.property: OWL.ObjectProperty, DCAT.distribution: OWL.ObjectProperty,
    DCAT.downloadURL: OWL.ObjectProperty, DCAT.mediaType: OWL.ObjectProperty,
    OA.SpecificResource: OWL.Class, OA.TextQuoteSelector: OWL.Class,
    OA.TextPositionSelector: OWL.Class, OA.hasSource: OWL.ObjectProperty,
    OA.hasSelector: OWL.ObjectProperty, OA.exact: OWL.DatatypeProperty,
    OA.start: OWL.DatatypeProperty, OA.end: OWL.DatatypeProperty,
    # The releases' description (`/.well-known/void`).
    DCAT3.version: OWL.DatatypeProperty, DCAT3.hasVersion: OWL.ObjectProperty,
    DCAT3.previousVersion: OWL.ObjectProperty, DCTERMS.isVersionOf: OWL.ObjectProperty,
    DCTERMS.issued: OWL.DatatypeProperty,
    # GeoSPARQL: a country's representative point (point_wkt below).
    GEO.Feature: OWL.Class, GEO.Geometry: OWL.Class,
    GEO.hasGeometry: OWL.ObjectProperty, GEO.asWKT: OWL.DatatypeProperty,
}


def camel(name: str) -> str:
    """`agreement_type` -> `agreementType`, `PARTY_TO` -> `partyTo`."""
    first, *rest = name.lower().split("_")
    return first + "".join(p.title() for p in rest)


def pascal(name: str) -> str:
    """`PARTY_TO` -> `PartyTo`."""
    return "".join(p.title() for p in name.lower().split("_"))


def words(name: str) -> str:
    """`agreement_type` / `PARTY_TO` -> `agreement type` / `party to` (English labels)."""
    return name.lower().replace("_", " ")


class Vocabulary:
    """The project's RDF terms for one schema, in a closed namespace.

    Every lookup is a dict lookup (the export makes millions of them); an unknown
    name raises KeyError.
    """

    def __init__(self, schema: Schema | None = None) -> None:
        self.schema = schema or get_schema()
        props = {p for k in self.schema.nodes.values() for p in k.properties}
        props |= {p for r in self.schema.relationships.values() for p in r.properties}
        rels = self.schema.relationships
        terms = [*FIXED_TERMS, *self.schema.nodes, *map(pascal, rels), *map(camel, rels),
                 *map(camel, props)]
        clashes = {t for t in terms if terms.count(t) > 1}
        if clashes:
            raise ValueError(f"schema names collide as RDF terms: {sorted(clashes)}")
        self.ns = ClosedNamespace(VOCAB_IRI, sorted(terms))
        self.property_names = sorted(props)
        self._terms = {t: self.ns[t] for t in terms}
        self._classes = {k: self.ns[k] for k in self.schema.nodes}
        self._relations = {r: self.ns[camel(r)] for r in rels}
        self._qualified = {r: self.ns[pascal(r)] for r in rels}
        self._props = {p: self.ns[camel(p)] for p in props}

    def term(self, name: str) -> URIRef:
        return self._terms[name]

    def cls(self, kind: str) -> URIRef:
        """The class of a node kind."""
        return self._classes[kind]

    def relation(self, rtype: str) -> URIRef:
        """The object property of a relationship type (the direct triple)."""
        return self._relations[rtype]

    def qualified(self, rtype: str) -> URIRef:
        """The class of the qualified (n-ary) node of a relationship type."""
        return self._qualified[rtype]

    def prop(self, name: str) -> URIRef:
        """The datatype property of a schema property."""
        return self._props[name]

    def holders(self, name: str) -> list[tuple[str, PropertySpec, URIRef]]:
        """Every (kind or relationship type, spec, class) that declares property `name`."""
        out = [(k.name, k.properties[name], self.cls(k.name))
               for k in self.schema.nodes.values() if name in k.properties]
        out += [(r.name, r.properties[name], self.qualified(r.name))
                for r in self.schema.relationships.values() if name in r.properties]
        return out


_SAFE_ID = re.compile(r"^[A-Za-z0-9._~-]+$")


def entity_iri(base: str, slug: str, ident: str) -> URIRef:
    """`{base}/id/{slug}/{id}`, the id percent-encoded where it needs to be."""
    ident = str(ident)
    if not _SAFE_ID.match(ident):
        ident = quote(ident, safe="-._~")
    return URIRef(f"{base.rstrip('/')}/id/{slug}/{ident}")


def literals(spec: PropertySpec, value: Any) -> list[Literal]:
    """RDF literals for a property value, typed by the schema.

    Dates are typed by precision (xsd:date, xsd:gYearMonth, xsd:gYear). A value
    that does not fit its declared type becomes a plain string, so the SHACL
    shapes report it instead of the export failing.
    """
    if spec.type == "list[string]":
        items = value if isinstance(value, list) else [value]
        return [Literal(str(v)) for v in items]
    if spec.type == "int" and isinstance(value, int | float) and not isinstance(value, bool):
        return [Literal(int(value))]
    if spec.type == "float" and isinstance(value, int | float) and not isinstance(value, bool):
        return [Literal(float(value), datatype=XSD.double)]
    if spec.type == "date" and isinstance(value, str) and _ISO_DATE.match(value):
        return [Literal(value, datatype=_DATE_TYPE[len(value)])]
    return [Literal(str(value))]


def geometry_iri(entity: str) -> URIRef:
    """`{entity IRI}.geometry`: the entity's GeoSPARQL geometry (no id contains a dot)."""
    return URIRef(f"{entity}.geometry")


def point_wkt(props: Any) -> str | None:
    """`POINT(lon lat)` when the entity has both coordinates, else None."""
    lon, lat = (props.get(name) for name in POINT_PROPERTIES)
    if isinstance(lon, int | float) and isinstance(lat, int | float):
        return f"POINT({float(lon)!r} {float(lat)!r})"
    return None
