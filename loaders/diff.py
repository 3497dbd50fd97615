"""Reloads that cost what changed: compare the facts with the graph's digests, apply the rest.

Every node and relationship the loader writes carries `_digest` (loaders/write.py),
a digest of its stored row. A reload reads `(id, _digest)` per node and
`(key, _digest)` per outgoing relationship, a page of nodes at a time by id, and
works out:

- nodes to delete (gone from the facts, or now of another kind: DETACH DELETE);
- nodes to update in place (`SET n = row` replaces every property);
- nodes to create (new, or recreated under their new kind);
- relationships to delete (gone, or changed) and to create (new, changed, or
  attached to a recreated node, whose old edges went with it).

All of it goes to `GraphBackend.update_graph`, which applies it atomically, so
the graph afterwards is exactly what a full load of the same facts gives.

The same difference, as rows, is the `Change` every derived copy applies (the
SPARQL store, sparql/store.py): the stored rows of what was removed or rewritten,
read from the graph before the write, and the rows written in their place.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.backend import GraphBackend, Writer
from graph.meta import read_meta
from graph.schema import Schema
from loaders.cache import read_entry, write_entry
from loaders.facts import Entity, Facts, Relationship
from loaders.write import (
    DIGEST,
    META_STATEMENT,
    Progress,
    batches,
    entity_digest,
    node_row,
    rel_row,
    relationship_digest,
    write_all,
)

PAGE = 20_000
# Above this share of changed items a full rebuild is cheaper than a diff.
MAX_CHANGED = 0.3
SMALL = 1000  # below this many facts either way is instant: always diff


def read_statement(schema: Schema, kind: str) -> str:
    """A page of a kind's nodes by id, with the digests of their outgoing relationships."""
    return (f"MATCH (n:{schema.node(kind).label}) WHERE n.id > $after "
            f"WITH n ORDER BY n.id LIMIT $limit "
            f"RETURN n.id AS id, n.`{DIGEST}` AS digest, "
            f"[(n)-[r]->() | [r.key, r.`{DIGEST}`]] AS rels")


def delete_nodes_statement(schema: Schema, kind: str) -> str:
    return f"UNWIND $ids AS id MATCH (n:{schema.node(kind).label} {{id: id}}) DETACH DELETE n"


def update_nodes_statement(schema: Schema, kind: str) -> str:
    return f"UNWIND $rows AS row MATCH (n:{schema.node(kind).label} {{id: row.id}}) SET n = row"


def node_rows_statement(schema: Schema, kind: str) -> str:
    """The stored rows of a kind's nodes, by id."""
    return (f"UNWIND $ids AS id MATCH (n:{schema.node(kind).label} {{id: id}}) "
            "RETURN properties(n) AS props")


def rel_rows_statement(schema: Schema, kind: str) -> str:
    """The stored rows of relationships by key, found from their source node (of `kind`)."""
    return (f"UNWIND $rows AS row MATCH (a:{schema.node(kind).label} {{id: row.from}})-[r]->(b) "
            "WHERE r.key = row.key RETURN row.from AS source, type(r) AS type, "
            "labels(b) AS target_labels, b.id AS target, properties(r) AS props")


def delete_rels_statement(schema: Schema, kind: str) -> str:
    """Delete relationships by key, found from their source node (of `kind`)."""
    return (f"UNWIND $rows AS row MATCH (a:{schema.node(kind).label} {{id: row.from}})-[r]->() "
            "WHERE r.key = row.key DELETE r")


@dataclass
class GraphState:
    """What the graph holds: per node its kind and digest; per relationship key its
    source's kind and id, and its digest."""

    nodes: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    rels: dict[str, tuple[str, str, str | None]] = field(default_factory=dict)


def facts_state(facts: Facts) -> GraphState:
    """The state a graph holding exactly `facts` has (what `read_state` would read)."""
    kinds = {e.id: e.kind for e in facts.entities}
    return GraphState({e.id: (e.kind, entity_digest(e)) for e in facts.entities},
                      {r.key: (kinds[r.source], r.source, relationship_digest(r))
                       for r in facts.relationships})


def _stamp(meta: dict[str, Any]) -> list[Any]:
    """Which load a kept state belongs to: the graph's digest and load time."""
    return [meta.get("digest"), meta.get("loaded_at")]


