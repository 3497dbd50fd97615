"""RDF export of the graph store, read through the backend protocol (any engine).

N-Triples stream in bounded memory: each node kind and relationship type is
read a page at a time by key (`WHERE n.id > $after ORDER BY n.id LIMIT $limit`,
so no page re-reads the ones before it, as SKIP would) and written as it is
read, never as a whole graph. Turtle, JSON-LD and RDF/XML are built as an
rdflib Graph first (their serializers need one), so they hold the whole dump
in memory. The VoID/DCAT dataset description comes last, when the counts are
known; its own triples are not counted in `void:triples`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson
import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, XSD

from graph.backend import GraphBackend, Params
from graph.meta import READ_META, read_meta
from graph.schema import Schema
from ontology.context import build_context
from ontology.mapping import Mapper, Triple
from ontology.ntriples import NTriples, nt_lines
from ontology.owl import bind
from ontology.vocab import LICENSE, ONTOLOGY_IRI, SCHEME, VOCAB_IRI

PAGE_SIZE = 10_000


@dataclass(frozen=True)
class Format:
    name: str  # CLI / API name
    rdflib: str  # rdflib serializer
    media_type: str
    extension: str


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("ttl", "turtle", "text/turtle", "ttl"),
    Format("nt", "nt", "application/n-triples", "nt"),
    Format("jsonld", "json-ld", "application/ld+json", "jsonld"),
    Format("rdfxml", "xml", "application/rdf+xml", "rdf"),
)}


def node_statement(schema: Schema, kind: str, *, by_id: bool = False) -> str:
    """One page of a kind's nodes (or the one node `$id`); frameworks also count the
    principles they list."""
    label = schema.node(kind).label
    match = f"MATCH (n:{label} {{id: $id}})" if by_id else f"MATCH (n:{label}) WHERE n.id > $after"
    concepts = ""
    if kind in schema.rel(SCHEME[1]).target:
        rel, principle = schema.rel(SCHEME[1]).label, schema.node(SCHEME[0]).label
        concepts = f", size([(n)<-[:{rel}]-(:{principle}) | 1]) AS concepts"
    page = "" if by_id else " ORDER BY id LIMIT $limit"
    return f"{match} RETURN n.id AS id, properties(n) AS props{concepts}{page}"


def relationship_statement(schema: Schema, rtype: str) -> str:
    """One page of a relationship type, in key order (so equal direct triples are adjacent)."""
    return (f"MATCH (a)-[r:{schema.rel(rtype).label}]->(b) WHERE r.key > $after "
            "RETURN r.key AS key, labels(a) AS source_labels, a.id AS source, "
            "labels(b) AS target_labels, b.id AS target, properties(r) AS props "
            "ORDER BY key LIMIT $limit")


META_STATEMENT = READ_META


def pages(backend: GraphBackend, statement: str, size: int = PAGE_SIZE,
          params: Params | None = None, key: str = "id") -> Iterator[list[dict[str, Any]]]:
    """Read a statement a page at a time, each page after the last `key` of the one before."""
    after = ""
    while True:
        rows = backend.read(statement, {**(params or {}), "after": after, "limit": size}).records()
        if rows:
            yield rows
        if len(rows) < size:
            return
        after = rows[-1][key]


@dataclass
class Counts:
    triples: int = 0
    entities: Counter[str] = field(default_factory=Counter)
    links: Counter[str] = field(default_factory=Counter)  # distinct direct triples per type


class GraphRows:
    """The export's rows read from the loaded graph, a page at a time by key."""

    def __init__(self, backend: GraphBackend, mapper: Mapper, page_size: int = PAGE_SIZE) -> None:
        self.backend, self.mapper, self.schema = backend, mapper, mapper.schema
        self.page_size = page_size

    def exists(self) -> bool:
        return self.backend.exists()

    def loaded_at(self) -> Any:
        return read_meta(self.backend).get("loaded_at")

    def nodes(self, kind: str) -> Iterator[list[tuple[Mapping[str, Any], bool]]]:
        """Pages of (properties, is a concept scheme) of a kind's nodes."""
        for rows in pages(self.backend, node_statement(self.schema, kind), self.page_size):
            yield [(row["props"], bool(row.get("concepts"))) for row in rows]

    def relationships(self, rtype: str) -> Iterator[list[RelRow]]:
        """Pages of a type's relationships in key order, as (source kind, source, target
        kind, target, properties); one whose ends are of no known kind is left out."""
        kind_of = self.mapper.kind_of
        statement = relationship_statement(self.schema, rtype)
        for rows in pages(self.backend, statement, self.page_size, key="key"):
            page: list[RelRow] = []
            for row in rows:
                sk, tk = kind_of(row["source_labels"]), kind_of(row["target_labels"])
                if sk is not None and tk is not None:
                    page.append((sk, row["source"], tk, row["target"], row["props"]))
            yield page


