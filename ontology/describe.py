"""One entity, read from the graph store: the description behind `GET /id/{kind}/{id}`.

The RDF description is every triple with the entity as subject, plus, for each
relationship it takes part in (either direction), the direct triple, the
qualified node with its evidence, and the other end's class and label.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS

from graph.backend import GraphBackend
from graph.schema import NodeKind, Schema
from ontology.export import node_statement
from ontology.mapping import Mapper, relationship_key
from ontology.owl import bind

_REL_COLUMNS = ("r.key AS key, type(r) AS type, labels(a) AS source_labels, a.id AS source, "
                "a.name AS source_name, labels(b) AS target_labels, b.id AS target, "
                "b.name AS target_name, properties(r) AS props")


ALL_KEYS = "MATCH ()-[r]->() RETURN r.key AS key"
KEY_STATEMENT = f"MATCH (a)-[r]->(b) WHERE r.key = $key RETURN {_REL_COLUMNS}"


def relationship_statements(schema: Schema, kind: str) -> tuple[str, str]:
    """Outgoing and incoming relationships of one entity."""
    label = schema.node(kind).label
    return (f"MATCH (a:{label} {{id: $id}})-[r]->(b) RETURN {_REL_COLUMNS} ORDER BY key",
            f"MATCH (a)-[r]->(b:{label} {{id: $id}}) RETURN {_REL_COLUMNS} ORDER BY key")


@dataclass(frozen=True)
class Link:
    """One relationship of the described entity, as read from the graph."""

    type: str
    source_kind: str
    source: str
    target_kind: str
    target: str
    source_name: str | None
    target_name: str | None
    outgoing: bool
    props: dict[str, Any]

    @property
    def ends(self) -> tuple[str, str, str, str]:
        return self.source_kind, self.source, self.target_kind, self.target

    @property
    def other(self) -> tuple[str, str, str | None]:
        """The far end, seen from the described entity: kind, id, name."""
        if self.outgoing:
            return self.target_kind, self.target, self.target_name
        return self.source_kind, self.source, self.source_name


@dataclass(frozen=True)
class Description:
    kind: NodeKind
    props: dict[str, Any]
    scheme: bool
    links: list[Link]


def _link(row: dict[str, Any], schema: Schema, outgoing: bool) -> Link | None:
    sk = next((lb for lb in row["source_labels"] if lb in schema.nodes), None)
    tk = next((lb for lb in row["target_labels"] if lb in schema.nodes), None)
    if sk is None or tk is None or row["type"] not in schema.relationships:
        return None
    props = dict(row["props"])
    props["key"] = relationship_key(row["type"], row["source"], row["target"], props)
    return Link(row["type"], sk, row["source"], tk, row["target"], row["source_name"],
                row["target_name"], outgoing, props)


def read_relationship(backend: GraphBackend, mapper: Mapper, iri: str) -> Link | None:
    """The relationship whose qualified node is `iri` (`{base}/id/rel/{sha1 of key}`).

    The graph stores keys, not their hashes, so this reads every key once:
    O(relationships) per lookup.
    """
    if not backend.exists():
        return None
    keys = (k for (k,) in backend.read(ALL_KEYS).rows if isinstance(k, str))
    key = next((k for k in keys if str(mapper.rel_iri(k)) == iri), None)
    if key is None:
        return None
    rows = backend.read(KEY_STATEMENT, {"key": key}).records()
    return _link(rows[0], mapper.schema, True) if rows else None


def read_description(backend: GraphBackend, kind: NodeKind, ident: str,
                     schema: Schema) -> Description | None:
    """The entity and its relationships, or None when there is no such entity."""
    if not backend.exists():
        return None
    rows = backend.read(node_statement(schema, kind.name, by_id=True), {"id": ident}).records()
    if not rows:
        return None
    links: list[Link] = []
    seen: set[str] = set()
    for outgoing, statement in zip((True, False), relationship_statements(schema, kind.name),
                                   strict=True):
        for row in backend.read(statement, {"id": ident}).records():
            link = _link(row, schema, outgoing)
            if link is None or link.props.get("key") in seen:  # self-loops come back twice
                continue
            seen.add(str(link.props.get("key")))
            links.append(link)
    return Description(kind, rows[0]["props"], bool(rows[0].get("concepts")), links)


def _add_link(g: Graph, link: Link, mapper: Mapper) -> None:
    for triple in (*mapper.direct(link.type, *link.ends),
                   *mapper.qualified(link.type, *link.ends, link.props)):
        g.add(triple)


def _add_end(g: Graph, mapper: Mapper, kind: str, ident: str, name: str | None) -> None:
    """The far end's class and label, so a browser can show it without another request."""
    iri = mapper.iri(kind, ident)
    g.add((iri, RDF.type, mapper.v.cls(kind)))
    if name:
        g.add((iri, RDFS.label, Literal(name, lang="en")))