def keep_state(path: Path, state: GraphState, meta: dict[str, Any]) -> None:
    """Keep the state of the graph just loaded (its `_Meta` props `meta`), so the next
    reload need not read it back from the graph."""
    write_entry(path, (_stamp(meta), state.nodes, state.rels))


def kept_state(path: Path | None, meta: dict[str, Any]) -> GraphState | None:
    """The kept state of the graph whose `_Meta` is `meta`, or None (another load since,
    or nothing whole kept)."""
    kept = read_entry(path) if path is not None else None
    try:
        stamp, nodes, rels = kept  # type: ignore[misc]
    except (TypeError, ValueError):
        return None
    if stamp != _stamp(meta) or not isinstance(nodes, dict) or not isinstance(rels, dict):
        return None
    return GraphState(nodes, rels)


def read_state(backend: GraphBackend, schema: Schema) -> GraphState:
    state = GraphState()
    for kind in schema.nodes:
        statement, after = read_statement(schema, kind), ""
        while True:
            rows = backend.read(statement, {"after": after, "limit": PAGE}).rows
            for ident, digest, rels in rows:
                state.nodes[ident] = (kind, digest)
                for key, rdigest in rels:
                    state.rels[key] = (kind, ident, rdigest)
            if len(rows) < PAGE:
                break
            after = rows[-1][0]
    return state


@dataclass
class Diff:
    delete_nodes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    update_nodes: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    create_nodes: list[Entity] = field(default_factory=list)
    delete_rels: dict[str, list[dict[str, str]]] = field(default_factory=lambda: defaultdict(list))
    create_rels: list[Relationship] = field(default_factory=list)

    def size(self) -> int:
        return (sum(map(len, self.delete_nodes.values())) + sum(map(len, self.update_nodes.values()))
                + len(self.create_nodes) + sum(map(len, self.delete_rels.values()))
                + len(self.create_rels))


@dataclass(frozen=True, slots=True)
class RelRow:
    """A relationship as stored: its type, its ends with their kinds, its properties."""

    type: str
    source_kind: str
    source: str
    target_kind: str
    target: str
    props: dict[str, Any]

    @property
    def ends(self) -> tuple[str, str, str, str, str]:
        return (self.type, self.source_kind, self.source, self.target_kind, self.target)


@dataclass
class Change:
    """What a reload removed and added, as stored rows (a node's is (kind, properties)).

    A rewritten item appears in both: its old row removed, its new row added.
    """

    removed_nodes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    added_nodes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    removed_rels: list[RelRow] = field(default_factory=list)
    added_rels: list[RelRow] = field(default_factory=list)


def compute(facts: Facts, state: GraphState, schema: Schema,
            new: GraphState | None = None) -> Diff:
    """The changes that turn the graph described by `state` into `facts` (whose own state
    is `new`, computed when not given)."""
    new = new or facts_state(facts)
    dates = schema.date_properties()
    diff = Diff()
    wanted: set[str] = set()
    recreated: set[str] = set()
    for e in facts.entities:
        wanted.add(e.id)
        have = state.nodes.get(e.id)
        if have is None:
            diff.create_nodes.append(e)
            continue
        if have[0] != e.kind:
            diff.delete_nodes[have[0]].append(e.id)
            diff.create_nodes.append(e)
            recreated.add(e.id)
            continue
        if new.nodes[e.id][1] != have[1]:
            diff.update_nodes[e.kind].append(node_row(e, dates))
    for ident, (kind, _) in state.nodes.items():
        if ident not in wanted:
            diff.delete_nodes[kind].append(ident)
    keys: set[str] = set()
    for r in facts.relationships:
        key = r.key
        keys.add(key)
        had = state.rels.get(key)
        if had is None or r.source in recreated or r.target in recreated:
            diff.create_rels.append(r)
        elif new.rels[key][2] != had[2]:
            diff.delete_rels[had[0]].append({"from": had[1], "key": key})
            diff.create_rels.append(r)
    for key, (kind, source, _) in state.rels.items():
        if key not in keys:
            diff.delete_rels[kind].append({"from": source, "key": key})
    return diff


