"""A seeded synthetic graph of any size, written with the loader's own statements.

Every kind and relationship type of the schema, in the curated data's proportions
(Country capped at 676 two-letter codes), each node and relationship with two
pieces of evidence. `generate()` returns a build function for
`GraphBackend.replace_graph`, so both engines receive exactly the same batched
`UNWIND $rows` statements that `migkg load` sends (rows shaped as loaders/write.py's).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from graph.backend import Writer
from graph.meta import META_LABEL
from graph.schema import Schema
from loaders.write import BATCH, META_STATEMENT, node_statement, rel_statement

# Shares per 20,000 nodes.
SHARE = {"Document": 500, "Country": 600, "Organisation": 2900, "Person": 3000,
         "Agreement": 3000, "Policy": 1500, "Route": 500, "Principle": 3000, "Event": 3000,
         "Figure": 2000}
RELS_PER_NODE = 2.5


def _value(spec: Any, rng: random.Random, i: int) -> Any:
    if spec.values:
        return rng.choice(spec.values)
    return {"int": i % 50 + 1, "float": rng.random() * 1000, "date": f"2025-{i % 12 + 1:02d}",
            "list[string]": [f"alias {i}", f"other name {i}"]}.get(spec.type, f"text {i}")


def _ident(kind: str, i: int) -> str:
    if kind == "Country":
        return chr(65 + i // 26) + chr(65 + i % 26)
    return f"{kind.lower()}-{i}"


def _evidence(rng: random.Random, docs: list[str]) -> dict[str, list[str]]:
    return {"evidence_docs": rng.sample(docs, 2),
            "evidence_quotes": ["a verbatim quote from the source", "another short quote"]}


def sizes(n_nodes: int, kinds: list[str] | None = None) -> dict[str, int]:
    """Nodes per kind for about `n_nodes` nodes in all (a kind new to the schema: 500 per 20,000)."""
    out = {kind: max(2, round(SHARE.get(kind, 500) * n_nodes / 20_000))
           for kind in (kinds or list(SHARE))}
    out["Country"] = min(out["Country"], 26 * 26)
    return out


def generate(schema: Schema, n_nodes: int = 20_000, n_rels: int | None = None,
             seed: int = 42, digest: str | None = None) -> Callable[[Writer], None]:
    """A build function writing the synthetic graph; `digest` marks it in the meta node."""
    n_rels = round(n_nodes * RELS_PER_NODE) if n_rels is None else n_rels
    rng = random.Random(seed)
    ids = {kind: [_ident(kind, i) for i in range(n)] for kind, n in sizes(n_nodes, list(schema.nodes)).items()}
    docs = ids["Document"]
    nodes: dict[str, list[dict[str, Any]]] = {}
    for kind, idents in ids.items():
        specs = [p for p in schema.node(kind).properties.values() if p.name != "id"]
        nodes[kind] = [{"id": ident,
                        **{p.name: _value(p, rng, i) for p in specs if p.required or rng.random() < 0.5},
                        "name": f"{kind} {i}", **_evidence(rng, docs)} for i, ident in enumerate(idents)]
    rels: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    keys: set[str] = set()
    types = list(schema.relationships.values())
    while len(keys) < n_rels:
        rel = rng.choice(types)
        sk, tk = rng.choice(rel.source), rng.choice(rel.target)
        s, t = rng.choice(ids[sk]), rng.choice(ids[tk])
        props = {p.name: _value(p, rng, len(keys)) for p in rel.properties.values()
                 if p.required or rng.random() < 0.3}
        key = "|".join([rel.name, s, t, *(str(props.get(k, "")) for k in
                                          ("role", "title", "action"))])
        if key in keys:
            continue
        keys.add(key)
        rels.setdefault((rel.name, sk, tk), []).append(
            {"from": s, "to": t, "props": {**props, "key": key, **_evidence(rng, docs)}})
    node_total = sum(len(rows) for rows in nodes.values())

    def build(writer: Writer) -> None:
        writer.create_indexes([schema.node(k).label for k in schema.nodes]
                              + [f"`{META_LABEL}`"], ["id"])
        for kind, rows in nodes.items():
            for i in range(0, len(rows), BATCH):
                writer.run(node_statement(schema, kind), {"rows": rows[i:i + BATCH]})
        for (rtype, sk, tk), rows in rels.items():
            for i in range(0, len(rows), BATCH):
                writer.run(rel_statement(schema, rtype, sk, tk), {"rows": rows[i:i + BATCH]})
        writer.run(META_STATEMENT, {"props": {
            "loaded_at": "2025-01-01T00:00:00+00:00", "digest": digest or f"synthetic-{seed}",
            "node_count": node_total, "relationship_count": n_rels}})

    return build
