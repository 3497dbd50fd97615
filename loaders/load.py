"""Write validated facts into a graph: batched `UNWIND $rows ... MERGE`, indexes first.

The whole load goes into a new graph that replaces the old one only when it is
complete, so the result is exactly the facts in `data/` and a failed load leaves
the previous graph readable.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from graph.backend import GraphBackend, Writer
from graph.meta import META_ID, META_LABEL, read_meta
from graph.resolve import fold
from graph.schema import Schema, get_schema
from loaders.facts import Entity, Facts, Relationship
from loaders.models import date_precision

BATCH = 500
Progress = Callable[[str, int, int], None]


def _evidence(sources: list[dict[str, str]]) -> dict[str, list[str]]:
    return {
        "evidence_docs": [s["doc"] for s in sources],
        "evidence_quotes": [s["quote"] for s in sources],
    }


def _with_precision(props: dict[str, Any], dates: set[str]) -> dict[str, Any]:
    out = dict(props)
    for name in dates & props.keys():
        out[f"{name}_precision"] = date_precision(props[name])
    return out


def node_row(e: Entity, dates: set[str]) -> dict[str, Any]:
    props = _with_precision(e.props, dates)
    names = [e.props["name"], *e.props.get("aliases", []), e.id]
    props["names_folded"] = sorted({fold(n) for n in names})
    props.update(_evidence(e.sources))
    return {"id": e.id, "props": props}


def rel_row(r: Relationship, dates: set[str]) -> dict[str, Any]:
    props = _with_precision(r.props, dates)
    props.update(_evidence(r.sources))
    props["key"] = r.key
    return {"from": r.source, "to": r.target, "key": r.key, "props": props}


def _batches(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), BATCH):
        yield rows[i : i + BATCH]


def node_statement(schema: Schema, kind: str) -> str:
    label = schema.node(kind).label
    return f"UNWIND $rows AS row MERGE (n:{label} {{id: row.id}}) SET n += row.props"


def rel_statement(schema: Schema, rtype: str, source: str, target: str) -> str:
    s, t, r = schema.node(source).label, schema.node(target).label, schema.rel(rtype).label
    return (
        f"UNWIND $rows AS row MATCH (a:{s} {{id: row.from}}) MATCH (b:{t} {{id: row.to}}) "
        f"MERGE (a)-[r:{r} {{key: row.key}}]->(b) SET r += row.props"
    )


META_STATEMENT = f"MERGE (m:`{META_LABEL}` {{id: '{META_ID}'}}) SET m += $props"


def load_facts(
    facts: Facts,
    backend: GraphBackend,
    progress: Progress | None = None,
    schema: Schema | None = None,
) -> None:
    """Replace the graph's contents with exactly `facts`."""
    schema = schema or get_schema()
    dates = schema.date_properties()
    kinds = {e.id: e.kind for e in facts.entities}
    nodes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in facts.entities:
        nodes[e.kind].append(node_row(e, dates))
    rels: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in facts.relationships:
        rels[(r.type, kinds[r.source], kinds[r.target])].append(rel_row(r, dates))
    total = len(facts.entities) + len(facts.relationships)
    node_counts, rel_counts = facts.counts()

    def build(writer: Writer) -> None:
        labels = [schema.node(k).label for k in schema.nodes] + [f"`{META_LABEL}`"]
        writer.create_indexes(labels, ["id"])
        done = 0
        for kind, rows in sorted(nodes.items()):
            statement = node_statement(schema, kind)
            for batch in _batches(rows):
                writer.run(statement, {"rows": batch})
                done += len(batch)
                if progress:
                    progress("nodes", done, total)
        for (rtype, source, target), rows in sorted(rels.items()):
            statement = rel_statement(schema, rtype, source, target)
            for batch in _batches(rows):
                writer.run(statement, {"rows": batch})
                done += len(batch)
                if progress:
                    progress("relationships", done, total)
        writer.run(META_STATEMENT, {"props": {
            "digest": facts.digest,
            "loaded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "node_count": len(facts.entities),
            "relationship_count": len(facts.relationships),
            "node_kinds": sorted(node_counts),
            "node_kind_counts": [node_counts[k] for k in sorted(node_counts)],
            "relationship_types": sorted(rel_counts),
            "relationship_type_counts": [rel_counts[k] for k in sorted(rel_counts)],
        }})

    backend.replace_graph(build)


def loaded_digest(backend: GraphBackend) -> str | None:
    """The digest of the facts the graph was loaded from, or None when there is no graph."""
    digest = read_meta(backend).get("digest")
    return str(digest) if digest is not None else None
