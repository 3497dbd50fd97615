"""Write validated facts into a graph: batched `UNWIND $rows ... CREATE`, indexes first.

A full load goes into a new graph that replaces the old one only when it is
complete (a fresh staging graph on FalkorDB; on Neo4j one transaction that first
deletes everything), so `CREATE` is exact: the result is the facts in `data/`, and
a failed load leaves the previous graph readable.

A reload applies only what changed (loaders/diff.py): every node and relationship
carries `_digest`, a digest of its row, so the facts are compared with the graph
and the difference is applied atomically (`GraphBackend.update_graph`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from typing import Any, TypeVar

from graph.backend import Writer
from graph.meta import META_ID, META_LABEL
from graph.names import name_properties
from graph.schema import Schema
from loaders.facts import Entity, Facts, Relationship
from loaders.models import date_precision
from migkg.code import code_digest
from migkg.dates import RANGE, bounds

BATCH = 5000  # rows per statement: large enough that round trips do not matter
DIGEST = "_digest"
Progress = Callable[[str, int, int], None]
Row = dict[str, Any]
T = TypeVar("T")


# The schema and the code that turns facts into rows: items change when they do.
_CODE = code_digest("ontology/schema.yaml", "loaders/write.py", "loaders/models.py",
                    "migkg/dates.py", "graph/resolve.py", "graph/names.py")


def _digest(*parts: Any) -> str:
    """A digest of an item's facts (not of its derived row: cheap to compare on reload).

    `repr` of the validated values is exact and several times cheaper than sorted
    JSON; keys come in file order, so reordering keys in a file updates the item
    (needlessly, but exactly).
    """
    return hashlib.blake2b(repr(parts).encode(), digest_size=12, key=_CODE).hexdigest()


def entity_digest(e: Entity) -> str:
    return _digest(e.kind, e.id, e.props, e.sources)


def relationship_digest(r: Relationship) -> str:
    return _digest(r.type, r.source, r.target, r.props, r.sources)


def evidence_props(props: Row, sources: list[dict[str, Any]]) -> None:
    """`evidence_docs`, `evidence_quotes` and, when every quote is anchored (the data
    folder has its source texts), `evidence_starts` / `evidence_ends`: parallel lists."""
    props["evidence_docs"] = [s["doc"] for s in sources]
    props["evidence_quotes"] = [s["quote"] for s in sources]
    if all("start" in s for s in sources):
        props["evidence_starts"] = [s["start"] for s in sources]
        props["evidence_ends"] = [s["end"] for s in sources]


def stored(props: Row, dates: set[str]) -> Row:
    """An item's own properties as the graph stores them: with the derived precision of
    each date as written, and its range as days (the rows below add the id, name keys,
    evidence and `_digest`).

    `date_earliest` and `date_latest` are stored as the first and the last day the item
    may fall on (migkg/dates.bounds): a written range narrowed by the date's period, or
    the date's period alone (`2024-11`: 2024-11-01 to 2024-11-30), so that every dated
    item has a range and a date filter compares days as strings on both engines."""
    out = dict(props)
    for name in dates & out.keys():
        out[f"{name}_precision"] = date_precision(out[name])
    if RANGE[0] in dates and ("date" in out or RANGE[0] in out or RANGE[1] in out):
        for name, day in zip(RANGE, bounds(out), strict=True):
            if day is not None:
                out[name] = day
    return out


def node_row(e: Entity, dates: set[str]) -> Row:
    """The node's properties, as stored: id, derived ones, evidence and `_digest`."""
    props = stored(e.props, dates)
    props["id"] = e.id
    props.update(name_properties(e.id, e.kind, e.props))  # graph/names.py
    evidence_props(props, e.sources)
    props[DIGEST] = entity_digest(e)
    return props


def rel_row(r: Relationship, dates: set[str]) -> Row:
    """`from`, `to` and the relationship's properties (`key`, evidence, `_digest`)."""
    props = stored(r.props, dates)
    props["key"] = r.key
    evidence_props(props, r.sources)
    props[DIGEST] = relationship_digest(r)
    return {"from": r.source, "to": r.target, "props": props}


