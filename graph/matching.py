"""Batch matching: many names at once, each with ranked candidates, the features that
decided, and a match only when one candidate is unambiguous (after yente's /match).

Property constraints (`{"wikidata": "Q403"}`, `{"status": "signed"}`) are compared
with the candidates' own properties, folded like names: each value that agrees adds
`AGREES`, each that disagrees takes `DISAGREES`. The same answers serve `/v1/match`
and the W3C reconciliation service (`/reconcile`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from graph.backend import GraphBackend
from graph.names import key
from graph.resolve import KindFilter, candidates, decide
from graph.schema import get_schema
from graph.scoring import Candidate

AGREES, DISAGREES = 5.0, 15.0
INTERNAL = frozenset({"names_folded", "name_tokens", "evidence_docs", "evidence_quotes",
                      "evidence_starts", "evidence_ends", "_digest"})


@dataclass(frozen=True)
class Matched:
    """One query's answer: ranked candidates and the one that matches, if any."""

    candidates: list[Candidate]
    match: Candidate | None


def properties_of(backend: GraphBackend, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The stored properties of entities by id (one indexed branch per kind)."""
    if not ids:
        return {}
    schema = get_schema()
    statement = " UNION ALL ".join(
        f"MATCH (n:{k.label}) WHERE n.id IN $ids RETURN n.id AS id, properties(n) AS p"
        for k in schema.nodes.values())
    rows = backend.read(statement, {"ids": list(ids)}).records()
    return {r["id"]: {k: v for k, v in r["p"].items() if k not in INTERNAL} for r in rows}


def _values(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [key(str(v)) for v in items if v is not None and str(v).strip()]


def _agrees(wanted: list[str], have: list[str]) -> bool:
    return any(w == h or (len(w) >= 4 and h.startswith(w)) for w in wanted for h in have)


def _with_properties(c: Candidate, props: Mapping[str, Any],
                     constraints: Mapping[str, Any]) -> Candidate:
    s, features = c.score, list(c.features)
    for name, value in constraints.items():
        wanted = _values(value)
        if not wanted:
            continue
        have = _values(props.get(name)) if name != "id" else [key(c.id)]
        if have and _agrees(wanted, have):
            s += AGREES
            features.append((f"property {name} agrees", AGREES))
        elif have:
            s -= DISAGREES
            features.append((f"property {name} disagrees", -DISAGREES))
    return replace(c, score=s, features=tuple(features))


def match(backend: GraphBackend, name: str, prefer: Sequence[str] = (),
          kind: KindFilter = None, properties: Mapping[str, Any] | None = None,
          limit: int = 5) -> Matched:
    """Ranked candidates for one name, kinds in `prefer` first among equals, only the
    kinds in `kind` when given; property constraints move candidates up or down."""
    ranked = candidates(backend, name, prefer, kind, max(limit, 10))
    found, best = ranked.candidates, ranked.match
    if properties:
        props = properties_of(backend, [c.id for c in found])
        found = sorted((_with_properties(c, props.get(c.id, {}), properties) for c in found),
                       key=lambda c: (-c.score, len(c.name), c.name.casefold(), c.id))
        best = decide(found)
    return Matched(found[:limit], best)