def description_graph(desc: Description, mapper: Mapper) -> Graph:
    """The entity's RDF description."""
    g = bind(Graph())
    for triple in mapper.node(desc.kind.name, desc.props, desc.scheme):
        g.add(triple)
    for link in desc.links:
        _add_link(g, link, mapper)
        _add_end(g, mapper, *link.other)
    return g


def relationship_graph(link: Link, mapper: Mapper) -> Graph:
    """A qualified relationship's RDF description, with both ends' classes and labels."""
    g = bind(Graph())
    _add_link(g, link, mapper)
    _add_end(g, mapper, link.source_kind, link.source, link.source_name)
    _add_end(g, mapper, link.target_kind, link.target, link.target_name)
    return g


def _evidence(props: dict[str, Any], mapper: Mapper) -> list[dict[str, Any]]:
    docs, quotes = props.get("evidence_docs") or [], props.get("evidence_quotes") or []
    starts, ends = props.get("evidence_starts") or [], props.get("evidence_ends") or []
    out: list[dict[str, Any]] = []
    for i, (d, q) in enumerate(zip(docs, quotes, strict=False)):
        item: dict[str, Any] = {"document": d, "document_iri": str(mapper.iri("Document", d)),
                                "quote": q}
        if i < len(starts) and i < len(ends):  # the quote's span in the document's text
            item["start"], item["end"] = starts[i], ends[i]
        out.append(item)
    return out


def _schema_props(specs: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    return {name: props[name] for name in specs if props.get(name) is not None}


def _end(mapper: Mapper, kind: str, ident: str, name: str | None) -> dict[str, Any]:
    return {"kind": kind, "id": ident, "name": name, "iri": str(mapper.iri(kind, ident))}


def relationship_json(link: Link, mapper: Mapper) -> dict[str, Any]:
    """A relationship as plain JSON: both ends, its properties and evidence."""
    return {
        "iri": str(mapper.rel_iri(link.props["key"])),
        "type": link.type,
        "source": _end(mapper, link.source_kind, link.source, link.source_name),
        "target": _end(mapper, link.target_kind, link.target, link.target_name),
        "properties": _schema_props(mapper.schema.rel(link.type).properties, link.props),
        "evidence": _evidence(link.props, mapper),
    }


def description_json(desc: Description, mapper: Mapper) -> dict[str, Any]:
    """The entity as plain JSON: properties, evidence and relationships (both directions)."""
    links = []
    for link in desc.links:
        rel = relationship_json(link, mapper)
        rel["direction"] = "out" if link.outgoing else "in"
        rel["other"] = _end(mapper, *link.other)
        links.append(rel)
    return {
        "iri": str(mapper.iri(desc.kind.name, desc.props["id"])),
        "kind": desc.kind.name,
        "id": desc.props["id"],
        "properties": _schema_props(desc.kind.properties, desc.props),
        "evidence": _evidence(desc.props, mapper),
        "relationships": links,
    }