def read_change(backend: GraphBackend, schema: Schema, kinds: dict[str, str],
                state: GraphState, diff: Diff) -> Change:
    """The diff as rows: the old rows read from the graph (before it is written), a batch
    of ids or keys per statement, and the new rows built from the facts (`kinds`: each
    entity's kind)."""
    dates = schema.date_properties()
    change = Change()
    old_ids: dict[str, list[str]] = defaultdict(list)
    for kind, ids in diff.delete_nodes.items():
        old_ids[kind] += ids
    for kind, updates in diff.update_nodes.items():
        old_ids[kind] += [row["id"] for row in updates]
        change.added_nodes += [(kind, row) for row in updates]
    change.added_nodes += [(e.kind, node_row(e, dates)) for e in diff.create_nodes]
    for kind, ids in sorted(old_ids.items()):
        for batch in batches(ids):
            found = backend.read(node_rows_statement(schema, kind), {"ids": list(batch)})
            change.removed_nodes += [(kind, props) for (props,) in found.rows]
    # Old relationships: the deleted ones, and the ones recreated with a recreated end.
    old_rels: dict[str, list[dict[str, str]]] = defaultdict(list)
    seen: set[str] = set()
    for kind, rows in diff.delete_rels.items():
        old_rels[kind] += rows
        seen.update(row["key"] for row in rows)
    for r in diff.create_rels:
        key = r.key
        had = state.rels.get(key)
        if had is not None and key not in seen:
            old_rels[had[0]].append({"from": had[1], "key": key})
            seen.add(key)
        row = rel_row(r, dates)
        change.added_rels.append(RelRow(r.type, kinds[r.source], r.source, kinds[r.target],
                                        r.target, row["props"]))
    node_kinds = set(schema.nodes)
    for kind, rows in sorted(old_rels.items()):
        for rbatch in batches(rows):
            result = backend.read(rel_rows_statement(schema, kind), {"rows": list(rbatch)})
            for source, rtype, labels, target, props in result.rows:
                target_kind = next((label for label in labels if label in node_kinds), "")
                change.removed_rels.append(RelRow(rtype, kind, source,
                                                  target_kind, target, props))
    return change


def apply_diff(facts: Facts, backend: GraphBackend, schema: Schema, props: dict[str, Any],
               progress: Progress | None = None, kept: Path | None = None
               ) -> tuple[str, Change | None] | None:
    """("unchanged", None) or ("diff", change) when done; None when a full load is needed
    or cheaper. `props` are the new `_Meta`'s; `kept` is where the loaded graph's state
    is kept between loads (`keep_state`): read from there when it is the graph's, else
    from the graph, and the new state kept there after the write."""
    meta = read_meta(backend)
    if not meta.get("item_digests"):
        return None  # no graph, or loaded before items carried digests
    if meta.get("digest") == facts.digest:
        return "unchanged", None
    state = kept_state(kept, meta) or read_state(backend, schema)
    new = facts_state(facts)
    diff = compute(facts, state, schema, new)
    total = len(facts.entities) + len(facts.relationships)
    if total >= SMALL and diff.size() > MAX_CHANGED * total:
        return None
    kinds = {e.id: e.kind for e in facts.entities}
    change = read_change(backend, schema, kinds, state, diff)

    def tick(stage: str, done: int, total: int) -> None:
        if progress and total:
            progress(stage, done, total)

    def build(writer: Writer) -> None:  # the indexes came with the graph's full load
        # Each stage reports its own total, the rows it touches, so the bars end full.
        total, done = sum(map(len, diff.delete_rels.values())), 0
        for kind, rows in sorted(diff.delete_rels.items()):
            for batch in batches(rows):
                writer.run(delete_rels_statement(schema, kind), {"rows": list(batch)})
                done += len(batch)
                tick("deleted relationships", done, total)
        total, done = sum(map(len, diff.delete_nodes.values())), 0
        for kind, ids in sorted(diff.delete_nodes.items()):
            for ids_batch in batches(ids):
                writer.run(delete_nodes_statement(schema, kind), {"ids": list(ids_batch)})
                done += len(ids_batch)
                tick("deleted nodes", done, total)
        total, done = sum(map(len, diff.update_nodes.values())), 0
        for kind, updates in sorted(diff.update_nodes.items()):
            for update_batch in batches(updates):
                writer.run(update_nodes_statement(schema, kind), {"rows": list(update_batch)})
                done += len(update_batch)
                tick("updated nodes", done, total)
        write_all(writer, schema, diff.create_nodes, diff.create_rels, kinds, progress)
        writer.run(META_STATEMENT, {"props": props})

    backend.update_graph(build)
    if kept is not None:
        keep_state(kept, new, props)
    return "diff", change