def batches(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def node_statement(schema: Schema, kind: str) -> str:
    """Create a batch of nodes (into a graph that holds none of them)."""
    return f"UNWIND $rows AS row CREATE (n:{schema.node(kind).label}) SET n = row"


def rel_statement(schema: Schema, rtype: str, source: str, target: str) -> str:
    """Create a batch of relationships between nodes of the given kinds."""
    s, t, r = schema.node(source).label, schema.node(target).label, schema.rel(rtype).label
    return (
        f"UNWIND $rows AS row MATCH (a:{s} {{id: row.from}}) MATCH (b:{t} {{id: row.to}}) "
        f"CREATE (a)-[r:{r}]->(b) SET r = row.props"
    )


META_STATEMENT = f"MERGE (m:`{META_LABEL}` {{id: '{META_ID}'}}) SET m += $props"


def meta_props(facts: Facts) -> dict[str, Any]:
    node_counts, rel_counts = facts.counts()
    return {
        "digest": facts.digest,
        "item_digests": True,  # every item carries `_digest`: reloads can apply a diff
        "loaded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "node_count": len(facts.entities),
        "relationship_count": len(facts.relationships),
        "node_kinds": sorted(node_counts),
        "node_kind_counts": [node_counts[k] for k in sorted(node_counts)],
        "relationship_types": sorted(rel_counts),
        "relationship_type_counts": [rel_counts[k] for k in sorted(rel_counts)],
    }


def index_labels(schema: Schema) -> list[str]:
    return [schema.node(k).label for k in schema.nodes] + [f"`{META_LABEL}`"]


def group_entities(entities: Sequence[Entity]) -> dict[str, list[Entity]]:
    out: dict[str, list[Entity]] = defaultdict(list)
    for e in entities:
        out[e.kind].append(e)
    return out


def group_relationships(rels: Sequence[Relationship], kinds: dict[str, str]
                        ) -> dict[tuple[str, str, str], list[Relationship]]:
    """Relationships by (type, source kind, target kind): one statement shape per group."""
    out: dict[tuple[str, str, str], list[Relationship]] = defaultdict(list)
    for r in rels:
        out[(r.type, kinds[r.source], kinds[r.target])].append(r)
    return out


class _Pipeline:
    """Runs statements one at a time, in order, on a helper thread, so that the next
    batch's rows are built while the engine executes the previous statement.

    At most one statement is in flight; its error surfaces at the next `run` or on
    leaving the block, and leaving the block (even on an error) waits for it, so no
    statement runs after the caller has given up on the graph.
    """

    def __init__(self, writer: Writer) -> None:
        self._writer = writer
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="migkg-load")
        self._pending: Future[None] | None = None

    def run(self, statement: str, params: dict[str, Any]) -> None:
        self.wait()
        self._pending = self._pool.submit(self._writer.run, statement, params)

    def wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def __enter__(self) -> _Pipeline:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            if kind is None:
                self.wait()
            elif self._pending is not None:
                futures_wait([self._pending])  # its own error matters less than the caller's
        finally:
            self._pool.shutdown(wait=True)


def write_all(writer: Writer, schema: Schema, entities: Sequence[Entity],
              rels: Sequence[Relationship], kinds: dict[str, str],
              progress: Progress | None = None) -> None:
    """CREATE `entities`, then `rels`, in batches grouped by kind and endpoint kinds."""
    dates = schema.date_properties()
    with _Pipeline(writer) as pipe:
        done = 0
        for kind, group in sorted(group_entities(entities).items()):
            statement = node_statement(schema, kind)
            for batch in batches(group):
                pipe.run(statement, {"rows": [node_row(e, dates) for e in batch]})
                done += len(batch)
                if progress:
                    progress("nodes", done, len(entities))
        done = 0
        for (rtype, source, target), rgroup in sorted(group_relationships(rels, kinds).items()):
            statement = rel_statement(schema, rtype, source, target)
            for rbatch in batches(rgroup):
                pipe.run(statement, {"rows": [rel_row(r, dates) for r in rbatch]})
                done += len(rbatch)
                if progress:
                    progress("relationships", done, len(rels))
