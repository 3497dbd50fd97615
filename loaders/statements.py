"""Facts as statements: the unit of releases, changes and history.

A statement says one thing, in the words the graph stores it (so the graph's own rows
give the same statements back, graph/entities.py's `public` view):

- an entity and its kind: `{"entity": "RS", "kind": "Country"}`;
- one property of an entity: `{"entity": "RS", "property": "name", "value": "Serbia"}`;
- one relationship with its qualifiers: `{"entity": <source>, "relationship": "COVERS",
  "target": "RS", "qualifiers": {...}}` (its key tells it apart, loaders/facts.py);
- one evidence item of an entity or of a relationship (`of`: the relationship's key,
  or None): `{"entity", "of", "doc", "quote", "start", "end", "position"}`.

A statement's id is a digest of what it states, never of where it sits in a file, so
moving facts between files changes nothing. Its *slot* is what it is about without
its value (the entity's property, the relationship's key, the quote of a document for
an item): a removed and an added statement of one slot are one changed statement.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import orjson

from graph.entities import public
from graph.schema import Schema
from loaders.facts import Entity, Facts, Relationship
from loaders.write import stored

Statement = dict[str, Any]
ID_BYTES = 10  # 80 bits: no collision in any graph this code will hold
ITEM = "release"  # the `file` of facts rebuilt from statements


def canonical(statement: Mapping[str, Any]) -> bytes:
    """The one text of a statement (its id and op left out): JSON, sorted keys, no spaces."""
    body = {k: v for k, v in statement.items() if k not in ("id", "op")}
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def statement_id(statement: Mapping[str, Any]) -> str:
    return hashlib.blake2b(canonical(statement), digest_size=ID_BYTES).hexdigest()


def slot(statement: Mapping[str, Any]) -> tuple[Any, ...]:
    """What a statement is about, without its value."""
    if "relationship" in statement:
        return ("r", statement["relationship"], statement["entity"], statement["target"],
                *(str(statement["qualifiers"].get(k, "")) for k in ("role", "title", "action")))
    if "doc" in statement:
        return ("e", statement["entity"], statement["of"] or "", statement["doc"],
                statement["quote"])
    if "property" in statement:
        return ("p", statement["entity"], statement["property"])
    return ("k", statement["entity"])


def with_id(statement: Statement, _dumps: Any = orjson.dumps, _hash: Any = hashlib.blake2b,
            _sort: int = orjson.OPT_SORT_KEYS) -> Statement:
    """`statement` (without an id yet) with its id (the defaults bind what a million
    calls look up)."""
    statement["id"] = _hash(_dumps(statement, option=_sort), digest_size=ID_BYTES).hexdigest()
    return statement


# -- from what the graph stores ------------------------------------------------------------------

def node_statements(kind: str, ident: str, props: Mapping[str, Any],
                    evidence: Iterable[Mapping[str, Any]]) -> Iterator[Statement]:
    """The statements of a node: its kind, each public property, each evidence item."""
    yield with_id({"entity": ident, "kind": kind})
    for name, value in sorted(public(dict(props)).items()):
        if name != "id" and value is not None:
            yield with_id({"entity": ident, "property": name, "value": value})
    yield from evidence_statements(ident, None, evidence)


def relationship_statements(rtype: str, source: str, target: str, props: Mapping[str, Any],
                            evidence: Iterable[Mapping[str, Any]], key: str
                            ) -> Iterator[Statement]:
    """The statement of a relationship with its qualifiers, and of each evidence item."""
    qualifiers = {k: v for k, v in public(dict(props)).items() if v is not None}
    yield with_id({"entity": source, "relationship": rtype, "target": target,
                   "qualifiers": qualifiers})
    yield from evidence_statements(source, key, evidence)


def evidence_statements(owner: str, of: str | None, evidence: Iterable[Mapping[str, Any]]
                        ) -> Iterator[Statement]:
    for position, item in enumerate(evidence):
        yield with_id({"entity": owner, "of": of, "doc": item["doc"], "quote": item["quote"],
                       "start": item.get("start"), "end": item.get("end"),
                       "position": position})


def _evidence(sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"doc": s["doc"], "quote": s["quote"], "start": s.get("start"), "end": s.get("end")}
            for s in sources]


def facts_statements(facts: Facts, schema: Schema) -> Iterator[Statement]:
    """Every statement of the facts, as the graph loaded from them stores it."""
    dates = schema.date_properties()
    for e in facts.entities:
        yield from node_statements(e.kind, e.id, stored(e.props, dates), _evidence(e.sources))
    for r in facts.relationships:
        yield from relationship_statements(r.type, r.source, r.target, stored(r.props, dates),
                                           _evidence(r.sources), r.key)


# -- back to facts -------------------------------------------------------------------------------

def statements_facts(statements: Iterable[Mapping[str, Any]], digest: str = "") -> Facts:
    """The facts whose statements these are: a full load of them gives the graph they
    came from (the internal `_digest` of its items aside)."""
    kinds: dict[str, str] = {}
    props: dict[str, dict[str, Any]] = {}
    rels: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    evidence: dict[tuple[str, str | None], list[Mapping[str, Any]]] = {}
    for s in statements:
        if "relationship" in s:
            rels[slot(s)] = s
        elif "doc" in s:
            evidence.setdefault((s["entity"], s["of"]), []).append(s)
        elif "property" in s:
            props.setdefault(s["entity"], {})[s["property"]] = s["value"]
        else:
            kinds[s["entity"]] = s["kind"]

    def sources(owner: str, of: str | None) -> list[dict[str, Any]]:
        items = sorted(evidence.get((owner, of), []), key=lambda s: s["position"])
        out = []
        for s in items:
            source = {"doc": s["doc"], "quote": s["quote"]}
            if s.get("start") is not None:
                source.update(start=s["start"], end=s["end"])
            out.append(source)
        return out

    facts = Facts(digest=digest)
    for ident in sorted(kinds):
        facts.entities.append(Entity(kinds[ident], ident, props.get(ident, {}),
                                     sources(ident, None), ITEM, 0))
    for _, s in sorted(rels.items()):
        r = Relationship(s["relationship"], s["entity"], s["target"], dict(s["qualifiers"]),
                         [], ITEM, 0)
        r.sources.extend(sources(r.source, r.key))
        facts.relationships.append(r)
    return facts