RelRow = tuple[str, str, str, str, Mapping[str, Any]]  # source kind, source, target kind, target, props


class Export:
    """One pass over a source of rows (the graph, or the facts about to be loaded):
    `data()` then `dataset()`."""

    def __init__(self, backend: GraphBackend | None, base: str, schema: Schema | None = None,
                 page_size: int = PAGE_SIZE, rows: Any = None) -> None:
        self.mapper = Mapper(base, schema)
        self.schema = self.mapper.schema
        self.rows = rows if rows is not None else GraphRows(backend, self.mapper, page_size)  # type: ignore[arg-type]
        self.counts = Counts()

    def data(self, mapper: Any = None) -> Iterator[list[Any]]:
        """The data triples, a page at a time; no triple is produced twice.

        `mapper` makes them something else with the same methods: NTriples gives lines.
        """
        m, counts = mapper or self.mapper, self.counts
        if not self.rows.exists():
            return
        for kind in self.schema.nodes:
            for rows in self.rows.nodes(kind):
                batch: list[Any] = []
                for props, scheme in rows:
                    batch += m.node(kind, props, scheme)
                counts.entities[kind] += len(rows)
                counts.triples += len(batch)
                yield batch
        for rtype in self.schema.relationships:
            last: tuple[str, str, str, str] | None = None
            for rels in self.rows.relationships(rtype):
                batch = []
                for sk, source, tk, target, props in rels:
                    ends = (sk, source, tk, target)
                    if ends != last:  # several keys between two entities: one direct triple
                        batch += m.direct(rtype, *ends)
                        counts.links[rtype] += 1
                        last = ends
                    batch += m.qualified(rtype, *ends, props)
                counts.triples += len(batch)
                yield batch

    def dataset(self) -> list[Triple]:
        """The VoID/DCAT description; call it after `data()` is exhausted."""
        return describe_dataset(self.mapper, self.counts, self.rows.loaded_at())


def describe_dataset(m: Mapper, counts: Counts, loaded_at: Any) -> list[Triple]:
    """The VoID/DCAT description of a dump with these counts (its own triples not counted)."""
    base = m.base
    ds = URIRef(f"{base}/dataset")
    out: list[Triple] = [
        (ds, RDF.type, VOID.Dataset), (ds, RDF.type, DCAT.Dataset),
        (ds, DCTERMS.title, Literal("migration-kg", lang="en")),
        (ds, DCTERMS.description, Literal(
            "A knowledge graph of the actors, routes and agreements of European cooperation "
            "against irregular migration and people smuggling, each fact with its source "
            "document and a verbatim quote.", lang="en")),
        (ds, DCTERMS.license, LICENSE),
        (ds, DCTERMS.conformsTo, ONTOLOGY_IRI),
        (ds, VOID.vocabulary, URIRef(VOCAB_IRI)),
        (ds, VOID.uriSpace, Literal(f"{base}/id/")),
        (ds, VOID.sparqlEndpoint, URIRef(f"{base}/sparql")),
        (ds, VOID.triples, Literal(counts.triples)),
        (ds, VOID.entities, Literal(sum(counts.entities.values()))),
    ]
    if loaded_at:
        out.append((ds, DCTERMS.created, Literal(str(loaded_at), datatype=XSD.dateTime)))
    for fmt in FORMATS.values():
        dump = URIRef(f"{base}/v1/export.{fmt.extension}")
        media = URIRef(f"https://www.iana.org/assignments/media-types/{fmt.media_type}")
        out += [(ds, VOID.dataDump, dump), (ds, DCAT.distribution, dump),
                (dump, RDF.type, DCAT.Distribution), (dump, DCAT.downloadURL, dump),
                (dump, DCAT.mediaType, media)]
    for kind, spec in m.schema.nodes.items():
        part = URIRef(f"{ds}#{spec.slug}")
        out += [(ds, VOID.classPartition, part), (part, VOID["class"], m.v.cls(kind)),
                (part, VOID.entities, Literal(counts.entities[kind]))]
    for rtype in m.schema.relationships:
        prop = m.v.relation(rtype)
        part = URIRef(f"{ds}#{prop.removeprefix(VOCAB_IRI)}")
        out += [(ds, VOID.propertyPartition, part), (part, VOID.property, prop),
                (part, VOID.triples, Literal(counts.links[rtype]))]
    return out


