"""Counts per node kind and per relationship type, from the graph itself."""

from __future__ import annotations

from graph.backend import GraphBackend, Stats
from graph.schema import Schema, get_schema


def graph_stats(backend: GraphBackend, schema: Schema | None = None) -> Stats:
    """Count nodes per schema kind and relationships per schema type (two queries in all)."""
    schema = schema or get_schema()
    stats = Stats({k: 0 for k in schema.nodes}, {t: 0 for t in schema.relationships})
    if not backend.exists():
        return stats
    for row in backend.read("MATCH (n) RETURN labels(n)[0] AS kind, count(n) AS n").rows:
        if row[0] in stats.nodes:
            stats.nodes[row[0]] = row[1]
    for row in backend.read("MATCH ()-[r]->() RETURN type(r) AS type, count(r) AS n").rows:
        if row[0] in stats.relationships:
            stats.relationships[row[0]] = row[1]
    return stats
