"""Each fact of an entity page with the first and the last release it appeared in.

The page's facts (graph/entities.py's `get_entity`) are turned into the statements
they are (loaders/statements.py), whose ids the releases' history knows: a fact whose
statement no release holds has `first_seen` and `last_seen` null (it is new since the
latest release, or there is none).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from loaders.statements import evidence_statements, relationship_statements, statement_id

Seen = Mapping[str, tuple[str, str]]


def _seen(history: Seen, ident: str) -> dict[str, str | None]:
    first, last = history.get(ident, (None, None))
    return {"first_seen": first, "last_seen": last}


def annotate(entity: dict[str, Any], history: Seen) -> dict[str, Any]:
    """`entity` (get_entity's shape) with `first_seen`/`last_seen` on the entity, on each
    property (`seen`), relationship and evidence item."""
    ident = entity["id"]
    entity.update(_seen(history, statement_id({"entity": ident, "kind": entity["kind"]})))
    props = {"name": entity.get("name"), "aliases": entity.get("aliases") or None,
             "summary": entity.get("summary"), **entity.get("properties", {})}
    entity["seen"] = {
        name: _seen(history, statement_id({"entity": ident, "property": name, "value": value}))
        for name, value in sorted(props.items()) if value is not None
    }
    for item, s in zip(entity.get("evidence", []),
                       evidence_statements(ident, None, entity.get("evidence", [])), strict=True):
        item.update(_seen(history, s["id"]))
    for link in entity.get("relationships", []):
        other = link["other"]["id"]
        source, target = (ident, other) if link["direction"] == "out" else (other, ident)
        statements = list(relationship_statements(link["type"], source, target,
                                                  link.get("properties", {}),
                                                  link.get("evidence", []), link.get("key") or ""))
        link.update(_seen(history, statements[0]["id"]))
        for item, s in zip(link.get("evidence", []), statements[1:], strict=True):
            item.update(_seen(history, s["id"]))
    return entity