def iter_ntriples(backend: GraphBackend, base: str, schema: Schema | None = None,
                  page_size: int = PAGE_SIZE) -> Iterator[str]:
    """The dump as N-Triples, one chunk of lines per page read."""
    export = Export(backend, base, schema, page_size)
    for batch in export.data(NTriples(export.mapper)):
        yield "".join(batch)
    yield nt_lines(export.dataset())


def build_graph(backend: GraphBackend, base: str, schema: Schema | None = None,
                page_size: int = PAGE_SIZE) -> Graph:
    """The whole dump as an rdflib Graph (in memory)."""
    graph = bind(Graph())
    export = Export(backend, base, schema, page_size)
    for batch in export.data():
        for triple in batch:
            graph.add(triple)
    for triple in export.dataset():
        graph.add(triple)
    return graph


@lru_cache(maxsize=1)
def _default_context() -> dict[str, Any]:
    context: dict[str, Any] = build_context()["@context"]
    return context


def _context(schema: Schema | None) -> dict[str, Any]:
    if schema is None:
        return _default_context()
    context: dict[str, Any] = build_context(schema)["@context"]
    return context


def serialize(graph: Graph, fmt: str, schema: Schema | None = None) -> bytes:
    """Serialize in one of FORMATS; JSON-LD is compacted with the project's context.

    The same triples always give the same bytes: rdflib writes a graph in the order
    its triples were added, which follows the order the engine returned records in,
    and that order is not the same after the engine reloads its snapshot.
    """
    spec = FORMATS[fmt]
    if spec.rdflib == "turtle":
        return fast_turtle(graph)  # written from sorted N-Triples
    graph = _sorted(graph)
    if spec.rdflib == "json-ld":
        return _sorted_nodes(graph.serialize(format="json-ld", context=_context(schema),
                                             auto_compact=True, encoding="utf-8"))
    return graph.serialize(format=spec.rdflib, encoding="utf-8")


def _sorted_nodes(jsonld: bytes) -> bytes:
    """rdflib lists a JSON-LD document's nodes in the order of a `set`: sort them by `@id`.

    Written again as rdflib writes it with orjson (indented, keys sorted).
    """
    document = orjson.loads(jsonld)
    nodes = document.get("@graph") if isinstance(document, dict) else None
    if not isinstance(nodes, list):
        return jsonld
    nodes.sort(key=lambda node: str(node.get("@id", "")) if isinstance(node, dict) else "")
    return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
                        | orjson.OPT_NON_STR_KEYS)


def _sorted(graph: Graph) -> Graph:
    """The same triples and prefixes, added in sorted order."""
    out = Graph(bind_namespaces="none")
    for prefix, namespace in graph.namespaces():
        out.bind(prefix, namespace, override=True, replace=True)
    for triple in sorted(graph):
        out.add(triple)
    return out


def fast_turtle(graph: Graph) -> bytes:
    """Turtle written by Oxigraph (Rust) from rdflib's N-Triples, with the graph's prefixes.

    rdflib's own Turtle writer costs about 70 µs per term (qname splitting and sorting):
    0.27 s for one well-connected country's 4,000 triples, against 0.04 s this way.
    """
    nt = graph.serialize(format="nt", encoding="utf-8")
    # Sorted, so each subject's triples come together and Oxigraph groups them with `;`.
    quads = ox.parse(b"\n".join(sorted(nt.splitlines())), format=ox.RdfFormat.N_TRIPLES)
    # Only the prefixes in use, as rdflib writes them (a graph binds some thirty by default).
    prefixes = {str(p): str(ns) for p, ns in graph.namespaces() if p and f"<{ns}".encode() in nt}
    return ox.serialize(quads, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b""


def export_bytes(backend: GraphBackend, base: str, fmt: str,
                 schema: Schema | None = None) -> Iterator[bytes]:
    """The dump in any format: streamed for N-Triples, built then serialized otherwise."""
    if fmt == "nt":
        for chunk in iter_ntriples(backend, base, schema):
            yield chunk.encode("utf-8")
    else:
        yield serialize(build_graph(backend, base, schema), fmt, schema)
