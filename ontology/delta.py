"""The RDF of a load without reading the graph back: of the facts, and of a reload's change.

- `FactsRows` gives `Export` the rows a load writes (loaders/write.py), so a fresh
  SPARQL store is built from the facts in hand, not from a second full read of the graph.
- `delta` turns a reload's `Change` (loaders/diff.py) into the N-Triples lines to
  delete and to insert: what the store must do to equal a full export of the new graph.

Most triples belong to one item: a node's (its class, properties, label, evidence)
or a relationship's qualified node. Two kinds are shared: the direct triple
`s :partyTo o` stands for every relationship of that type between the two, and a
framework is a skos:ConceptScheme while any principle is part of it. Those are
decided from the new facts as a whole, for each pair or framework the change touches.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.schema import Schema
from loaders.diff import Change
from loaders.facts import Facts, Relationship
from loaders.write import group_entities, node_row, rel_row
from ontology.export import PAGE_SIZE, RelRow
from ontology.ntriples import NTriples
from ontology.vocab import SCHEME

Ends = tuple[str, str, str, str, str]  # type, source kind, source, target kind, target


class FactsRows:
    """`Export`'s rows from validated facts, as the loader stores them."""

    def __init__(self, facts: Facts, schema: Schema, loaded_at: Any) -> None:
        self.facts, self.schema, self._loaded_at = facts, schema, loaded_at
        self.dates = schema.date_properties()
        self.kinds = {e.id: e.kind for e in facts.entities}
        self.groups = group_entities(facts.entities)
        self.rel_groups: dict[str, list[Relationship]] = defaultdict(list)
        for r in facts.relationships:
            self.rel_groups[r.type].append(r)
        self.schemes = schemes(facts, self.kinds)

    def exists(self) -> bool:
        return True

    def loaded_at(self) -> Any:
        return self._loaded_at

    def nodes(self, kind: str) -> Iterator[list[tuple[Mapping[str, Any], bool]]]:
        group = self.groups.get(kind, [])
        for i in range(0, len(group), PAGE_SIZE):
            yield [(node_row(e, self.dates), (kind, e.id) in self.schemes)
                   for e in group[i : i + PAGE_SIZE]]

    def relationships(self, rtype: str) -> Iterator[list[RelRow]]:
        """In key order, as the graph's pages come: equal ends are adjacent."""
        group = sorted(self.rel_groups.get(rtype, []), key=lambda r: r.key)
        kinds = self.kinds
        for i in range(0, len(group), PAGE_SIZE):
            yield [(kinds[r.source], r.source, kinds[r.target], r.target,
                    rel_row(r, self.dates)["props"]) for r in group[i : i + PAGE_SIZE]]


def schemes(facts: Facts, kinds: Mapping[str, str]) -> set[tuple[str, str]]:
    """(kind, id) of every framework with a principle: each is a skos:ConceptScheme."""
    return {(kinds[r.target], r.target) for r in facts.relationships
            if (kinds[r.source], r.type) == SCHEME}


@dataclass
class Delta:
    """N-Triples lines to delete and to insert, and the new graph's counts."""

    delete: set[str] = field(default_factory=set)
    insert: set[str] = field(default_factory=set)
    entities: Counter[str] = field(default_factory=Counter)
    links: Counter[str] = field(default_factory=Counter)  # distinct direct triples per type


def delta(change: Change, facts: Facts, nt: NTriples) -> Delta:
    """The lines that turn the export of the graph before `change` into the export after it
    (the graph now holding `facts`)."""
    old: set[str] = set()
    new: set[str] = set()
    for kind, props in change.removed_nodes:
        old.update(nt.node(kind, props))
    for kind, props in change.added_nodes:
        new.update(nt.node(kind, props))
    for r in change.removed_rels:
        old.update(nt.qualified(*r.ends, r.props))
    for r in change.added_rels:
        new.update(nt.qualified(*r.ends, r.props))
    out = Delta(delete=old - new, insert=new - old)
    kinds = {e.id: e.kind for e in facts.entities}
    after: set[Ends] = {(r.type, kinds[r.source], r.source, kinds[r.target], r.target)
                        for r in facts.relationships}
    for ends in {r.ends for r in (*change.removed_rels, *change.added_rels)}:
        lines = nt.direct(*ends)
        (out.insert if ends in after else out.delete).update(lines)
    frameworks = set(nt.m.schema.rel(SCHEME[1]).target)
    touched = {(r.target_kind, r.target) for r in (*change.removed_rels, *change.added_rels)
               if (r.source_kind, r.type) == SCHEME and r.target_kind in frameworks}
    touched |= {(kind, props["id"]) for kind, props in (*change.removed_nodes, *change.added_nodes)
                if kind in frameworks}
    concept_schemes = schemes(facts, kinds)
    for kind, ident in touched:
        line = nt.scheme(kind, ident)
        (out.insert if (kind, ident) in concept_schemes else out.delete).add(line)
    out.delete -= out.insert  # a line both removed and added stays
    out.entities.update(e.kind for e in facts.entities)
    out.links.update(ends[0] for ends in after)
    return out
