"""The facts stage's output: validated entities and relationships, each with where it was declared.

Plain data, shared by every stage after the check (quotes, write, diff) and by the
RDF mapping; it imports nothing of the pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from migkg.exc import Problem

# Relationship properties that tell two edges of one type between one pair apart.
DISCRIMINATORS = ("role", "title", "action")
# The `lines` of facts read without line bookkeeping (the lean pass, the file cache):
# one shared dict, never written to.
NO_LINES: dict[str, int] = {}


def relationship_key(rtype: str, source: str, target: str, props: Mapping[str, Any]) -> str:
    """The `key` that tells two edges of one type between one pair apart."""
    get = props.get
    return (f"{rtype}|{source}|{target}|{get('role', '')}|{get('title', '')}"
            f"|{get('action', '')}")


class _Located:
    """Where a fact was declared: its file, its line and the line of each field."""

    __slots__ = ()  # millions of facts at scale: no __dict__ per fact
    line: int
    lines: dict[str, int]

    def line_of(self, fld: str) -> int:
        return self.lines.get(fld, self.line)


@dataclass(frozen=True, slots=True)
class Entity(_Located):
    kind: str
    id: str
    props: dict[str, Any]
    sources: list[dict[str, Any]]  # doc, quote and, once anchored, start and end
    file: str
    line: int
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Relationship(_Located):
    type: str
    source: str
    target: str
    props: dict[str, Any]
    sources: list[dict[str, Any]]
    file: str
    line: int
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    # Worked out once (or kept with the file's cached facts): the diff, the checks and
    # the writer each ask for it.
    key: str = field(default="", compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key",
                               relationship_key(self.type, self.source, self.target, self.props))


@dataclass
class Facts:
    entities: list[Entity] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)
    digest: str = ""
    warnings: list[Problem] = field(default_factory=list)  # e.g. a quote found twice

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        nodes: dict[str, int] = {}
        rels: dict[str, int] = {}
        for e in self.entities:
            nodes[e.kind] = nodes.get(e.kind, 0) + 1
        for r in self.relationships:
            rels[r.type] = rels.get(r.type, 0) + 1
        return nodes, rels
